// Cold-start figures: a fresh `node` per run, median wall time. "Cold" means a new process; the
// OS file cache is warm (one unrecorded run first), as it is for a user's second invocation.
// `node -e 0` is measured alongside so the cost of the runtime itself can be subtracted.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { TimingRow } from './report.js';
import { median } from './stats.js';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const REPO_DIR = fileURLToPath(new URL('..', import.meta.url));

/**
 * Median wall time of `node ...args` over `runs`, or null if it does not exit 0 (or, with
 * `wantOutput`, prints nothing: a CLI whose launcher exists but whose code is not written yet).
 */
function time(args: readonly string[], cwd: string, runs: number, wantOutput = false) {
  const once = () => {
    const t0 = performance.now();
    const run = spawnSync(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const ms = performance.now() - t0;
    return run.status === 0 && (!wantOutput || run.stdout.length > 0) ? ms : null;
  };
  if (once() === null) return null;
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const ms = once();
    if (ms === null) return null;
    times.push(ms);
  }
  return median(times);
}

function imported(name: string, runs: number, cwd = BENCH_DIR): TimingRow {
  const code = `import('${name}')`;
  return { name, command: `node -e "${code}"`, medianMs: time(['-e', code], cwd, runs) };
}

/** Import times of the SDK and, for scale, of its two big dependencies and of axios. */
export function importTimes(runs: number): TimingRow[] {
  const rows: TimingRow[] = [
    { name: 'node itself', command: 'node -e 0', medianMs: time(['-e', '0'], BENCH_DIR, runs) },
    imported('@stemedb/sdk', runs),
    imported('undici', runs),
    // The SDK's other large dependency, resolved from the SDK's own folder.
    imported('zod', runs, `${REPO_DIR}packages/sdk`),
    imported('axios', runs),
  ];
  const base = rows[0]!.medianMs;
  return rows.map((row, i) =>
    i === 0 || row.medianMs === null || base === null
      ? row
      : { ...row, note: `+${(row.medianMs - base).toFixed(1)} ms over node -e 0` },
  );
}

/**
 * The CLIs' `--help`, from the repository root; a CLI not built or not written is "not yet".
 * They run on the Node that runs the bench (`process.execPath`): run it once per Node line for
 * each line's figures.
 */
const CLIS = [
  { name: 'stemedb-emulator --help', bin: 'packages/emulator/bin/stemedb-emulator.js' },
  { name: 'stemedb-manifests --help', bin: 'packages/manifests/bin/stemedb-manifests.js' },
  { name: 'stemedb-admin --help', bin: 'packages/admin/bin/stemedb-admin.js' },
  { name: 'aphoria-hosted --help', bin: 'packages/aphoria-client/bin/aphoria-hosted.js' },
] as const;

export function cliStarts(runs: number): TimingRow[] {
  return CLIS.map(({ name, bin }) => {
    const command = `node ${bin} --help`;
    if (!existsSync(`${REPO_DIR}${bin}`)) return { name, command, medianMs: null, note: 'no CLI' };
    const medianMs = time([bin, '--help'], REPO_DIR, runs);
    return medianMs === null
      ? { name, command, medianMs, note: '--help fails' }
      : { name, command, medianMs };
  });
}
