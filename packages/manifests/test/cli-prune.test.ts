/**
 * `apply --prune` and `diff --prune` as users run them, against the fake API server through a
 * kubeconfig file: what a plain apply leaves, what the prune deletes and prints, and the claim
 * it refuses to delete (exit 2). The cluster is primed in-process with the ApplySet the CLI
 * keeps (one CLI run per test); the ApplySet itself is tested in cluster-prune.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../src/bundle.js';
import { applyObjects } from '../src/cluster/apply.js';
import { parseConfig } from '../src/config/index.js';
import { withConfig } from './objects-fixtures.js';
import { CONFIG, expectOneLineError, file, run } from './support/cli.js';
import { type FakeApiServer, startFakeApi } from './support/fake-api.js';

let server: FakeApiServer;
let kubeconfig: string;
beforeAll(async () => {
  server = await startFakeApi();
  kubeconfig = server.writeKubeconfig(file('kubeconfig-prune', ''));
});
afterAll(() => server.close());

const cluster = (args: string[]) => run(args, { KUBECONFIG: kubeconfig });
/** A cluster on which the CLI applied `config` before (the same ApplySet). */
async function appliedBefore(config: Record<string, unknown>) {
  server.reset();
  await applyObjects(buildBundle(parseConfig(withConfig(config))), {
    kubeConfig: server.kubeConfig(),
    applySet: { namespace: 'stemedb', tooling: 'stemedb-manifests/v0.1.0' },
  });
  server.current().requests.length = 0;
}
const has = (path: string) => server.current().objects.has(path);
const deletes = () => server.current().requests.filter((r) => r.method === 'DELETE');

const RCLONE = { backup: { method: 'rclone' } };
const CRONJOB = '/apis/batch/v1/namespaces/stemedb/cronjobs/stemedb-backup';

describe('after a switch from the rclone backup to Longhorn', () => {
  it('a plain apply deletes nothing: the CronJob stays', async () => {
    await appliedBefore(RCLONE);
    const result = await cluster(['apply', CONFIG]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('pruned');
    expect(has(CRONJOB)).toBe(true);
    expect(deletes()).toEqual([]);
  });

  it('diff --prune shows what apply --prune would delete, and exits 1', async () => {
    await appliedBefore(RCLONE);
    const result = await cluster(['diff', CONFIG, '--prune']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toContain('delete CronJob/stemedb/stemedb-backup\n');
    expect(result.stdout).toMatch(/, 3 to delete, /);
    expect(has(CRONJOB)).toBe(true);
  });

  it('apply --prune deletes it and says so', async () => {
    await appliedBefore(RCLONE);
    const result = await cluster(['apply', CONFIG, '--prune']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('pruned CronJob/stemedb/stemedb-backup\n');
    expect(has(CRONJOB)).toBe(false);
    expect(deletes()).toHaveLength(3);
  });
});

describe('a claim the config stops rendering', () => {
  const SINGLE = { ...RCLONE, storage: { volumes: { layout: 'single' } } };
  // The same claim, declared existing: the bundle stops rendering it, the server keeps it.
  const EXISTING = ['--set', 'backup.method=rclone', '--set', 'storage.volumes.layout=single'];
  const CLAIM = ['--set', 'storage.volumes.existingClaim=stemedb-data'];

  it('is not pruned without --allow-volume-change: apply exits 2 and deletes nothing', async () => {
    await appliedBefore(SINGLE);
    const result = await cluster(['apply', CONFIG, ...EXISTING, ...CLAIM, '--prune']);
    expectOneLineError(
      result,
      2,
      /refusing to prune PersistentVolumeClaim\/stemedb\/stemedb-data: .*--allow-volume-change/,
      true,
    );
    expect(deletes()).toEqual([]);
    expect(server.current().patches()).toEqual([]);
    expect(has('/api/v1/namespaces/stemedb/persistentvolumeclaims/stemedb-data')).toBe(true);
  });

  it('is refused by diff --prune too (exit 2)', async () => {
    await appliedBefore(SINGLE);
    const result = await cluster(['diff', CONFIG, ...EXISTING, ...CLAIM, '--prune']);
    expect(result.code, result.stdout).toBe(2);
    expect(result.stderr).toContain('refusing to prune PersistentVolumeClaim/stemedb/stemedb-data');
  });
});
