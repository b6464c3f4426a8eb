/**
 * The cloud client libraries load on a store's first call, not when the package is imported:
 * the CLI's cold start (`--help`, a `file:` store) must not pay for gax, gRPC or client-node.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const PACKAGE = fileURLToPath(new URL('../..', import.meta.url));
// A CJS module in the child's require.cache is one that was loaded (gax and grpc-js are CJS).
const PROBE = `import('./src/index.ts').then(async (m) => {
  const loaded = () => Object.keys(require.cache).filter((k) => /[\\\\/](@google-cloud[\\\\/]secret-manager|google-gax|@grpc[\\\\/]grpc-js)[\\\\/]/.test(k)).length;
  const before = loaded();
  const store = m.createGcpSecretStore({ project: 'lazy-test', endpoint: '127.0.0.1:1', retry: { retries: 0 }, timeoutMs: 200 });
  await store.readLatest('stemedb-key-x').catch(() => undefined);
  await store.close();
  console.log(JSON.stringify({ before, after: loaded() }));
})`;

it('imports @stemedb/admin without loading Secret Manager or gRPC; the first gcp: call loads them', () => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', PROBE], {
    cwd: PACKAGE,
    encoding: 'utf8',
  });
  const { before, after } = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as {
    before: number;
    after: number;
  };
  expect(before).toBe(0);
  expect(after).toBeGreaterThan(0);
});

// src/stores/gcp-client.ts imports the v1 client's module, not the package's index (which also
// loads the v1beta2 client and 800 kB of generated `protos.js`).
const V1_CLIENT = '@google-cloud/secret-manager/build/src/v1/secret_manager_service_client.js';
const SM_PROBE = `import('./src/index.ts').then(async (m) => {
  const store = m.createGcpSecretStore({ project: 'lazy-test', endpoint: '127.0.0.1:1', retry: { retries: 0 }, timeoutMs: 200 });
  await store.readLatest('stemedb-key-x').catch(() => undefined);
  await store.close();
  const files = Object.keys(require.cache).filter((k) => k.includes('secret-manager'));
  console.log(JSON.stringify(files.map((f) => f.split('@google-cloud/secret-manager/').at(-1))));
})`;

it("the gcp: store loads the v1 client's module only, not the package's index or protos.js", () => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', SM_PROBE], {
    cwd: PACKAGE,
    encoding: 'utf8',
  });
  const files = JSON.parse(out.trim().split('\n').at(-1) ?? '[]') as string[];
  expect(files).toContain('build/src/v1/secret_manager_service_client.js');
  expect(files).not.toContain('build/src/index.js');
  expect(files).not.toContain('build/protos/protos.js');
});

it("the v1 client's module is the class the package exports, reachable by its path", async () => {
  const require = createRequire(import.meta.url);
  const manifest = require('@google-cloud/secret-manager/package.json') as { exports?: unknown };
  expect(manifest.exports).toBeUndefined();
  const v1 = (await import(V1_CLIENT)) as { SecretManagerServiceClient: unknown };
  const index = await import('@google-cloud/secret-manager');
  expect(v1.SecretManagerServiceClient).toBe(index.SecretManagerServiceClient);
});
