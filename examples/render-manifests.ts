/**
 * Rendering the Kubernetes deployment with custom values using `@stemedb/manifests`: a config
 * that changes the defaults (namespace, one volume, more memory, a per-client rate limit, the
 * rclone backup), a bad value refused with every problem at once, the bundle built and
 * validated in one report (errors stop the write; warnings come with a fix), and the objects
 * written as a kustomize directory.
 *
 * Run it with `pnpm build && npx tsx examples/render-manifests.ts`; no server is needed. It
 * writes to `out/k8s-staging` at the repository root, or to `$STEMEDB_MANIFESTS_DIR`; the host
 * and the image tag come from `STEMEDB_HOST` and `STEMEDB_IMAGE_TAG` when set. Then:
 * `kubectl kustomize out/k8s-staging` (or `kubectl apply -k`).
 */
import { fileURLToPath } from 'node:url';
import {
  buildBundle,
  ConfigError,
  parseConfig,
  type StemeDeploymentConfigInput,
  validate,
  writeKustomizeDir,
} from '@stemedb/manifests';

const values: StemeDeploymentConfigInput = {
  namespace: 'stemedb-staging',
  ingress: { host: process.env.STEMEDB_HOST || 'stemedb-staging.threesix.ai' },
  image: { tag: process.env.STEMEDB_IMAGE_TAG || '0.9.0' },
  storage: { volumes: { layout: 'single', size: '100Gi' } },
  resources: { requests: { cpu: '1', memory: '8Gi' }, limits: { cpu: '2', memory: '8Gi' } },
  rateLimit: { average: 200, burst: 400, scope: 'client-ip' },
  // The roadmap's file copy instead of Longhorn snapshots: allowed, and warned about below.
  backup: { method: 'rclone', bucket: 'stemedb-staging-backups' },
};

async function main(): Promise<void> {
  // Every problem of a config is reported at once, each with its path.
  try {
    parseConfig({ ...values, image: { tag: 'latest' }, port: 80 });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.log(`refused (${error.code}):`);
    for (const issue of error.issues) console.log(`  ${issue.path}: ${issue.message}`);
  }

  const config = parseConfig(values); // defaults filled in, invariants checked
  const objects = buildBundle(config); // every object, in apply order
  console.log(`built ${objects.length} objects in namespace ${config.namespace}`);

  const report = validate(objects);
  console.log(`validate: ${report.errors} errors, ${report.warnings} warnings`);
  for (const f of report.findings) {
    console.log(`  ${f.severity} ${f.ruleId} on ${f.object}`);
    console.log(`    fix: ${f.fix}`);
  }
  if (!report.ok) throw new Error('the bundle has errors: nothing written');

  const dir =
    process.env.STEMEDB_MANIFESTS_DIR ||
    fileURLToPath(new URL('../out/k8s-staging', import.meta.url));
  const { files } = await writeKustomizeDir(objects, dir);
  console.log(`wrote ${files.length} files to ${dir}`);
  console.log(`apply with: kubectl apply -k ${dir}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
