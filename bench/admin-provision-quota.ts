// Issue 22: a first `stemedb-admin provision` of 10,000 projects against a Secret Manager that
// enforces its write quota (600 write requests a minute per GCP project by default,
// https://cloud.google.com/secret-manager/quotas) must finish within 1.15× of the time the
// quota itself allows.
//
//   pnpm -F @stemedb/sdk -F @stemedb/emulator -F @stemedb/admin build
//   pnpm exec tsx bench/admin-provision-quota.ts [--projects 10000] [--quota 600]
//     [--concurrency 16] [--stemedb-latency-ms 20] [--sm-latency-ms 20]
//
// - The local gRPC Secret Manager (`startSecretManagerEmulator({ quota: { writes } })`) refuses
//   a write past `--quota` in any sliding minute with RESOURCE_EXHAUSTED, as the real one does;
//   the emulator stands in for StemeDB (rate limit off). Round trips are injected as in
//   admin-provision.ts.
// - `provision` is the built CLI in a child process with its defaults: the run lease,
//   preflight and the client-side write limit (`--store-writes-per-minute`, default 540) on.
// - The floor: W write requests (those the server admitted: every secret's create and version,
//   the lease's claims and renewals) under a quota of Q a sliding minute cannot finish sooner
//   than (⌈W/Q⌉ − 1) minutes after the first, since each minute-long window holds at most Q.
//   The ratio is the run's wall time to that floor; the target is ≤ 1.15.
// - The quota is a minute, as the real one: 10,000 projects take over half an hour. A smaller
//   `--projects` with a proportionally smaller `--quota` keeps the ratio of work to quota but
//   not the run's length; say which was run when quoting a figure.

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startSecretManagerEmulator } from '@stemedb/admin/testing';
import { startEmulator } from '@stemedb/emulator';
import { StemeClient } from '@stemedb/sdk';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(REPO, 'packages/admin/bin/stemedb-admin.js');
const DIST = join(REPO, 'packages/admin/dist/cli.js');
const ROOT_KEY = `steme_live_${'cd'.repeat(24)}`;
const GCP_PROJECT = 'bench-quota';
const TARGET_RATIO = 1.15;
const MINUTE_MS = 60_000;

const { values } = parseArgs({
  options: {
    projects: { type: 'string', default: '10000' },
    quota: { type: 'string', default: '600' },
    concurrency: { type: 'string', default: '16' },
    'stemedb-latency-ms': { type: 'string', default: '20' },
    'sm-latency-ms': { type: 'string', default: '20' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(
    'usage: tsx bench/admin-provision-quota.ts [--projects N] [--quota WRITES_PER_MINUTE]\n' +
      '  [--concurrency N] [--stemedb-latency-ms MS] [--sm-latency-ms MS]\n',
  );
  process.exit(0);
}
const PROJECTS = Number(values.projects);
const QUOTA = Number(values.quota);
const CONCURRENCY = Number(values.concurrency);
const STEMEDB_LATENCY = Number(values['stemedb-latency-ms']);
const SM_LATENCY = Number(values['sm-latency-ms']);
if (!existsSync(DIST)) {
  process.stderr.write('packages/admin/dist is missing: run `pnpm -F @stemedb/admin build`\n');
  process.exit(2);
}

const uptime = () => {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(', ')}`;
  }
};
const log = (text: string) => process.stderr.write(`[bench] ${new Date().toISOString()} ${text}\n`);
const uptimeStart = uptime();
const work = mkdtempSync(join(tmpdir(), 'stemedb-admin-quota-'));

const emulator = await startEmulator({ rootApiKey: ROOT_KEY, rateLimit: false });
emulator.faults.latency(STEMEDB_LATENCY);
const sm = await startSecretManagerEmulator({
  latencyMs: SM_LATENCY,
  quota: { writes: QUOTA, intervalMs: MINUTE_MS },
});
const projectsFile = join(work, 'projects.txt');
writeFileSync(
  projectsFile,
  `${Array.from({ length: PROJECTS }, (_, i) => `quota-${i + 1}`).join('\n')}\n`,
);

log(`provision: ${PROJECTS} projects, quota ${QUOTA} writes a minute`);
const started = performance.now();
const child = spawn(
  process.execPath,
  [
    BIN,
    'provision',
    projectsFile,
    '--url',
    emulator.url,
    '--store',
    `gcp:${GCP_PROJECT}`,
    '--gcp-endpoint',
    sm.endpoint,
    '--concurrency',
    String(CONCURRENCY),
    '--json',
  ],
  {
    env: { ...process.env, STEMEDB_ADMIN_KEY: ROOT_KEY, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  },
);
let stdout = '';
child.stdout.setEncoding('utf8').on('data', (c: string) => {
  stdout += c;
});
// Progress lines (one every 10 s off a terminal) go through, so a long run shows it lives.
child.stderr.setEncoding('utf8').on('data', (c: string) => process.stderr.write(c));
const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
const wallMs = performance.now() - started;
if (code !== 0) {
  process.stderr.write(`provision exited ${code}\n`);
  process.exit(1);
}
const summary = JSON.parse(stdout).summary as { created: number; failed: number };

// What the server saw: writes it admitted, those it refused, and the other kinds.
const calls = sm.calls();
const WRITE_METHODS = new Set([
  'CreateSecret',
  'AddSecretVersion',
  'DeleteSecret',
  'UpdateSecret',
  'DisableSecretVersion',
  'EnableSecretVersion',
  'DestroySecretVersion',
]);
const writes = calls.filter((c) => WRITE_METHODS.has(c.method));
const admitted = writes.filter((c) => c.code !== 'RESOURCE_EXHAUSTED');
const refused = writes.length - admitted.length;
const perMethod = new Map<string, number>();
for (const c of calls) perMethod.set(c.method, (perMethod.get(c.method) ?? 0) + 1);
const floorMs = (Math.ceil(admitted.length / QUOTA) - 1) * MINUTE_MS;
const firstWrite = admitted[0]?.at ?? 0;
const lastWrite = admitted.at(-1)?.at ?? 0;

emulator.faults.latency(0);
const check = new StemeClient({ baseUrl: emulator.url, apiKey: ROOT_KEY, retry: false });
const { keys } = await check.admin.listApiKeys();
await check.close();
const live = keys.filter((k) => k.label.startsWith('project-quota-') && k.revoked_at === null);
const converged = live.length === PROJECTS && new Set(live.map((k) => k.label)).size === PROJECTS;
await sm.close();
await emulator.close();
rmSync(work, { recursive: true, force: true });

const ratio = wallMs / floorMs;
const s = (ms: number) => (ms / 1000).toFixed(1);
const lines = [
  `machine: ${cpus()[0]?.model.trim() ?? 'unknown'}, ${availableParallelism()} cores, node ${process.version}`,
  `uptime at start: ${uptimeStart}`,
  `uptime at end:   ${uptime()}`,
  `${PROJECTS} projects; quota ${QUOTA} writes a minute (sliding); StemeDB +${STEMEDB_LATENCY} ms, Secret Manager +${SM_LATENCY} ms; provision --concurrency ${CONCURRENCY}, default write limit`,
  `calls: ${[...perMethod].map(([m, n]) => `${m} ${n}`).join(', ')}`,
  `writes admitted: ${admitted.length}, refused (RESOURCE_EXHAUSTED): ${refused}`,
  `the quota's floor for ${admitted.length} writes: ${s(floorMs)} s`,
  `provision wall: ${s(wallMs)} s (first to last write ${s(lastWrite - firstWrite)} s); summary ${summary.created} created, ${summary.failed} failed`,
  `ratio to the floor: ${ratio.toFixed(3)} (target ≤ ${TARGET_RATIO}: ${ratio <= TARGET_RATIO ? 'met' : 'MISSED'})`,
  `converged: ${converged ? 'yes' : 'NO'}, exactly one live key for each of the ${PROJECTS} labels`,
];
process.stdout.write(`${lines.join('\n')}\n`);
