/**
 * The CLI with `--store gcp:<project> --gcp-endpoint host:port`: the built bin in a child, the
 * real Secret Manager client against the local gRPC Secret Manager in the test process.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ROOT_KEY_SECRET } from '../../src/stores/names.js';
import { SECRET_MANAGER_PERMISSIONS, startSecretManagerEmulator } from '../../src/testing.js';
import { startServer, type TestServer, tempDir } from '../support/server.js';
import { ensureBuilt, keysIn, runCli } from './support/cli.js';

beforeAll(ensureBuilt, 180_000);

let server: TestServer;
let sm: Awaited<ReturnType<typeof startSecretManagerEmulator>>;
const tmp = tempDir('cli-gcp');
const file = join(tmp.dir, 'projects.txt');
writeFileSync(file, 'alpha\nbeta\n');
beforeEach(async () => {
  server = await startServer();
  sm = await startSecretManagerEmulator();
});
afterEach(async () => {
  await sm.close();
  await server.close();
});

const store = () => ['--store', 'gcp:cli-test', '--gcp-endpoint', sm.endpoint];

describe('stemedb-admin with a gcp: store', () => {
  it('bootstraps, then provisions with the admin key from the store', async () => {
    const boot = await runCli(['bootstrap', ...store(), '--reveal', '--json']);
    expect(boot.code).toBe(0);
    const { key } = JSON.parse(boot.stdout) as { key: string };
    expect(sm.secretNames()).toEqual([`projects/cli-test/secrets/${ROOT_KEY_SECRET}`]);
    // The emulator does not know that key: seed a second one with it, as a deploy would.
    const seeded = await startServer({ rootApiKey: key });
    try {
      const r = await runCli(
        ['provision', file, ...store(), '--url', seeded.url, '--admin-key-from-store', '--json'],
        {},
      );
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({
        projects: [
          { project: 'alpha', action: 'created', revoked: 0, hashes: expect.any(Object) },
          { project: 'beta', action: 'created', revoked: 0, hashes: expect.any(Object) },
        ],
        summary: { created: 2, replaced: 0, unchanged: 0, revoked: 0, retired: 0, failed: 0 },
        unlisted: [],
      });
      expect(keysIn(r.stdout + r.stderr)).toEqual([]);
      expect(sm.calls().every((c) => !c.authorization)).toBe(true);
    } finally {
      await seeded.close();
    }
  });

  it('exits 3 with nothing minted when the store may not add versions (preflight)', async () => {
    const boot = await runCli(['bootstrap', ...store(), '--reveal', '--json']);
    const { key } = JSON.parse(boot.stdout) as { key: string };
    const seeded = await startServer({ rootApiKey: key });
    try {
      // Everything but adding versions: reading the admin key from the store still works.
      sm.setPermissions(
        Object.values(SECRET_MANAGER_PERMISSIONS).filter(
          (p): p is string => p !== undefined && p !== 'secretmanager.versions.add',
        ),
      );
      for (const command of [
        ['provision', file],
        ['rotate', '--all'],
      ]) {
        const r = await runCli([
          ...command,
          ...store(),
          '--url',
          seeded.url,
          '--admin-key-from-store',
        ]);
        expect(r.code).toBe(3);
        expect(r.stderr).toContain('secretmanager.versions.add');
        expect(r.stderr).toMatch(/\[permission_denied\]\n$/);
        expect(keysIn(r.stdout + r.stderr)).toEqual([]);
      }
      // Not a key was made, live or revoked: only the seeded root key exists.
      const { keys } = await seeded.admin.admin.listApiKeys();
      expect(keys.map((k) => k.label)).toEqual(['root']);
      expect(sm.calls().filter((c) => c.method === 'AddSecretVersion')).toHaveLength(1);
    } finally {
      await seeded.close();
    }
  });

  it('takes --store-writes-per-minute (0 turns the limit off) and refuses a bad one, exit 2', async () => {
    const ok = await runCli(['bootstrap', ...store(), '--store-writes-per-minute', '0', '--json']);
    expect(ok.code).toBe(0);
    const bad = await runCli(['bootstrap', ...store(), '--store-writes-per-minute', '-5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--store-writes-per-minute must be a whole number from 0');
    const help = await runCli(['provision', '--help']);
    expect(help.stdout).toMatch(/--store-writes-per-minute <n>[\s\S]*default: 540/);
  });

  it('refuses a --gcp-endpoint that is not loopback, exit 2, naming the address', async () => {
    const r = await runCli([
      'bootstrap',
      '--store',
      'gcp:cli-test',
      '--gcp-endpoint',
      '10.0.0.1:443',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('endpoint "10.0.0.1:443" is not a loopback address');
    expect(r.stderr).toMatch(/\[invalid_store_options\]\n$/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
