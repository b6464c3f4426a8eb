// Reading a `node --cpu-prof` profile without a browser: where the self time went, by function
// and by package. `pnpm bench --profile` writes one profile per worker into
// bench/results/profiles/; this prints their summaries.
//
//   tsx bench/profile.ts bench/results/profiles/minimal-sdk-c16-r1.cpuprofile [--top 25]
//
// With --source-maps, each frame of a bundled file that has a `<file>.map` beside it is read as
// the source it came from, so a profile of a bundle (the manifests CLI's dist/, which carries
// zod, yaml and the validators) is summarised by the packages inside it, not as one file.

import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** `node_modules/.pnpm/zod@4.6.7/node_modules/zod/…` → `zod`; node internals → `node:…`. */
function owner(url: string): string {
  if (url === '') return '(native / idle / gc)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const modules = url.split('/node_modules/');
  if (modules.length > 1) {
    const rest = modules[modules.length - 1]!.split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const pkg = url.match(/packages\/([^/]+)\//);
  if (pkg) return `@stemedb/${pkg[1]}`;
  return basename(url);
}

function table(title: string, rows: [string, number][], total: number, top: number): string {
  const lines = [`${title}`];
  for (const [name, us] of rows.sort((a, b) => b[1] - a[1]).slice(0, top)) {
    const pct = ((100 * us) / total).toFixed(1).padStart(5);
    lines.push(`  ${pct}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${name}`);
  }
  return lines.join('\n');
}

const maps = new Map<string, SourceMap | undefined>();

/** The source map beside a profiled file (`<file>.map`), if there is one. */
function mapOf(url: string): SourceMap | undefined {
  if (!maps.has(url)) {
    let map: SourceMap | undefined;
    try {
      const file = url.startsWith('file:') ? fileURLToPath(url) : url;
      if (file.startsWith('/') && existsSync(`${file}.map`)) {
        map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
      }
    } catch {
      map = undefined; // Not a file, or an unreadable map: the frame stays as profiled.
    }
    maps.set(url, map);
  }
  return maps.get(url);
}

/** Where a frame's code came from: through its file's source map, or as profiled. */
function origin(
  frame: ProfileNode['callFrame'],
  sourceMaps: boolean,
): { url: string; line: number } {
  const entry =
    sourceMaps && frame.url !== '' && frame.lineNumber >= 0
      ? mapOf(frame.url)?.findEntry(frame.lineNumber, frame.columnNumber)
      : undefined;
  // findEntry gives {} where the map has nothing for that position.
  const found = entry as { originalSource?: string; originalLine?: number } | undefined;
  return found?.originalSource !== undefined && found.originalLine !== undefined
    ? { url: found.originalSource, line: found.originalLine }
    : { url: frame.url, line: frame.lineNumber };
}

export function summarise(path: string, top: number, sourceMaps = false): string {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const byFunction = new Map<string, number>();
  const byOwner = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    const { functionName } = frame;
    const { url, line: lineNumber } = origin(frame, sourceMaps);
    total += us;
    if (functionName === '(idle)') idle += us;
    const where = url === '' ? '' : ` ${url.replace(/^.*node_modules\//, '')}:${lineNumber + 1}`;
    const fn = `${functionName || '(anonymous)'}${where}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    byOwner.set(owner(url), (byOwner.get(owner(url)) ?? 0) + us);
  }
  const busy = total - idle;
  return [
    `${basename(path)}: ${(total / 1000).toFixed(0)} ms sampled, ${(busy / 1000).toFixed(0)} ms busy`,
    table('self time by package:', [...byOwner], total, top),
    table('self time by function:', [...byFunction], total, top),
    '',
  ].join('\n');
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: 'string', default: '25' },
    'source-maps': { type: 'boolean', default: false },
  },
});
for (const path of positionals) {
  process.stdout.write(`${summarise(path, Number(values.top), values['source-maps'])}\n`);
}
