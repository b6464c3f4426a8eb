import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startSecretManagerEmulator } from '@stemedb/admin/testing';
import { type Emulator, startEmulator } from '@stemedb/emulator';
import { hashApiKey, StemeClient } from '@stemedb/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const examples = fileURLToPath(new URL('..', import.meta.url));

// The variables the examples read: cleared, so a developer's shell never points a test at a
// real server, and each test sets only the ones it means.
const EXAMPLE_ENV = [
  'STEMEDB_URL',
  'STEMEDB_API_KEY',
  'STEMEDB_ADMIN_KEY',
  'STEMEDB_STORE',
  'STEMEDB_GCP_ENDPOINT',
  'STEMEDB_MANIFESTS_DIR',
  'STEMEDB_HOST',
  'STEMEDB_IMAGE_TAG',
  'GOOGLE_CLOUD_PROJECT',
];

/**
 * Runs an example as a user does: the Node under test with tsx's loader (not npx, whose own
 * warnings land on stderr), importing the built packages by name, so `pnpm build` comes first.
 * Every example must exit 0, write nothing on stderr and print no key.
 */
async function runExample(file: string, env: Record<string, string> = {}): Promise<string> {
  const base: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1' };
  for (const name of EXAMPLE_ENV) delete base[name];
  const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', file], {
    cwd: examples,
    env: { ...base, ...env },
    timeout: 60_000,
  });
  expect(stderr).toBe('');
  expect(stdout).not.toMatch(/steme_live_[0-9a-f]{8}/);
  return stdout;
}

/** A `write_agent` key, as a project holds one. */
async function projectKey(emulator: Emulator, label: string): Promise<string> {
  const admin = new StemeClient({ baseUrl: emulator.url, apiKey: emulator.rootApiKey });
  try {
    return (await admin.admin.createApiKey({ label, role: 'write_agent' })).key;
  } finally {
    await admin.close();
  }
}

/** How many requests `key` made to `path` with `method`, as the emulator recorded them. */
function requestsBy(emulator: Emulator, key: string, method: string, path: string): number {
  const keyHash = hashApiKey(key);
  return emulator
    .requests()
    .filter((r) => r.keyHash === keyHash && r.method === method && r.path === path).length;
}

describe('examples against a StemeDB the test starts (the STEMEDB_URL path)', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('connect-write-read.ts writes four assertions with a project key and reads them back', async () => {
    const key = await projectKey(emulator, 'project-connect');
    const stdout = await runExample('connect-write-read.ts', {
      STEMEDB_URL: emulator.url,
      STEMEDB_API_KEY: key,
    });
    expect(stdout).toContain(`StemeDB at ${emulator.url}\n`);
    expect(stdout).toContain('wrote 3/3 assertions in a batch');
    expect(stdout).toContain('read back 4: alive, language, owner, tier');
    expect(requestsBy(emulator, key, 'POST', '/v1/assert')).toBe(4);
  });

  it('errors-retries-abort.ts shows the error classes and skips what needs injected faults', async () => {
    const stdout = await runExample('errors-retries-abort.ts', {
      STEMEDB_URL: emulator.url,
      STEMEDB_API_KEY: await projectKey(emulator, 'project-errors'),
    });
    expect(stdout).toContain('StemeValidationError [invalid_input]: fix the input');
    expect(stdout).toContain('StemeAuthenticationError 401 [unauthorized]');
    expect(stdout).toContain('retries and cancelling: skipped');
  });

  it('aphoria-persist-history.ts persists two scans once each and reads their history', async () => {
    const key = await projectKey(emulator, 'project-aphoria');
    const stdout = await runExample('aphoria-persist-history.ts', {
      STEMEDB_URL: emulator.url,
      STEMEDB_API_KEY: key,
    });
    expect(stdout).toContain(`config: ${emulator.url} (key from $STEMEDB_API_KEY, never shown)`);
    expect(stdout).toContain('persisted monday: 3 assertions, sent 3, already there 0, spooled 0');
    expect(stdout).toContain('persisted tuesday: 2 assertions, sent 2, already there 0, spooled 0');
    expect(stdout).toContain(
      'persisted monday again: 3 assertions, sent 0, already there 3, spooled 0',
    );
    expect(stdout).toMatch(
      /newest first:\n {2}commit bbbbbbb: findings 1\n {2}commit aaaaaaa: findings 2\n/,
    );
    expect(stdout).toMatch(
      /reported it:\n {2}commit bbbbbbb: high at line 12\n {2}commit aaaaaaa: high at line 12\n/,
    );
    // The re-run sent nothing: five writes for five assertions.
    expect(requestsBy(emulator, key, 'POST', '/v1/assert')).toBe(5);
  });

  it('provision-gcp.ts provisions into the Secret Manager at STEMEDB_GCP_ENDPOINT, then off-boards', async () => {
    const secretManager = await startSecretManagerEmulator();
    try {
      const stdout = await runExample('provision-gcp.ts', {
        STEMEDB_URL: emulator.url,
        STEMEDB_ADMIN_KEY: emulator.rootApiKey,
        STEMEDB_STORE: 'gcp:examples-test',
        STEMEDB_GCP_ENDPOINT: secretManager.endpoint,
      });
      expect(stdout).toContain(`store gcp:examples-test at ${secretManager.endpoint}`);
      expect(stdout).toContain('plan  example-billing: create (no stored key)');
      expect(stdout).toContain('run: created 2, replaced 0, unchanged 0, revoked 0, failed 0');
      expect(stdout).toContain('re-run: created 0, replaced 0, unchanged 2, revoked 0, failed 0');
      expect(stdout).toMatch(
        /key {3}project-example-search write_agent hash [0-9a-f]{12} in stemedb-key-example-search: stored/,
      );
      expect(stdout).toContain('off-boarded example-billing: revoked 1, secret deleted true');

      const calls = secretManager.calls();
      const secret = 'projects/examples-test/secrets/stemedb-key-example-billing';
      expect(
        calls.filter((c) => c.method === 'AddSecretVersion' && c.resource === secret),
      ).toHaveLength(1);
      expect(calls.some((c) => c.method === 'DeleteSecret' && c.resource === secret)).toBe(true);
      expect(calls.some((c) => c.authorization)).toBe(false);
      // Only the run lease's secret stays: a lock cell with no versions, released by each run.
      expect(secretManager.secretNames()).toEqual([
        'projects/examples-test/secrets/stemedb-admin-lease',
      ]);
    } finally {
      await secretManager.close();
    }
  });
});

describe('examples standalone (no environment: they start what they need)', () => {
  it('connect-write-read.ts starts an emulator, writes and reads back', async () => {
    const stdout = await runExample('connect-write-read.ts');
    expect(stdout).toMatch(/^StemeDB at http:\/\/127\.0\.0\.1:\d+ \(emulator\)$/m);
    expect(stdout).toContain('health: ok');
    expect(stdout).toMatch(/^wrote 1 assertion \(id \S+\)$/m);
    expect(stdout).toContain('first page: 2 of them, more: true\n  alive = true\n  tier = 1\n');
    expect(stdout).toContain('read back 4: alive, language, owner, tier');
  });

  it('errors-retries-abort.ts rides out a 503 window, runs out of retries, and is cancelled', async () => {
    const stdout = await runExample('errors-retries-abort.ts');
    expect(stdout).toMatch(/unauthorized\]: check the key and its role \(request [0-9a-f-]{36}\)/);
    expect(stdout).toMatch(
      /then a write:\n {2}attempt 1 failed \(unavailable\); retrying in 100 ms\n(.*\n)* {2}written through it/,
    );
    expect(stdout).toContain(
      '  attempt 2 failed (unavailable); retrying in 200 ms\n  StemeUnavailableError 503 [unavailable]: StemeDB is down or slow: try later (3 attempts made)',
    );
    expect(stdout).toContain(
      '  attempt 1 failed (unavailable); retrying in 2000 ms\n  StemeAbortError [aborted]: the caller cancelled it',
    );
  });

  it('aphoria-persist-history.ts writes its config and persists against its own emulator', async () => {
    const stdout = await runExample('aphoria-persist-history.ts');
    expect(stdout).toMatch(/^config: http:\/\/127\.0\.0\.1:\d+ \(key from \$STEMEDB_API_KEY/m);
    expect(stdout).toContain('persisted monday again: 3 assertions, sent 0, already there 3');
  });

  it('provision-gcp.ts starts a StemeDB and a local Secret Manager and converges', async () => {
    const stdout = await runExample('provision-gcp.ts');
    expect(stdout).toMatch(
      /^store gcp:example-project at 127\.0\.0\.1:\d+ \(local Secret Manager\)$/m,
    );
    expect(stdout).toContain('re-run: created 0, replaced 0, unchanged 2, revoked 0, failed 0');
    expect(stdout).toContain('off-boarded example-search: revoked 1, secret deleted true');
  });

  it('render-manifests.ts refuses a bad config, warns with a fix, and writes the custom bundle', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'stemedb-example-k8s-')), 'k8s');
    const stdout = await runExample('render-manifests.ts', {
      STEMEDB_MANIFESTS_DIR: dir,
      STEMEDB_HOST: 'stemedb-test.threesix.ai',
    });
    expect(stdout).toMatch(
      /refused \(config\/invalid\):\n {2}port: must be ≥ 1024.*\n {2}image\.tag: /,
    );
    expect(stdout).toContain('built 17 objects in namespace stemedb-staging');
    expect(stdout).toContain('validate: 0 errors, 1 warnings');
    expect(stdout).toContain('warning policy/backup-not-crash-consistent');
    expect(stdout).toContain(`wrote 18 files to ${dir}`);

    const files = readdirSync(dir);
    expect(files).toContain('kustomization.yaml');
    expect(files).toContain('persistentvolumeclaim-stemedb-data.yaml');
    const read = (name: string) => readFileSync(join(dir, name), 'utf8');
    expect(read('ingressroute-stemedb-api.yaml')).toContain('Host(`stemedb-test.threesix.ai`)');
    expect(read('ingressroute-stemedb-api.yaml')).toContain('!PathPrefix(`/metrics`)');
    expect(read('deployment-stemedb-api.yaml')).toContain('namespace: stemedb-staging');
    expect(read('deployment-stemedb-api.yaml')).toContain('memory: 8Gi');
    expect(read('persistentvolumeclaim-stemedb-data.yaml')).toContain('storage: 100Gi');
  });
});
