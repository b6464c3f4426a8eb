// Reading a `node --cpu-prof` profile without a browser: where the self time went, by function
// and by package. `pnpm bench --profile` writes one profile per worker into
// bench/results/profiles/; this prints their summaries.
//
//   tsx bench/profile.ts bench/results/profiles/minimal-sdk-c16-r1.cpuprofile [--top 25]

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
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

export function summarise(path: string, top: number): string {
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
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
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
  options: { top: { type: 'string', default: '25' } },
});
for (const path of positionals) process.stdout.write(`${summarise(path, Number(values.top))}\n`);
