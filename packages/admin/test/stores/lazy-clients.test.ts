/**
 * The cloud client libraries load on a store's first call, not when the package is imported:
 * the CLI's cold start (`--help`, a `file:` store) must not pay for gax, gRPC or client-node.
 */
import { execFileSync } from 'node:child_process';
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
