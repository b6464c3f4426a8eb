// Cold `stemedb-manifests render` and a cold load of the library, each beside a bare
// `node -e 0` in the same run. Targets (issue 23): `require('@stemedb/manifests')` and its
// `import` at most 2.5x `node -e 0`, a cold `render` at most 2.0x (and under 500 ms, issue #3).
//
//   pnpm --filter @stemedb/manifests build
//   pnpm exec tsx bench/manifests-render.ts [--runs 20] [--config stemedb.yaml] [--baseline DIR]
//
// --baseline DIR adds a cold render by an earlier build, interleaved with the rest: DIR holds a
// copy of that build's packages/manifests/{bin,dist,package.json} (a before/after in one run).
//
// Spawns the built CLI (packages/manifests/bin/stemedb-manifests.js, what users run) once per
// run with stdout to /dev/null, and prints median, p90 and min wall time. Cold means a new
// process each time; the OS file cache is warm (one unrecorded run first). Alongside: `node -e 0`
// (the runtime's own start, not ours to cut) and `--help` (commander and our entry only), run
// interleaved with render so that load from elsewhere moves all three alike. CPU ms is the
// child's user + system time (Linux: /proc/self/stat cutime + cstime), which other load on the
// machine moves much less than wall time.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(REPO, 'packages/manifests/bin/stemedb-manifests.js');
const DIST = join(REPO, 'packages/manifests/dist/cli-commands.cjs');
const LIB_CJS = join(REPO, 'packages/manifests/dist/index.cjs');
const LIB_ESM = join(REPO, 'packages/manifests/dist/index.js');
const TARGET_MS = 500;
/** Median wall time over `node -e 0`'s, at most. */
const RATIO_TARGETS: Record<string, number> = { require: 2.5, import: 2.5, render: 2.0 };

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    config: { type: 'string' },
    baseline: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(
    'usage: tsx bench/manifests-render.ts [--runs N] [--config FILE] [--baseline DIR]\n',
  );
  process.exit(0);
}
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write('--runs must be a positive integer\n');
  process.exit(2);
}
if (!existsSync(DIST)) {
  process.stderr.write(
    'packages/manifests/dist/cli-commands.cjs is missing: run `pnpm --filter @stemedb/manifests build`\n',
  );
  process.exit(2);
}

function defaultConfig(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'manifests-bench-')), 'stemedb.yaml');
  writeFileSync(file, 'ingress:\n  host: stemedb.threesix.ai\nimage:\n  tag: "0.9.0"\n');
  return file;
}
const config = values.config ?? defaultConfig();

/** CPU time of waited-for children so far, in ms, or undefined off Linux. */
function childrenCpuMs(): number | undefined {
  try {
    // Fields after the command name (which may hold spaces, hence the last ')').
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // cutime and cstime are fields 16 and 17 of the whole line, in clock ticks (100 per s).
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

interface Case {
  name: string;
  args: string[];
  wall: number[];
  cpu: number[];
}

const cases: Case[] = [
  { name: 'node -e 0', args: ['-e', '0'], wall: [], cpu: [] },
  { name: 'stemedb-manifests --help', args: [BIN, '--help'], wall: [], cpu: [] },
  {
    name: 'stemedb-manifests render --config <file>',
    args: [BIN, 'render', '--config', config],
    wall: [],
    cpu: [],
  },
  {
    name: "require('@stemedb/manifests')",
    args: ['-e', `require(${JSON.stringify(LIB_CJS)})`],
    wall: [],
    cpu: [],
  },
  {
    name: "import('@stemedb/manifests')",
    args: ['-e', `import(${JSON.stringify(pathToFileURL(LIB_ESM).href)})`],
    wall: [],
    cpu: [],
  },
];

if (values.baseline !== undefined) {
  const baseBin = join(values.baseline, 'bin/stemedb-manifests.js');
  if (!existsSync(baseBin)) {
    process.stderr.write(`--baseline: ${baseBin} is missing\n`);
    process.exit(2);
  }
  cases.push({
    name: 'render, baseline build',
    args: [baseBin, 'render', '--config', config],
    wall: [],
    cpu: [],
  });
}

function runOnce(c: Case, record: boolean): void {
  const cpu0 = childrenCpuMs();
  const t0 = performance.now();
  const run = spawnSync(process.execPath, c.args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const wall = performance.now() - t0;
  const cpu1 = childrenCpuMs();
  if (run.status !== 0) {
    process.stderr.write(`${c.name} exited ${run.status}:\n${run.stderr.toString()}`);
    process.exit(1);
  }
  if (!record) return;
  c.wall.push(wall);
  if (cpu0 !== undefined && cpu1 !== undefined) c.cpu.push(cpu1 - cpu0);
}

function quantile(sorted: readonly number[], q: number): number {
  // Nearest rank: the value at or above a fraction q of the samples.
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const loadStart = loadavg();
for (const c of cases) runOnce(c, false); // warm the file cache
for (let i = 0; i < runs; i += 1) {
  // Rotate the order each round, so no case always follows the same one.
  for (let j = 0; j < cases.length; j += 1) runOnce(cases[(i + j) % cases.length]!, true);
}
const loadEnd = loadavg();
if (values.config === undefined) rmSync(dirname(config), { recursive: true, force: true });

const ms = (n: number) => n.toFixed(0).padStart(5);
const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
const lines = [
  `machine: ${cpus()[0]?.model.trim() ?? 'unknown'}, ${availableParallelism()} cores, node ${process.version}, ${process.platform} ${process.arch}`,
  `load average (1/5/15 min): ${load(loadStart)} at start, ${load(loadEnd)} at end`,
  `runs: ${runs} each, interleaved, after one unrecorded warm-up run; config: ${config}`,
  '',
  '| command | median ms | p90 ms | min ms | CPU ms (median) | median / node -e 0 | CPU / node -e 0 |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
];
const bare = cases[0]!;
const ratio = (c: Case, of: (c: Case) => number[]) =>
  of(bare).length > 0 && of(c).length > 0 ? median(of(c)) / median(of(bare)) : Number.NaN;
for (const c of cases) {
  const sorted = [...c.wall].sort((a, b) => a - b);
  const cpu = c.cpu.length > 0 ? ms(median(c.cpu)) : '  n/a';
  const wallRatio = ratio(c, (x) => x.wall).toFixed(2);
  const cpuRatio = ratio(c, (x) => x.cpu).toFixed(2);
  lines.push(
    `| ${c.name} | ${ms(median(sorted))} | ${ms(quantile(sorted, 0.9))} | ${ms(sorted[0]!)} | ${cpu} | ${wallRatio} | ${cpuRatio} |`,
  );
}
const render = cases[2]!;
const renderMedian = median(render.wall);
lines.push(
  '',
  `render median ${renderMedian.toFixed(0)} ms: ${renderMedian < TARGET_MS ? 'under' : 'OVER'} the ${TARGET_MS} ms target`,
);
for (const [key, target] of Object.entries(RATIO_TARGETS)) {
  const c = cases.find((x) => x.name.includes(key))!;
  const r = ratio(c, (x) => x.wall);
  lines.push(
    `${c.name}: ${r.toFixed(2)}x node -e 0, ${r <= target ? 'within' : 'OVER'} the ${target}x target`,
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
