// Issue 8 §4: provisioning 1,000 projects with `stemedb-admin provision` against the emulator
// and a secret store, side by side in one run with a serial loop of the Phase 3 bash script's
// steps; then a re-run with nothing to do, and the `stemedb-admin --help` cold start.
//
//   pnpm -F @stemedb/sdk -F @stemedb/emulator -F @stemedb/admin build
//   pnpm exec tsx bench/admin-provision.ts [--projects 1000] [--concurrency 16]
//     [--store gcp|file] [--stemedb-latency-ms 20] [--sm-latency-ms 20] [--help-runs 10]
//     [--store-writes-per-minute 60000] [--reruns 1] [--skip-serial] [--cpu-prof-dir DIR]
//
// - Servers run in this process: the emulator (`startEmulator`, rate limit off) and, for
//   `--store gcp`, the local gRPC Secret Manager (`startSecretManagerEmulator` from
//   @stemedb/admin/testing), reached by the real @google-cloud/secret-manager client through
//   `--gcp-endpoint`. `--store file` uses the file store instead (no network on that side).
// - Round trips are injected, since loopback measures only CPU: the emulator's
//   `faults.latency(ms)` delays every response, the Secret Manager server delays every call.
//   The defaults (20 ms each) are a CI runner or an operator's machine in the same region as
//   the cluster and as Google's API front end, with connections kept open (undici's pool, one
//   gRPC channel): no new TLS handshake per call. Farther away, every figure below scales with
//   them (`--stemedb-latency-ms 50 --sm-latency-ms 50`).
// - `provision` is the built CLI in a child process (bin/stemedb-admin.js), as an operator runs
//   it: its process start, plan and JSON output are inside the time, and so are its run lease,
//   its preflight and its client-side write limit. The local Secret Manager here has no quota,
//   so the limit is set (`--store-writes-per-minute`, default 60,000 here) to what this server
//   takes, not to Secret Manager's 600 a minute: under that quota a first run is bound by the
//   quota whatever the program (the serial loop as much as provision), which is what
//   admin-provision-quota.ts measures.
// - The serial loop is the bash script's steps in this process with the same client libraries
//   and no process spawns: per project, create a key (POST /v1/admin/api-keys, no retries, as
//   curl) and create-or-add a secret version (the store's `writeVersion`: for a new secret, a
//   CreateSecret then an AddSecretVersion, as `gcloud secrets create --data-file` does), one
//   project after another. The real script also starts curl, jq and gcloud per project (gcloud
//   alone takes about a second to start), so the loop here is the script's floor: the
//   speed-up measured against it is the least the real script would see.
// - CPU: each child runs under /usr/bin/time (when there is one), and its user+sys CPU time is
//   reported beside the wall time: on a shared machine it moves much less with the load. So is
//   this process's own CPU meanwhile: the servers the child talks to, which run here (on the
//   machine's other core when it has two), so that what the bench itself adds is seen.
//   `--cpu-prof-dir DIR` writes a `node --cpu-prof` profile of each child there (read it with
//   bench/profile.ts); `--reruns N` repeats the re-run; `--skip-serial` leaves out the serial
//   loop (and with it the speed-up) while iterating on the re-run.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openSecretStore, projectKeySecret, type SecretStore } from '@stemedb/admin';
import { startEmulator } from '@stemedb/emulator';
import { StemeClient } from '@stemedb/sdk';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(REPO, 'packages/admin/bin/stemedb-admin.js');
const DIST = join(REPO, 'packages/admin/dist/cli.js');
const ROOT_KEY = `steme_live_${'cd'.repeat(24)}`;
const GCP_PROJECT = 'bench-project';
const TARGETS = { speedup: 10, rerunMs: 2000, helpMs: 300 };

const { values } = parseArgs({
  options: {
    projects: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '16' },
    store: { type: 'string', default: 'gcp' },
    'stemedb-latency-ms': { type: 'string', default: '20' },
    'sm-latency-ms': { type: 'string', default: '20' },
    'help-runs': { type: 'string', default: '10' },
    'store-writes-per-minute': { type: 'string', default: '60000' },
    reruns: { type: 'string', default: '1' },
    'skip-serial': { type: 'boolean', default: false },
    'cpu-prof-dir': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(
    'usage: tsx bench/admin-provision.ts [--projects N] [--concurrency N] [--store gcp|file]\n' +
      '  [--stemedb-latency-ms MS] [--sm-latency-ms MS] [--help-runs N]\n' +
      '  [--store-writes-per-minute N] [--reruns N] [--skip-serial] [--cpu-prof-dir DIR]\n',
  );
  process.exit(0);
}
const PROJECTS = Number(values.projects);
const CONCURRENCY = Number(values.concurrency);
const STEMEDB_LATENCY = Number(values['stemedb-latency-ms']);
const SM_LATENCY = Number(values['sm-latency-ms']);
const HELP_RUNS = Number(values['help-runs']);
const WRITES_PER_MINUTE = values['store-writes-per-minute'];
const STORE = values.store;
const RERUNS = Number(values.reruns);
const SKIP_SERIAL = values['skip-serial'];
const CPU_PROF_DIR = values['cpu-prof-dir'];
// GNU time reports a child's CPU time; Node cannot (no rusage for a child).
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
if (STORE !== 'gcp' && STORE !== 'file') {
  process.stderr.write('--store must be gcp or file\n');
  process.exit(2);
}
if (!existsSync(DIST)) {
  process.stderr.write('packages/admin/dist is missing: run `pnpm -F @stemedb/admin build`\n');
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), 'stemedb-admin-bench-'));
const loadStart = loadavg();
const uptime = () => {
  try {
    return spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
  } catch {
    return '';
  }
};
const uptimeStart = uptime();
const log = (text: string) => process.stderr.write(`[bench] ${text}\n`);

interface SecretManagerLike {
  endpoint: string;
  calls?(): readonly { method: string }[];
  clearCalls?(): void;
  close(): Promise<void>;
}

/** The store side: a local Secret Manager and a spec for it, or a file. */
async function storeSide(): Promise<{
  spec: (name: string) => string;
  args: (name: string) => string[];
  open: (name: string) => Promise<SecretStore>;
  /** The store calls made since the last call of this, by method (empty for the file store). */
  calls: (name: string) => Map<string, number>;
  close: () => Promise<void>;
}> {
  if (STORE === 'file') {
    const spec = (name: string) => `file:${join(work, `${name}.json`)}`;
    return {
      spec,
      args: (name) => ['--store', spec(name)],
      open: (name) => openSecretStore(spec(name)),
      calls: () => new Map(),
      close: async () => {},
    };
  }
  // Typed by hand: the bench must typecheck before @stemedb/admin/testing exports it.
  const testing = (await import('@stemedb/admin/testing')) as unknown as {
    startSecretManagerEmulator?: (o: { latencyMs?: number }) => Promise<SecretManagerLike>;
  };
  if (testing.startSecretManagerEmulator === undefined) {
    process.stderr.write(
      '@stemedb/admin/testing has no startSecretManagerEmulator yet: use --store file\n',
    );
    process.exit(2);
  }
  // One Secret Manager per side, so that neither side's secrets slow the other's lists.
  const servers = new Map<string, SecretManagerLike>();
  const server = async (name: string) => {
    let s = servers.get(name);
    if (s === undefined) {
      s = await testing.startSecretManagerEmulator!({ latencyMs: SM_LATENCY });
      servers.set(name, s);
    }
    return s;
  };
  return {
    spec: () => `gcp:${GCP_PROJECT}`,
    args: (name) => [
      '--store',
      `gcp:${GCP_PROJECT}`,
      '--gcp-endpoint',
      servers.get(name)!.endpoint,
    ],
    open: async (name) =>
      openSecretStore(`gcp:${GCP_PROJECT}`, {
        gcpEndpoint: (await server(name)).endpoint,
        gcp: { writeLimit: { writes: 0 } },
      }),
    calls: (name) => {
      const counts = new Map<string, number>();
      const server = servers.get(name);
      for (const call of server?.calls?.() ?? []) {
        counts.set(call.method, (counts.get(call.method) ?? 0) + 1);
      }
      server?.clearCalls?.();
      return counts;
    },
    close: async () => {
      await Promise.all([...servers.values()].map((s) => s.close()));
    },
  };
}

const emulator = await startEmulator({ rootApiKey: ROOT_KEY, rateLimit: false });
emulator.faults.latency(STEMEDB_LATENCY);
const stores = await storeSide();
const names = (prefix: string) => Array.from({ length: PROJECTS }, (_, i) => `${prefix}-${i + 1}`);

// 1. The bash script's steps, one project after another.
let serialMs = Number.NaN;
if (!SKIP_SERIAL) {
  log(`serial loop: ${PROJECTS} projects`);
  const serialStore = await stores.open('serial');
  const admin = new StemeClient({ baseUrl: emulator.url, apiKey: ROOT_KEY, retry: false });
  const serialStarted = performance.now();
  for (const project of names('bash')) {
    const created = await admin.admin.createApiKey({
      label: `project-${project}`,
      role: 'write_agent',
    });
    await serialStore.writeVersion(projectKeySecret(project), created.key);
  }
  serialMs = performance.now() - serialStarted;
  await admin.close();
  await serialStore.close();
}

// 2. stemedb-admin provision, then the same run again with nothing to do.
const projectsFile = join(work, 'projects.txt');
writeFileSync(projectsFile, `${names('proj').join('\n')}\n`);
await stores.open('provision').then((s) => s.close()); // start its Secret Manager
const provisionArgs = [
  BIN,
  'provision',
  projectsFile,
  '--url',
  emulator.url,
  ...stores.args('provision'),
  '--concurrency',
  String(CONCURRENCY),
  '--store-writes-per-minute',
  WRITES_PER_MINUTE,
  '--json',
];
const env = { ...process.env, STEMEDB_ADMIN_KEY: ROOT_KEY, NO_COLOR: '1' };

/** Runs the CLI in a child; resolves with wall ms, CPU ms (user+sys) and the parsed summary. */
async function provisionOnce(label: string) {
  log(label);
  const { spawn } = await import('node:child_process');
  const nodeArgs = [
    ...(CPU_PROF_DIR === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', CPU_PROF_DIR]),
    ...provisionArgs,
  ];
  const timeFile = join(work, 'time.txt');
  const [command, args] =
    TIME === undefined
      ? [process.execPath, nodeArgs]
      : [TIME, ['-f', '%U %S', '-o', timeFile, process.execPath, ...nodeArgs]];
  const started = performance.now();
  // This process's CPU meanwhile: the servers the child talks to (the emulator, the local
  // Secret Manager), on the machine's other core when it has one.
  const serverCpu = process.cpuUsage();
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const ms = performance.now() - started;
  const servers = process.cpuUsage(serverCpu);
  const serverCpuMs = (servers.user + servers.system) / 1000;
  if (code !== 0) {
    process.stderr.write(`provision exited ${code}: ${stderr}\n`);
    process.exit(1);
  }
  const cpuMs =
    TIME === undefined
      ? Number.NaN
      : readFileSync(timeFile, 'utf8')
          .trim()
          .split(/\s+/)
          .reduce((sum, x) => sum + Number(x) * 1000, 0);
  const summary = JSON.parse(stdout).summary as {
    created: number;
    replaced: number;
    unchanged: number;
    revoked: number;
    failed: number;
  };
  return { ms, cpuMs, serverCpuMs, summary };
}
// The children must be async: the servers they talk to live in this process's event loop.
const first = await provisionOnce(`stemedb-admin provision: ${PROJECTS} projects`);
const reruns: Awaited<ReturnType<typeof provisionOnce>>[] = [];
for (let i = 0; i < RERUNS; i += 1) {
  stores.calls('provision'); // forget the calls before this run
  reruns.push(await provisionOnce('stemedb-admin provision again: nothing to do'));
}
// What the last re-run asked of the store, by method: its round trips.
const rerunCalls = [...stores.calls('provision')]
  .sort((a, b) => b[1] - a[1])
  .map(([method, n]) => `${method} ${n}`)
  .join(', ');
// The median re-run by wall time (the first with one re-run, as before).
const rerun = [...reruns].sort((a, b) => a.ms - b.ms)[Math.floor((RERUNS - 1) / 2)]!;

// The invariant, once: every project has exactly one live key.
const check = new StemeClient({ baseUrl: emulator.url, apiKey: ROOT_KEY, retry: false });
emulator.faults.latency(0);
const { keys } = await check.admin.listApiKeys();
await check.close();
const live = keys.filter((k) => k.label.startsWith('project-proj-') && k.revoked_at === null);
const converged = live.length === PROJECTS && new Set(live.map((k) => k.label)).size === PROJECTS;

await stores.close();
await emulator.close();

// 3. --help cold start, interleaved with `node -e 0`.
log('--help cold start');
const timeOnce = (args: string[]) => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
  return performance.now() - t0;
};
const help: number[] = [];
const bare: number[] = [];
timeOnce([BIN, '--help']);
for (let i = 0; i < HELP_RUNS; i += 1) {
  bare.push(timeOnce(['-e', '0']));
  help.push(timeOnce([BIN, '--help']));
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const helpMs = median(help);
const bareMs = median(bare);
rmSync(work, { recursive: true, force: true });

// Report.
const speedup = serialMs / first.ms;
const s = (ms: number) => (ms / 1000).toFixed(2);
const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
const storeName =
  STORE === 'gcp'
    ? `local gRPC Secret Manager (+${SM_LATENCY} ms per call)`
    : 'file store (local disk)';
const lines = [
  `machine: ${cpus()[0]?.model.trim() ?? 'unknown'}, ${availableParallelism()} cores, node ${process.version}, ${process.platform} ${process.arch}`,
  `load average (1/5/15 min): ${load(loadStart)} at start, ${load(loadavg())} at end`,
  `uptime at start: ${uptimeStart}`,
  `uptime at end:   ${uptime()}`,
  `${PROJECTS} projects; StemeDB: emulator (+${STEMEDB_LATENCY} ms per response, rate limit off); store: ${storeName}`,
  '',
  '| run | what | wall s | CPU s (user+sys) | bench servers CPU s | per project ms | summary |',
  '| --- | --- | ---: | ---: | ---: | ---: | --- |',
  ...(SKIP_SERIAL
    ? []
    : [
        `| serial loop (the bash script's steps) | create key, create-or-add version, one project at a time | ${s(serialMs)} | (in the bench process) | | ${(serialMs / PROJECTS).toFixed(1)} | ${PROJECTS} created |`,
      ]),
  `| stemedb-admin provision --concurrency ${CONCURRENCY} --store-writes-per-minute ${WRITES_PER_MINUTE} | CLI in a child process: lease, preflight, plan, then create, store, revoke | ${s(first.ms)} | ${s(first.cpuMs)} | ${s(first.serverCpuMs)} | ${(first.ms / PROJECTS).toFixed(1)} | ${first.summary.created} created, ${first.summary.failed} failed |`,
  ...reruns.map(
    (r, i) =>
      `| stemedb-admin provision again${RERUNS > 1 ? ` (${i + 1} of ${RERUNS})` : ''} | nothing to do: the key list once, one read per project | ${s(r.ms)} | ${s(r.cpuMs)} | ${s(r.serverCpuMs)} | ${(r.ms / PROJECTS).toFixed(1)} | ${r.summary.unchanged} unchanged, ${r.summary.created + r.summary.replaced + r.summary.revoked} changes |`,
  ),
  '',
  `| command | median ms (${HELP_RUNS} runs) |`,
  '| --- | ---: |',
  `| node -e 0 | ${bareMs.toFixed(0)} |`,
  `| stemedb-admin --help | ${helpMs.toFixed(0)} |`,
  '',
  SKIP_SERIAL
    ? 'speed-up over the serial loop: not measured (--skip-serial)'
    : `speed-up over the serial loop: ${speedup.toFixed(1)}× (target ≥ ${TARGETS.speedup}×: ${verdict(speedup >= TARGETS.speedup)})`,
  `re-run${RERUNS > 1 ? ` (median of ${RERUNS})` : ''}: ${s(rerun.ms)} s (target < ${TARGETS.rerunMs / 1000} s: ${verdict(rerun.ms < TARGETS.rerunMs)})`,
  `--help: ${helpMs.toFixed(0)} ms (target < ${TARGETS.helpMs} ms: ${verdict(helpMs < TARGETS.helpMs)})`,
  `the last re-run's store calls: ${rerunCalls === '' ? '(not recorded)' : rerunCalls}`,
  `converged: ${converged ? 'yes' : 'NO'}, exactly one live key for each of the ${PROJECTS} labels`,
];
process.stdout.write(`${lines.join('\n')}\n`);
