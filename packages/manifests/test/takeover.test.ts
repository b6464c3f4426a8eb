/**
 * Taking over the roadmap's deployed single-PVC manifest:
 * `storage.volumes.existingClaim` renders the server against the claim that holds the data
 * instead of a new one, lint accepts that claim only when it is declared existing, and diff and
 * apply against a cluster holding the roadmap's objects (the fake API server) neither refuse the
 * claim nor touch it.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../src/bundle.js';
import { validateOptionsFor } from '../src/cli/config.js';
import { applyObjects } from '../src/cluster/apply.js';
import { diffObjects } from '../src/cluster/diff.js';
import { isClusterError } from '../src/cluster/errors.js';
import { claimsOf } from '../src/cluster/volume-guard.js';
import { parseConfig } from '../src/config/index.js';
import type { KubeObject } from '../src/types.js';
import { validate } from '../src/validate/index.js';
import { DEPLOYED_CLAIM, roadmapDeployed } from './fixtures/cluster/roadmap-deployed.js';
import { pick, withConfig } from './objects-fixtures.js';
import { apiPath, type FakeApiServer, startFakeApi } from './support/fake-api.js';

/** The takeover config: the deployed claim, and the roadmap's rclone backup. */
const TAKEOVER = withConfig({
  storage: { volumes: { layout: 'single', existingClaim: DEPLOYED_CLAIM } },
  backup: { method: 'rclone' },
});
const config = parseConfig(TAKEOVER);
const bundle = buildBundle(config);
const options = validateOptionsFor(config, bundle, false);

describe('render with storage.volumes.existingClaim', () => {
  it('mounts the existing claim and emits no claim for it', () => {
    expect(claimsOf(pick(bundle, 'Deployment'))).toEqual([DEPLOYED_CLAIM]);
    expect(bundle.filter((o) => o.kind === 'PersistentVolumeClaim')).toEqual([]);
    // The backup job reads the same claim, where the data is.
    expect(claimsOf({ ...pick(bundle, 'CronJob'), spec: jobPod(pick(bundle, 'CronJob')) })).toEqual(
      [DEPLOYED_CLAIM],
    );
  });

  it('keeps the server paths of the single layout (/data/wal and /data/db on /data)', () => {
    const container = (
      pick(bundle, 'Deployment').spec as {
        template: {
          spec: {
            containers: { env: { name: string; value?: string }[]; volumeMounts: unknown[] }[];
          };
        };
      }
    ).template.spec.containers[0]!;
    const env = Object.fromEntries(container.env.map((e) => [e.name, e.value]));
    expect([env.STEMEDB_WAL_DIR, env.STEMEDB_DB_DIR]).toEqual(['/data/wal', '/data/db']);
    expect(container.volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
  });

  it('validates clean, the claim declared existing', () => {
    expect(options.existingClaims).toEqual([`stemedb/${DEPLOYED_CLAIM}`]);
    const report = validate(bundle, options);
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('is refused by lint when the claim is not declared existing (a near miss)', () => {
    const report = validate(bundle, { ...options, existingClaims: [] });
    expect(report.findings.filter((f) => f.severity === 'error').map((f) => f.ruleId)).toEqual([
      'ref/pvc-not-produced',
      'ref/pvc-not-produced',
    ]);
    // Declaring another claim does not excuse this one.
    const other = validate(bundle, { ...options, existingClaims: ['stemedb/stemedb-data'] });
    expect(other.ok).toBe(false);
  });
});

/** A CronJob's pod spec, in the shape claimsOf reads (a Deployment's). */
function jobPod(cronJob: KubeObject): unknown {
  const spec = cronJob.spec as { jobTemplate: { spec: { template: unknown } } };
  return { template: spec.jobTemplate.spec.template };
}

let server: FakeApiServer;
let kubeConfig: KubeConfig;
beforeAll(async () => {
  server = await startFakeApi();
  kubeConfig = server.kubeConfig();
});
afterAll(() => server.close());

const SET = { applySet: { namespace: 'stemedb' } };
const CLAIM_PATH = `/api/v1/namespaces/stemedb/persistentvolumeclaims/${DEPLOYED_CLAIM}`;

describe("diff and apply over the roadmap's deployment", () => {
  it('diff does not refuse: the server keeps its claim', async () => {
    server.reset({ live: roadmapDeployed() });
    const results = await diffObjects(bundle, { kubeConfig, ...SET, prune: true });
    expect(results.find((r) => r.ref === 'Deployment/stemedb/stemedb-api')?.action).toBe('update');
    expect(results.filter((r) => r.action === 'delete')).toEqual([]);
  });

  it('apply does not refuse, and neither writes nor deletes the claim', async () => {
    const api = server.reset({ live: roadmapDeployed() });
    const claim = structuredClone(api.objects.get(CLAIM_PATH));
    await applyObjects(bundle, { kubeConfig, ...SET, prune: true });
    const touched = api.requests.filter((r) => r.method !== 'GET').map((r) => r.path);
    expect(touched).not.toContain(CLAIM_PATH);
    expect(api.objects.get(CLAIM_PATH)).toEqual(claim);
    const deployment = api.objects.get(apiPath(pick(bundle, 'Deployment')))!;
    expect(claimsOf(deployment)).toEqual([DEPLOYED_CLAIM]);
    // The roadmap's objects carry no ApplySet label: a prune never selects them.
    expect(api.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
  });

  it('without existingClaim, both refuse: the server would move to an empty claim', async () => {
    const fresh = buildBundle(withConfig({ storage: { volumes: { layout: 'single' } } }));
    for (const run of [
      () => diffObjects(fresh, { kubeConfig, ...SET }),
      () => applyObjects(fresh, { kubeConfig, ...SET }),
    ]) {
      const api = server.reset({ live: roadmapDeployed() });
      const error = await run().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isClusterError(error) && error.code).toBe('cluster/volume-change');
      expect(api.patches().filter((r) => !r.query.has('dryRun'))).toEqual([]);
    }
  });
});
