/**
 * Test support for the Phase 2 gate: the real servers. Debian's `prometheus` and
 * `prometheus-alertmanager` on free loopback ports (temp dirs), the emulator's CLI as a
 * process that a test can kill for real and start again on the same port, and the bundle's
 * alert rules from the manifests render with every `for:` cut to a few seconds.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBundle } from '../../../manifests/src/bundle.js';
import { prometheusRuleGroups } from '../../../manifests/src/output/prometheus-rules.js';

export const PROMETHEUS = process.env.PROMETHEUS ?? 'prometheus';
export const ALERTMANAGER = process.env.ALERTMANAGER ?? 'prometheus-alertmanager';
export const RCLONE = process.env.RCLONE ?? 'rclone';
const EMULATOR_BIN = fileURLToPath(
  new URL('../../../emulator/bin/stemedb-emulator.js', import.meta.url),
);

/** The binaries the tests need that are not on PATH (empty: all there). */
export function missingBinaries(): string[] {
  return [PROMETHEUS, ALERTMANAGER, RCLONE].filter(
    (bin) => spawnSync(bin, ['--version'], { stdio: 'ignore' }).status !== 0,
  );
}

/** The `for:` every rule gets in the tests, instead of minutes. */
export const TEST_FOR = '3s';

/** The alert rule groups of the bundle (`render --format prometheus-rules`), `for:` cut. */
export function testRuleGroups(): { name: string; rules: { alert: string; for?: string }[] }[] {
  const bundle = buildBundle({ ingress: { host: 'stemedb.threesix.ai' }, image: { tag: '0.9.0' } });
  return prometheusRuleGroups(bundle).map((g) => ({
    ...g,
    rules: g.rules.map((r) => (r.for === undefined ? r : { ...r, for: TEST_FOR })),
  }));
}

/** A free loopback port (bound, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Polls `url` until it answers 200, or throws after `ms`. */
export async function waitReady(url: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready after ${ms} ms`);
}

/** A server process with its temp dir. */
export interface Proc {
  url: string;
  port: number;
  child: ChildProcess;
  close(): Promise<void>;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

function launch(
  bin: string,
  args: string[],
  dir: string,
  port: number,
  ready: string,
): Promise<Proc> {
  const child = spawn(bin, args, { cwd: dir, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const proc: Proc = {
    url,
    port,
    child,
    async close() {
      await stop(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return waitReady(`${url}${ready}`).then(
    () => proc,
    async (error) => {
      await proc.close();
      throw error;
    },
  );
}

/** Alertmanager on a free port, routing everything to a receiver that sends nothing. */
export async function startAlertmanager(): Promise<Proc> {
  const dir = mkdtempSync(join(tmpdir(), 'stemedb-am-'));
  const port = await freePort();
  // JSON is YAML: no YAML library needed for the configs.
  writeFileSync(
    join(dir, 'am.yml'),
    JSON.stringify({ route: { receiver: 'none' }, receivers: [{ name: 'none' }] }),
  );
  return launch(
    ALERTMANAGER,
    [
      '--config.file=am.yml',
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    dir,
    port,
    '/-/ready',
  );
}

/** What the test Prometheus scrapes and loads. */
export interface PrometheusSetup {
  /** host:port of StemeDB's /metrics. */
  target: string;
  groups: unknown[];
  alertmanager?: string | undefined;
  /** More scrape jobs (e.g. a stand-in for longhorn-manager's metrics). */
  more?: { job: string; target: string }[];
}

/**
 * Prometheus on a free port, scraping `target` every second as job `stemedb-api` with the
 * `namespace: stemedb` label (what the ServiceMonitor's relabelling gives in a cluster).
 */
export async function startPrometheus(setup: PrometheusSetup): Promise<Proc> {
  const dir = mkdtempSync(join(tmpdir(), 'stemedb-prom-'));
  const port = await freePort();
  writeFileSync(join(dir, 'rules.yml'), JSON.stringify({ groups: setup.groups }));
  writeFileSync(
    join(dir, 'prometheus.yml'),
    JSON.stringify({
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      rule_files: [join(dir, 'rules.yml')],
      ...(setup.alertmanager && {
        alerting: { alertmanagers: [{ static_configs: [{ targets: [setup.alertmanager] }] }] },
      }),
      scrape_configs: [
        {
          job_name: 'stemedb-api',
          static_configs: [{ targets: [setup.target], labels: { namespace: 'stemedb' } }],
        },
        ...(setup.more ?? []).map((m) => ({
          job_name: m.job,
          static_configs: [{ targets: [m.target] }],
        })),
      ],
    }),
  );
  return launch(
    PROMETHEUS,
    [
      '--config.file=prometheus.yml',
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    dir,
    port,
    '/-/ready',
  );
}

/** The emulator's CLI as a process on a fixed port, killed for real and started again. */
export interface EmulatorProcess {
  url: string;
  port: number;
  rootKey: string;
  /** SIGKILL, as a node losing the pod. */
  kill(): Promise<void>;
  /** Starts it again on the same port; resolves when it serves. */
  start(): Promise<void>;
  kills: number;
  starts: number;
  running(): boolean;
  close(): Promise<void>;
}

export async function startEmulatorProcess(): Promise<EmulatorProcess> {
  const port = await freePort();
  const rootKey = `steme_live_${randomBytes(24).toString('hex')}`;
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const proc: EmulatorProcess = {
    url,
    port,
    rootKey,
    kills: 0,
    starts: 0,
    running: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    async kill() {
      if (child) await stop(child);
      proc.kills += 1;
    },
    async start() {
      child = spawn(process.execPath, [EMULATOR_BIN, '--port', String(port)], {
        stdio: 'ignore',
        env: { ...process.env, STEMEDB_ROOT_API_KEY: rootKey },
      });
      proc.starts += 1;
      await waitReady(`${url}/v1/health`);
    },
    async close() {
      if (child) await stop(child);
    },
  };
  await proc.start();
  proc.starts = 0;
  return proc;
}

/**
 * Waits until Prometheus has scraped job stemedb-api with `up == value` and evaluated its rules
 * since (targets appear some seconds after Prometheus is ready: discovery is batched).
 */
export async function waitScraped(prometheusUrl: string, value: 0 | 1, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  const query = encodeURIComponent(`up{job="stemedb-api"} == ${value}`);
  while (Date.now() < deadline) {
    const body = (await fetch(`${prometheusUrl}/api/v1/query?query=${query}`).then(
      (r) => r.json(),
      () => undefined,
    )) as { data?: { result?: unknown[] } } | undefined;
    if ((body?.data?.result?.length ?? 0) > 0) {
      // One more evaluation interval (1 s), so the rules have seen it.
      await new Promise((r) => setTimeout(r, 1500));
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${prometheusUrl}: no up == ${value} for job stemedb-api in ${ms} ms`);
}
