/**
 * The whole system on one machine, in one command (`pnpm demo`), on the embedded default: the
 * StemeDB emulator in-process (auth on, data in a temporary directory), the local file secret
 * store, and the Kubernetes bundle written to `./out/k8s`. In order:
 *
 * 1. bootstrap a root key into the file store and start StemeDB with it;
 * 2. provision a key per project of `examples/projects.txt`: the plan, the run, a re-run;
 * 3. the gate checks of Phase 1 (with a restart) and Phase 3, then Phase 2 against a local
 *    Prometheus (the kill test, a backup) when `prometheus` and `rclone` are on PATH;
 * 4. onboard two projects and persist an Aphoria scan for each;
 * 5. a deploy (a 503 window) mid-scan, ridden out; a long outage: spooled, flushed, read back;
 * 6. the risk register's disaster (a fresh data volume: every key dead), the gate failing, one
 *    provision run repairing it, the gate passing;
 * 7. the Kubernetes bundle rendered, validated, written, and the apply command;
 * 8. a summary.
 *
 * Nothing secret is printed: keys appear as their hash prefix. `STEMEDB_DEMO_DIR` puts the
 * temporary files and `out/k8s` there instead (the test does).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFileSecretStore, readProjectsFile } from '@stemedb/admin';
import { computeScanId, type HostedConfig } from '@stemedb/aphoria-client';
import { buildBundle, parseConfig, validate, writeKustomizeDir } from '@stemedb/manifests';
import { bootstrapRootKey, checkRootKey, provisionProjects, runGate } from './demo/admin-steps.js';
import { flush, onboardProject, persist, readBack } from './demo/aphoria-steps.js';
import {
  type Monitoring,
  phase2Missing,
  runPhase2Demo,
  startMonitoring,
} from './demo/monitoring.js';
import { say, step, summary } from './demo/output.js';
import { sampleScan } from './demo/sample-scan.js';
import { type DemoServer, startDemoServer } from './demo/server.js';

const PROJECTS_FILE = fileURLToPath(new URL('projects.txt', import.meta.url));

async function main(): Promise<void> {
  const base = process.env.STEMEDB_DEMO_DIR || process.cwd();
  const work = await mkdtemp(join(process.env.STEMEDB_DEMO_DIR || tmpdir(), 'stemedb-demo-'));
  const store = createFileSecretStore({ path: join(work, 'secrets.json') });
  let server: DemoServer | undefined;
  let starting: Promise<Monitoring> | undefined;
  try {
    const dataDir = join(work, 'data');
    let rootKey = '';
    await step('Bootstrap the root key, start StemeDB with it', async () => {
      rootKey = await bootstrapRootKey(store);
      server = await startDemoServer(rootKey, dataDir);
      say(`StemeDB emulator at ${server.url} (auth on, data in ${relative(base, dataDir)})`);
      await checkRootKey(store, server.url);
      return 'root key stored and accepted';
    });
    const s = server!;
    const projects = await readProjectsFile(PROJECTS_FILE);

    await step(`Provision ${projects.length} projects, then re-run`, async () => {
      const done = await provisionProjects(store, s.url, rootKey, projects, { showPlan: true });
      say('re-run (nothing to do):');
      const again = await provisionProjects(store, s.url, rootKey, projects, { showPlan: false });
      return `${done}; re-run: ${again}`;
    });

    // Phase 2's Prometheus starts now, so that its first scrapes are done when its turn comes.
    const missing = phase2Missing();
    if (missing === undefined) {
      starting = startMonitoring(s.url);
      starting.catch(() => undefined); // Awaited (and reported) in the Phase 2 step.
    }

    await step('Gate checks (Phase 1 with a pod restart, Phase 3)', async () => {
      const failed = await runGate(s.url, rootKey, 'all', () => s.restart(dataDir));
      if (failed.length > 0) throw new Error(`gate failed: ${failed.join(', ')}`);
      return 'every check passed';
    });

    const monitoring = starting;
    if (monitoring === undefined) {
      say(`\nGate Phase 2 skipped: ${missing} (apt-get install prometheus rclone)`);
    } else {
      await step('Gate Phase 2 (Prometheus alerts, the kill test, a backup)', async () => {
        const failed = await runPhase2Demo(
          {
            url: s.url,
            rootKey,
            dataDir,
            stop: () => s.stop(),
            start: () => s.start(dataDir),
          },
          await monitoring,
        );
        if (failed.length > 0) throw new Error(`gate phase2 failed: ${failed.join(', ')}`);
        return 'the alert fired on the kill and resolved; the backup is fresh';
      });
    }

    const [first, second] = projects as [string, string];
    const configs = new Map<string, HostedConfig>();
    await step('Onboard two projects, persist a scan for each', async () => {
      for (const project of [first, second]) {
        const dir = join(work, project);
        const print = project === first;
        configs.set(project, await onboardProject(store, s.url, project, dir, { print }));
      }
      await persist(sampleScan(first, 'c1', 40), configs.get(first)!);
      await persist(sampleScan(second, 'c1', 25), configs.get(second)!);
      return `2 scans persisted (${first}, ${second})`;
    });

    await step('A deploy mid-scan, then a long outage', async () => {
      const deploy = sampleScan(first, 'c2', 150);
      // Shorter than the first retry's 2 s wait: one retry rides it out.
      const outage = { emulator: s.emulator, after: 50, ms: 1500 };
      const ridden = await persist(deploy, configs.get(first)!, { outage });
      if (ridden.spooled > 0) throw new Error('the deploy was not ridden out');
      const long = sampleScan(second, 'c2', 120);
      say('outage: StemeDB answers 503 for a minute; the run gives up at its 4 s deadline');
      s.emulator.faults.outage({ ms: 60_000, mode: 503 });
      // `--timeout 4s`: a CI job's own deadline, so the demo need not wait out 2/4/8 s.
      const spooled = await persist(long, configs.get(second)!, { timeoutMs: 4000 });
      if (spooled.spooled === 0) throw new Error('the outage spooled nothing');
      say('StemeDB is back');
      s.emulator.faults.clear();
      await flush(configs.get(second)!);
      await readBack(configs.get(second)!, long, computeScanId(long));
      return `deploy ridden out; ${spooled.spooled} spooled, then flushed, each once`;
    });

    await step("The risk register's disaster: a fresh data volume", async () => {
      say('StemeDB restarts on an empty volume: every stored project key is now dead');
      const fresh = join(work, 'data-fresh');
      const failed = await runGate(s.url, rootKey, 'phase1', () => s.restart(fresh));
      say(`gate: ${failed.length > 0 ? `FAILS ${failed.join(', ')}` : 'passes (unexpected)'}`);
      if (failed.length === 0) throw new Error('the gate did not see the lost keys');
      say('repair: one provision run');
      const repaired = await provisionProjects(store, s.url, rootKey, projects, {
        showPlan: false,
      });
      const after = await runGate(s.url, rootKey, 'phase1', () => s.restart(fresh));
      if (after.length > 0) throw new Error(`gate still fails: ${after.join(', ')}`);
      say('gate: every check passes again');
      return `gate failed (${failed.join(', ')}), ${repaired}, gate passes`;
    });
  } finally {
    await (await starting?.catch(() => undefined))?.close();
    await server?.close();
    await store.close();
    await rm(work, { recursive: true, force: true });
  }

  await step('Render and validate the Kubernetes bundle', async () => {
    const out = join(base, 'out', 'k8s');
    await mkdir(out, { recursive: true });
    const config = parseConfig({
      ingress: { host: 'stemedb.threesix.ai' },
      image: { tag: '0.9.0' },
    });
    const objects = buildBundle(config);
    const report = validate(objects);
    if (!report.ok) throw new Error(`the bundle has ${report.errors} errors`);
    const { files } = await writeKustomizeDir(objects, out);
    say(`${objects.length} objects, ${report.errors} errors, ${report.warnings} warnings`);
    say(`wrote ${files.length} files to ${relative(process.cwd(), out) || out}`);
    say(`apply: kubectl apply -k ${relative(process.cwd(), out) || out}`);
    return `${objects.length} objects, 0 errors`;
  });

  summary();
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
