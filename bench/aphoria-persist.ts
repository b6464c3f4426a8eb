// Issue 7 §7: persisting a 100,000-finding scan to the emulator (in memory, and with
// --data-dir), side by side with raw undici.request posting the same bodies at the same
// concurrency, and flushing a 100,000-record spool. Targets: persist ≥ 0.90× raw, peak RSS of
// the persisting process under 200 MB, flush ≥ 0.90× persist. Not a test (no pass/fail exit).
//
//   pnpm build && pnpm exec tsx bench/aphoria-persist.ts
//   pnpm exec tsx bench/aphoria-persist.ts --findings 20000 --rounds 1 --targets memory
//
// Method (as the main bench's): the emulator runs in a process of its own, restarted (on a
// fresh data directory) for every measurement; every measurement forks a fresh client process
// running compiled JavaScript, so its peak RSS (`process.resourceUsage().maxRSS`) is its own.
// Rounds interleave the clients in an order rotated by the round (within a target, so that
// the clients a ratio compares run back to back); figures are medians over rounds, ratios
// medians of per-round ratios. The flush's spool is written beforehand by its
// own process (persistScan against a closed port), so only the flush is timed.

import { type ChildProcess, fork } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import type { ChildMessage, ChildSpec, Role } from './aphoria-persist-child.js';
import { describeMachine, machineLine } from './machine.js';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const BUILD_DIR = `${BENCH_DIR}results/.build-aphoria/`;
const RESULTS_DIR = `${BENCH_DIR}results/`;
const CLIENTS = ['raw', 'persist', 'sarif', 'flush'] as const;
type Client = (typeof CLIENTS)[number];
const TARGETS = ['memory', 'data-dir'] as const;
type TargetName = (typeof TARGETS)[number];
const TARGET_RATIO = 0.9;
const TARGET_RSS_MB = 200;

const { values } = parseArgs({
  options: {
    findings: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    targets: { type: 'string', default: TARGETS.join(',') },
    clients: { type: 'string', default: CLIENTS.join(',') },
    profile: { type: 'boolean', default: false },
    // Diagnostic: the emulator ignores Idempotency-Key (persist sends one with every write, raw
    // undici none), to see how much of the gap is the server's work for it.
    'no-server-idempotency': { type: 'boolean', default: false },
    // persist as runs 1-11 measured it: persistScan of the scan built in memory before the timer.
    'persist-from-memory': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(
    'usage: tsx bench/aphoria-persist.ts [--findings N] [--concurrency C] [--rounds R] [--targets memory,data-dir] [--clients raw,persist,sarif,flush] [--profile] [--no-server-idempotency] [--persist-from-memory]\n',
  );
  process.exit(0);
}
const FINDINGS = Number(values.findings);
const CONCURRENCY = Number(values.concurrency);
const ROUNDS = Number(values.rounds);
const targets = values.targets.split(',') as TargetName[];
for (const t of targets) if (!TARGETS.includes(t)) throw new Error(`unknown target ${t}`);
// A subset of the clients, for a shorter run (a ratio needs its denominator's client too).
const clients = values.clients.split(',') as Client[];
for (const c of clients) if (!CLIENTS.includes(c)) throw new Error(`unknown client ${c}`);

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function compile(): Promise<void> {
  await rm(BUILD_DIR, { recursive: true, force: true });
  await build({
    entryPoints: [`${BENCH_DIR}aphoria-persist-child.ts`],
    outdir: BUILD_DIR,
    bundle: true,
    packages: 'external', // the packages' built dist/, as users get them
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  });
}

const PROFILE_DIR = `${RESULTS_DIR}profiles/`;

/** Forks a child; `profileName` runs it under `--cpu-prof` (see bench/profile.ts). */
function forkChild(spec: ChildSpec, profileName?: string): ChildProcess {
  const execArgv = profileName
    ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${profileName}.cpuprofile`]
    : [];
  return fork(`${BUILD_DIR}aphoria-persist-child.js`, [JSON.stringify(spec)], {
    execArgv,
    stdio: ['ignore', 2, 2, 'ipc'],
  });
}

function firstMessage(child: ChildProcess): Promise<ChildMessage> {
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as ChildMessage));
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before answering`)));
  });
}

async function runChild(spec: ChildSpec, profileName?: string) {
  const message = await firstMessage(forkChild(spec, profileName));
  if (message.type !== 'result') {
    throw new Error(`${spec.role}: ${message.type === 'error' ? message.message : message.type}`);
  }
  return message;
}

async function withServer<T>(
  target: TargetName,
  run: (url: string, apiKey: string) => Promise<T>,
): Promise<T & { serverCpuUs: number; fsyncs: WalFsyncs }> {
  const spec = {
    role: 'server' as Role,
    findings: 0,
    concurrency: 0,
    dataDir: target === 'data-dir',
    idempotency: !values['no-server-idempotency'],
  };
  const child = forkChild(spec);
  try {
    const ready = await firstMessage(child);
    if (ready.type !== 'ready') throw new Error(`server: ${JSON.stringify(ready)}`);
    const result = await run(ready.url, ready.apiKey);
    child.send({ type: 'cpu?' });
    const cpu = await firstMessage(child);
    if (cpu.type !== 'server-cpu') throw new Error(`server: ${JSON.stringify(cpu)}`);
    // After the CPU reading, so that this scrape is not charged to the client.
    return { ...result, serverCpuUs: cpu.cpuUs, fsyncs: await walFsyncs(ready.url) };
  } finally {
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.disconnect();
    });
  }
}

/** The emulator's data-directory writes (each one write and one fsync) so far. */
interface WalFsyncs {
  count: number;
  seconds: number;
}

/**
 * Read from the emulator's `stemedb_wal_fsync_latency_seconds` histogram. The emulator groups
 * the writes that arrive while one is in flight into one fsync, so assertions per fsync says how
 * well a client's requests batch on the server's disk, and the mean fsync time how busy the
 * disk is (zero counts in memory).
 */
async function walFsyncs(url: string): Promise<WalFsyncs> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line === undefined ? 0 : Number(line.slice(name.length + 1));
  };
  return {
    count: value('stemedb_wal_fsync_latency_seconds_count'),
    seconds: value('stemedb_wal_fsync_latency_seconds_sum'),
  };
}

interface Sample {
  round: number;
  target: TargetName;
  client: Client;
  perSecond: number;
  cpuUsPerAssertion: number;
  /** The emulator's CPU over the measurement (from its start), per assertion. */
  serverCpuUsPerAssertion: number;
  maxRssMb: number;
  ms: number;
  /** The emulator's data-directory fsyncs over the measurement (0 in memory). */
  serverFsyncs: number;
  /** Their mean duration, ms. */
  serverFsyncMs: number;
}

async function measure(round: number, target: TargetName, client: Client): Promise<Sample> {
  const base = { findings: FINDINGS, concurrency: CONCURRENCY };
  let spoolDir: string | undefined;
  let sarifPath: string | undefined;
  let scanPath: string | undefined;
  try {
    if (client === 'persist' && !values['persist-from-memory']) {
      // Written by a process of its own: the timed one reads it from disk, as the CLI does.
      spoolDir = await mkdtemp(join(tmpdir(), 'aphoria-bench-scan-'));
      scanPath = join(spoolDir, 'scan.json');
      await runChild({ ...base, role: 'scan-file', scanPath });
    }
    if (client === 'sarif') {
      // Written by a process of its own: the timed one reads it from disk, as the CLI does.
      spoolDir = await mkdtemp(join(tmpdir(), 'aphoria-bench-sarif-'));
      sarifPath = join(spoolDir, 'results.sarif');
      await runChild({ ...base, role: 'sarif-log', sarifPath });
    }
    if (client === 'flush') {
      spoolDir = await mkdtemp(join(tmpdir(), 'aphoria-bench-flush-'));
      await runChild({ ...base, role: 'spool', spoolDir, apiKey: `steme_live_${'0'.repeat(48)}` });
    }
    const profileName = values.profile ? `aphoria-${target}-${client}-r${round + 1}` : undefined;
    const r = await withServer(target, (url, apiKey) =>
      runChild(
        {
          ...base,
          role: client,
          url,
          apiKey,
          ...(spoolDir && client === 'flush' ? { spoolDir } : {}),
          ...(sarifPath ? { sarifPath } : {}),
          ...(scanPath ? { scanPath } : {}),
          ...(client === 'persist' && values['persist-from-memory']
            ? { persistFromMemory: true }
            : {}),
        },
        profileName,
      ),
    );
    return {
      round,
      target,
      client,
      perSecond: (r.assertions * 1000) / r.ms,
      cpuUsPerAssertion: r.cpuUs / r.assertions,
      serverCpuUsPerAssertion: r.serverCpuUs / r.assertions,
      maxRssMb: r.maxRssKb / 1024,
      ms: r.ms,
      serverFsyncs: r.fsyncs.count,
      serverFsyncMs: r.fsyncs.count > 0 ? (r.fsyncs.seconds * 1000) / r.fsyncs.count : 0,
    };
  } finally {
    if (spoolDir) await rm(spoolDir, { recursive: true, force: true });
  }
}

/** readSarifFile alone, once, of a log written by a process of its own. */
async function readSarifAlone() {
  const dir = await mkdtemp(join(tmpdir(), 'aphoria-bench-sarif-read-'));
  const sarifPath = join(dir, 'results.sarif');
  const base = { findings: FINDINGS, concurrency: 0, sarifPath };
  try {
    await runChild({ ...base, role: 'sarif-log' });
    return await runChild({ ...base, role: 'sarif-read' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function ratio(samples: Sample[], target: TargetName, client: Client, over: Client) {
  const per: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const of = (c: Client) =>
      samples.find((s) => s.round === round && s.target === target && s.client === c);
    const a = of(client);
    const b = of(over);
    if (a && b) per.push(a.perSecond / b.perSecond);
  }
  return per.length > 0 ? median(per) : Number.NaN;
}

async function main(): Promise<void> {
  const machine = describeMachine();
  log(`aphoria-persist: ${machineLine(machine)}`);
  await compile();
  const baseline = await runChild({ role: 'baseline', findings: FINDINGS, concurrency: 0 });
  const sarifRead = clients.includes('sarif') ? await readSarifAlone() : undefined;
  const samples: Sample[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // The clients a ratio compares run back to back (one measurement takes 15-60 s here, and
    // the load other work puts on the machine moves over minutes); their order rotates within
    // a target, and the targets alternate, from round to round.
    const ts = round % 2 === 0 ? targets : [...targets].reverse();
    const order = ts.flatMap((target) =>
      clients.map((_, i) => ({ target, client: clients[(i + round) % clients.length]! })),
    );
    for (const { target, client } of order) {
      const s = await measure(round, target, client);
      samples.push(s);
      log(
        `[round ${round + 1}/${ROUNDS}] ${target} ${client}: ${s.perSecond.toFixed(0)} assertions/s, ` +
          `${(s.ms / 1000).toFixed(1)} s, cpu ${s.cpuUsPerAssertion.toFixed(0)} µs/assertion (server ${s.serverCpuUsPerAssertion.toFixed(0)}), rss ${s.maxRssMb.toFixed(1)} MiB` +
          (s.serverFsyncs > 0
            ? `, server fsyncs ${s.serverFsyncs} (${((FINDINGS + 1) / s.serverFsyncs).toFixed(1)} assertions each, ${s.serverFsyncMs.toFixed(2)} ms mean)`
            : ''),
      );
    }
  }
  machine.loadEnd = loadavg()[0]!;

  const out = [
    `### aphoria-persist, ${new Date().toISOString()}`,
    '',
    machineLine(machine),
    '',
    `Command: \`${['tsx bench/aphoria-persist.ts', ...process.argv.slice(2)].join(' ')}\`; ` +
      `${(FINDINGS + 1).toLocaleString('en')} assertions per measurement, concurrency ${CONCURRENCY}, ${ROUNDS} rounds.`,
    '',
    '| emulator | client | assertions/s | ratio | CPU µs/assertion | server CPU µs/assertion | assertions/server fsync | server fsync ms | peak RSS MiB | seconds | rounds |',
    '| -------- | ------ | -----------: | ----: | ---------------: | ----------------------: | ----------------------: | --------------: | -----------: | ------: | -----: |',
  ];
  const misses: string[] = [];
  for (const target of targets) {
    for (const client of clients) {
      const mine = samples.filter((s) => s.target === target && s.client === client);
      const over: Client | undefined =
        client === 'persist'
          ? 'raw'
          : client === 'flush' || client === 'sarif'
            ? 'persist'
            : undefined;
      const r = over ? ratio(samples, target, client, over) : 1;
      const rss = median(mine.map((s) => s.maxRssMb));
      out.push(
        `| ${target} | ${client} | ${median(mine.map((s) => s.perSecond)).toFixed(0)} | ` +
          `${r.toFixed(2)}× ${over ?? 'raw'} | ${median(mine.map((s) => s.cpuUsPerAssertion)).toFixed(0)} | ` +
          `${median(mine.map((s) => s.serverCpuUsPerAssertion)).toFixed(0)} | ` +
          (target === 'data-dir'
            ? `${median(mine.map((s) => (FINDINGS + 1) / s.serverFsyncs)).toFixed(1)} | ${median(mine.map((s) => s.serverFsyncMs)).toFixed(2)} | `
            : '— | — | ') +
          `${rss.toFixed(1)} | ${median(mine.map((s) => s.ms / 1000)).toFixed(1)} | ${mine.length} |`,
      );
      // The SARIF path is reported beside native persist, not held to its targets (no target
      // was set for it): validating and mapping a log is work a native scan does not need.
      if (over && client !== 'sarif' && r < TARGET_RATIO)
        misses.push(`${target} ${client}: ${r.toFixed(2)}× ${over} (target ≥ ${TARGET_RATIO})`);
      const maxRss = Math.max(...mine.map((s) => s.maxRssMb));
      if (client !== 'raw' && client !== 'sarif' && maxRss * 1.048576 >= TARGET_RSS_MB) {
        misses.push(
          `${target} ${client}: peak RSS ${maxRss.toFixed(1)} MiB (target < ${TARGET_RSS_MB} MB)`,
        );
      }
    }
  }
  out.push(
    '',
    `A process that only builds the scan peaks at ${(baseline.maxRssKb / 1024).toFixed(1)} MiB; ` +
      (sarifRead === undefined
        ? '(SARIF not run).'
        : `one that only reads the same findings as a SARIF log (\`readSarifFile\`) peaks at ` +
          `${(sarifRead.maxRssKb / 1024).toFixed(1)} MiB, in ${(sarifRead.ms / 1000).toFixed(1)} s ` +
          `(${((FINDINGS * 1000) / sarifRead.ms).toFixed(0)} results/s).`),
    '',
    `Targets: ${misses.length === 0 ? 'met.' : `missed:\n\n- ${misses.join('\n- ')}`}`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
  await mkdir(RESULTS_DIR, { recursive: true });
  const path = `${RESULTS_DIR}aphoria-persist-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  await writeFile(
    path,
    JSON.stringify({ machine, options: values, baseline, sarifRead, samples }, null, 2),
  );
  log(`aphoria-persist: wrote ${path}`);
}

await main().catch((error: unknown) => {
  log(`aphoria-persist: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
