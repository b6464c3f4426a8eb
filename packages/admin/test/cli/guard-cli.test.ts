/**
 * The store is bound to the server (issue 22), on the command line: provision pointed at an
 * empty store (the default file store run from another directory, a typo in the namespace)
 * while the server has 20 live project keys, made a day ago, must stop before changing
 * anything, exit 1 and say why; `--allow-mass-revoke` goes ahead. The keys are seeded in the
 * emulator's data directory with an old created_at, so that no rule of age spares them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateApiKey } from '@stemedb/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer, tempDir } from '../support/server.js';
import { ensureBuilt, keysIn, runCli } from './support/cli.js';

const PROJECTS = Array.from({ length: 20 }, (_, i) => `svc-${i}`);
const tmp = tempDir('guard-cli');
let server: TestServer;
beforeAll(async () => {
  await ensureBuilt();
  const data = join(tmp.dir, 'data');
  mkdirSync(data);
  const keys = PROJECTS.map((p) => ({
    hash: createHash('sha256').update(randomBytes(32)).digest('hex'),
    label: `project-${p}`,
    role: 'write_agent',
    created_at: new Date(Date.now() - 86_400_000).toISOString(),
    revoked_at: null,
  }));
  writeFileSync(join(data, 'keys.json'), JSON.stringify({ version: 1, keys }));
  server = await startServer({ rootApiKey: generateApiKey(), dataDir: data });
}, 180_000);
afterAll(async () => {
  await server.close();
  tmp.remove();
});

const live = async () =>
  (await server.admin.admin.listApiKeys()).keys.filter(
    (k) => k.label.startsWith('project-') && k.revoked_at === null,
  ).length;

describe('provision against a store that is not this server’s', () => {
  it('stops before changing anything, exits 1 and says why; --allow-mass-revoke goes ahead', async () => {
    const file = join(tmp.dir, 'projects.txt');
    writeFileSync(file, `${PROJECTS.join('\n')}\n`);
    const store = `file:${join(tmp.dir, 'elsewhere', 'secrets.json')}`;
    const env = { STEMEDB_ADMIN_KEY: server.rootKey };
    const args = ['provision', file, '--store', store, '--url', server.url];
    const refused = await runCli(args, { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'refusing to revoke the live keys of 20 projects (more than --max-revoke 3): 0 of 20 live project keys are in this store: is it the right store?',
    );
    expect(refused.stderr).toContain('[mass_revoke_refused]');
    // The plan was shown, and nothing was done.
    expect(refused.stdout).toContain('plan: 20 to create');
    expect(await live()).toBe(20);
    expect((await server.admin.admin.listApiKeys()).keys.length).toBe(21);

    const allowed = await runCli([...args, '--allow-mass-revoke', '--json'], { env });
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout).summary).toMatchObject({ created: 20, revoked: 20 });
    expect(await live()).toBe(20);
    expect(keysIn(refused.stdout + refused.stderr + allowed.stdout + allowed.stderr)).toEqual([]);
  });
});
