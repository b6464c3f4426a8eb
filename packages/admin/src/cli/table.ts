/** Plain-text tables for the terminal: columns padded to their widest cell. */

/** Renders `rows` under `header`, two spaces between columns. */
export function renderTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => visible(r[i] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) =>
        i === cells.length - 1
          ? c
          : c + ' '.repeat(Math.max(0, (widths[i] ?? 0) - visible(c).length)),
      )
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

// Colour codes take no room on screen.
function visible(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI colour is the point.
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
