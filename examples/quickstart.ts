/**
 * Connect, write and read (the SDK on its own; the whole system is `demo.ts`): a StemeDB
 * emulator in-process, a project key made with the root key, assertions
 * written and read back, a 503 outage (a restarting pod behind Traefik) ridden out on the
 * SDK's default 2 s / 4 s / 8 s schedule, and the Kubernetes deployment that would run the real
 * server rendered, validated and written to a folder (`.stemedb-demo/manifests`, or
 * `$STEMEDB_DEMO_DIR/manifests`) that `kubectl kustomize` builds.
 *
 * Run it with `pnpm build && npx tsx examples/quickstart.ts`. Against a real StemeDB, pass its URL and an admin key instead:
 * `STEMEDB_URL=https://stemedb.<domain> STEMEDB_ADMIN_KEY=steme_live_… pnpm demo` (the outage
 * step then needs the emulator and is skipped).
 */
import { fileURLToPath } from 'node:url';
import { startEmulator } from '@stemedb/emulator';
import { buildBundle, parseConfig, validate, writeKustomizeDir } from '@stemedb/manifests';
import { isStemeError, StemeClient } from '@stemedb/sdk';

const log = (line: string) => console.log(line);

async function main(): Promise<void> {
  const emulator = process.env.STEMEDB_URL ? undefined : await startEmulator();
  const baseUrl = emulator?.url ?? process.env.STEMEDB_URL!;
  const adminKey = emulator?.rootApiKey ?? process.env.STEMEDB_ADMIN_KEY;
  log(`StemeDB at ${baseUrl}${emulator ? ' (emulator)' : ''}`);

  const root = new StemeClient({ baseUrl, apiKey: adminKey });
  try {
    const health = await root.health();
    log(`health: ${health.status ?? 'ok'}`);

    // One key per project, as the roadmap's Phase 3 provisioning does. The plaintext key is
    // returned once; we keep it in memory only and print its hash.
    const created = await root.admin.createApiKey({ label: 'project-demo', role: 'write_agent' });
    log(
      `created key for ${created.label} (role ${created.role}, hash ${created.hash.slice(0, 12)}…)`,
    );

    const project = new StemeClient({
      baseUrl,
      apiKey: created.key,
      retry: {
        onRetry: (r) =>
          log(`  attempt ${r.attempt} failed (${r.error.code}); retrying in ${r.delayMs / 1000} s`),
      },
    });
    try {
      const results = await project.assertMany(
        [
          { subject: 'demo/service', predicate: 'language', value: 'typescript', agent_id: 'demo' },
          { subject: 'demo/service', predicate: 'owner', value: 'platform', agent_id: 'demo' },
          { subject: 'demo/service', predicate: 'alive', value: true, agent_id: 'demo' },
        ],
        { concurrency: 2 },
      );
      log(`wrote ${results.filter((r) => r.ok).length}/${results.length} assertions`);

      const page = await project.listAssertions({ subject: 'demo/service' });
      for (const a of page.items) log(`  ${a.subject} ${a.predicate} = ${JSON.stringify(a.value)}`);

      if (emulator) {
        // A deploy with the Recreate strategy: Traefik answers 503 for a moment.
        log('injecting a 1.5 s 503 outage, then writing…');
        emulator.faults.outage({ ms: 1500, mode: 503 });
        const started = Date.now();
        const written = await project.assert({
          subject: 'demo/service',
          predicate: 'survived_restart',
          value: true,
          agent_id: 'demo',
        });
        log(
          `written through the outage in ${((Date.now() - started) / 1000).toFixed(1)} s (id ${written.id})`,
        );
      }

      try {
        await project.admin.listApiKeys();
      } catch (error) {
        if (!isStemeError(error)) throw error;
        log(`a write_agent key may not list keys: ${error.status} ${error.code}`);
      }
    } finally {
      await project.close();
    }
  } finally {
    await root.close();
    await emulator?.close();
  }
  await renderDeployment();
  log('done');
}

/** The deployment for the real server, from the roadmap's figures and two required values. */
async function renderDeployment(): Promise<void> {
  const demoDir =
    process.env.STEMEDB_DEMO_DIR || fileURLToPath(new URL('../.stemedb-demo', import.meta.url));
  const config = parseConfig({ ingress: { host: 'stemedb.threesix.ai' }, image: { tag: '0.9.0' } });
  const objects = buildBundle(config);
  const report = validate(objects);
  log(
    `deployment: ${objects.length} objects, ${report.errors} errors, ${report.warnings} warnings`,
  );
  if (!report.ok) throw new Error('the rendered deployment has errors');
  const { dir, files } = await writeKustomizeDir(objects, `${demoDir}/manifests`);
  log(`wrote ${files.length} files to ${dir} (kubectl kustomize ${dir})`);
}

main().catch((error: unknown) => {
  console.error(isStemeError(error) ? error.message : error);
  process.exitCode = 1;
});
