/**
 * The demo's Phase 2: Debian's `prometheus` (and `prometheus-alertmanager` when it is there) on
 * free loopback ports, scraping the demo's StemeDB with the bundle's alert rules (`for:` cut to
 * 2 s so the kill test takes seconds), and a backup of the data directory copied into a local
 * directory that rclone lists as the remote. Skipped, in one line, without the binaries.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GateCheck, gate } from '@stemedb/admin';
import { buildBundle, prometheusRuleGroups } from '@stemedb/manifests';
import { say, table } from './output.js';

const onPath = (bin: string) => spawnSync(bin, ['--version'], { stdio: 'ignore' }).status === 0;

/** Why Phase 2 cannot run here, or undefined when it can. */
export function phase2Missing(): string | undefined {
  const missing = ['prometheus', 'rclone'].filter((bin) => !onPath(bin));
  return missing.length > 0 ? `not on PATH: ${missing.join(', ')}` : undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitReady(url: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready in 20 s`);
}

/** What the demo's Phase 2 needs of its StemeDB. */
export interface Phase2Server {
  url: string;
  rootKey: string;
  dataDir: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** The local Prometheus (and Alertmanager), started ahead so their first scrapes are done. */
export interface Monitoring {
  prometheusUrl: string;
  alertmanagerUrl: string | undefined;
  dir: string;
  close(): Promise<void>;
}

/** Starts Prometheus (and Alertmanager when on PATH) scraping StemeDB at `stemedbUrl`. */
export async function startMonitoring(stemedbUrl: string): Promise<Monitoring> {
  const dir = await mkdtemp(join(tmpdir(), 'stemedb-demo-prom-'));
  const children: ChildProcess[] = [];
  const close = async () => {
    for (const child of children) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  };
  const launch = async (bin: string, args: string[], port: number) => {
    children.push(spawn(bin, args, { cwd: dir, stdio: 'ignore' }));
    await waitReady(`http://127.0.0.1:${port}/-/ready`);
    return `http://127.0.0.1:${port}`;
  };
  try {
    const bundle = buildBundle({
      ingress: { host: 'stemedb.threesix.ai' },
      image: { tag: '0.9.0' },
    });
    const groups = prometheusRuleGroups(bundle).map((g) => ({
      ...g,
      rules: g.rules.map((r) => (r.for === undefined ? r : { ...r, for: '2s' })),
    }));
    let alertmanagerUrl: string | undefined;
    if (onPath('prometheus-alertmanager')) {
      const port = await freePort();
      // JSON is YAML: the configs need no YAML library.
      await writeFile(
        join(dir, 'am.yml'),
        JSON.stringify({ route: { receiver: 'none' }, receivers: [{ name: 'none' }] }),
      );
      alertmanagerUrl = await launch(
        'prometheus-alertmanager',
        [
          '--config.file=am.yml',
          '--storage.path=am',
          `--web.listen-address=127.0.0.1:${port}`,
          '--cluster.listen-address=',
        ],
        port,
      );
    }
    await writeFile(join(dir, 'rules.yml'), JSON.stringify({ groups }));
    await writeFile(
      join(dir, 'prometheus.yml'),
      JSON.stringify({
        global: { scrape_interval: '500ms', scrape_timeout: '500ms', evaluation_interval: '500ms' },
        rule_files: [join(dir, 'rules.yml')],
        ...(alertmanagerUrl && {
          alerting: {
            alertmanagers: [{ static_configs: [{ targets: [new URL(alertmanagerUrl).host] }] }],
          },
        }),
        // The namespace label is what the ServiceMonitor's target gets in the cluster.
        scrape_configs: [
          {
            job_name: 'stemedb-api',
            static_configs: [
              { targets: [new URL(stemedbUrl).host], labels: { namespace: 'stemedb' } },
            ],
          },
        ],
      }),
    );
    const port = await freePort();
    const prometheusUrl = await launch(
      'prometheus',
      [
        '--config.file=prometheus.yml',
        '--storage.tsdb.path=prom',
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      port,
    );
    return { prometheusUrl, alertmanagerUrl, dir, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Runs `gate phase2` against the local Prometheus; resolves with the failed checks' names. */
export async function runPhase2Demo(s: Phase2Server, m: Monitoring): Promise<string[]> {
  say(
    `prometheus at ${m.prometheusUrl}${m.alertmanagerUrl ? `, alertmanager at ${m.alertmanagerUrl}` : ''}; rules from the render, for: 2s`,
  );
  // A backup as the bundle's CronJob lays it out: the data directory under db/<UTC stamp>/.
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  await cp(s.dataDir, join(m.dir, 'remote', 'db', stamp), { recursive: true });
  // Let the first scrapes and rule evaluations land before the gate reads them.
  await waitUp(m.prometheusUrl);
  const result = await gate({
    url: s.url,
    adminKey: s.rootKey,
    phase: 'phase2',
    prometheusUrl: m.prometheusUrl,
    alertmanagerUrl: m.alertmanagerUrl,
    stop: s.stop,
    start: s.start,
    backupRemote: join(m.dir, 'remote'),
    killSlackMs: 10_000,
  });
  const rows = result.checks.map((c: GateCheck) => [
    c.phase,
    c.check,
    c.ok ? 'pass' : 'FAIL',
    c.detail,
  ]);
  for (const line of table([['phase', 'check', 'result', 'detail'], ...rows])) say(line);
  return result.checks.filter((c) => !c.ok).map((c) => c.check);
}

/** Waits until Prometheus has scraped the target and evaluated the rules once. */
async function waitUp(prometheusUrl: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  const query = `${prometheusUrl}/api/v1/query?query=${encodeURIComponent('up{job="stemedb-api"} == 1')}`;
  while (Date.now() < deadline) {
    const body = (await fetch(query).then(
      (r) => r.json(),
      () => undefined,
    )) as { data?: { result?: { metric: { __name__?: string } }[] } } | undefined;
    const rules = (await fetch(`${prometheusUrl}/api/v1/rules`).then(
      (r) => r.json(),
      () => undefined,
    )) as { data?: { groups?: { lastEvaluation?: string }[] } } | undefined;
    const evaluated =
      rules?.data?.groups?.every((g) => g.lastEvaluation && !g.lastEvaluation.startsWith('0001')) ??
      false;
    if ((body?.data?.result?.length ?? 0) > 0 && evaluated) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('Prometheus did not scrape StemeDB within 20 s');
}
