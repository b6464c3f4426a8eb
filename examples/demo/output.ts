/**
 * How the demo talks: short lines, a step header, a table, and the timing of each step for the
 * summary. Nothing secret ever goes through here: keys are shown by their hash prefix only.
 */
import { performance } from 'node:perf_hooks';

const steps: { name: string; seconds: number; outcome: string }[] = [];

/** A line of output, indented under the current step. */
export function say(line: string): void {
  console.log(`  ${line}`);
}

/** Runs one numbered step, timing it; its outcome is the summary's last column. */
export async function step(name: string, run: () => Promise<string>): Promise<void> {
  console.log(`\n${steps.length + 1}. ${name}`);
  const started = performance.now();
  const outcome = await run();
  steps.push({ name, seconds: (performance.now() - started) / 1000, outcome });
}

/** A plain text table: columns padded to their widest cell. */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) =>
    r
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('  ')
      .trimEnd(),
  );
}

/** The summary: each step, how long it took, and what it showed. */
export function summary(): void {
  console.log('\nSummary');
  const total = steps.reduce((sum, s) => sum + s.seconds, 0);
  const rows = [
    ['step', 'seconds', 'outcome'],
    ...steps.map((s, i) => [`${i + 1}. ${s.name}`, s.seconds.toFixed(1), s.outcome]),
    ['total', total.toFixed(1), ''],
  ];
  for (const line of table(rows)) say(line);
}

/** A key's public name: the first characters of its hash. */
export const shortHash = (hash: string): string => `${hash.slice(0, 12)}…`;
