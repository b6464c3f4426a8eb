/**
 * `stemedb-manifests diff` against the fake API server
 * (support/fake-api.ts) through a kubeconfig file in KUBECONFIG, run as users run it.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sortForApply } from '../src/cluster/order.js';
import { BUNDLE, CONFIG, file, run } from './support/cli.js';
import { apiPath, type FakeApiServer, startFakeApi } from './support/fake-api.js';

let server: FakeApiServer;
let kubeconfig: string;
beforeAll(async () => {
  server = await startFakeApi();
  kubeconfig = server.writeKubeconfig(file('kubeconfig', ''));
});
afterAll(() => server.close());

/** Runs the CLI against the fake API server. */
const cluster = (args: string[], env: Record<string, string> = {}) =>
  run(args, { KUBECONFIG: kubeconfig, ...env });
const patches = () => server.current().patches();
const APPLY_PATHS = sortForApply(BUNDLE).map(apiPath);

describe('diff', () => {
  it('reads each object and dry-runs its apply; everything is new on an empty cluster', async () => {
    server.reset();
    const result = await cluster(['diff', '--config', CONFIG]);
    // As kubectl diff: 1 when apply would change something.
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toBe('');
    // Objects in the namespace the apply would create cannot be dry-run: only the namespace,
    // the cluster-scoped StorageClass and the RecurringJob (in Longhorn's namespace) reach it.
    const clusterScoped = BUNDLE.filter((o) => o.metadata.namespace !== 'stemedb');
    expect(patches().map((r) => r.path)).toEqual(sortForApply(clusterScoped).map(apiPath));
    expect(patches().every((r) => r.query.get('dryRun') === 'All')).toBe(true);
    expect(patches().every((r) => r.query.get('fieldManager') === 'stemedb-manifests')).toBe(true);
    expect(server.current().objects.size).toBe(0);
    expect(result.stdout).toContain('create Namespace/stemedb\n');
    expect(result.stdout).toContain(`${BUNDLE.length} to create, 0 to update, 0 unchanged.`);
  });

  it('reports unchanged objects after an apply, as JSON with --json', async () => {
    server.reset();
    await cluster(['apply', '--config', CONFIG]);
    server.current().requests.length = 0; // Forget the apply's requests, keep its objects.
    const result = await cluster(['diff', CONFIG, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as { ok: boolean; results: { action: string }[] };
    expect(out.ok).toBe(true);
    expect(out.results.map((r) => r.action)).toEqual(BUNDLE.map(() => 'unchanged'));
    expect(patches().map((r) => r.path)).toEqual(APPLY_PATHS);
  });

  it('exits 1 when an object would be updated, with --json too', async () => {
    server.reset();
    await cluster(['apply', CONFIG]);
    const result = await cluster(['diff', CONFIG, '--set', 'image.tag=0.9.1', '--json']);
    expect(result.code, result.stderr).toBe(1);
    const out = JSON.parse(result.stdout) as { results: { ref: string; action: string }[] };
    expect(out.results.filter((r) => r.action === 'update').map((r) => r.ref)).toContain(
      'Deployment/stemedb/stemedb-api',
    );
  });
});
