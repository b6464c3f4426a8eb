/**
 * The run lease on the command line (issue 22): `--lock-timeout`, the exit code and the
 * message naming the holder, with the built CLI in a child process and a file store whose
 * lease another run holds.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFileSecretStore } from '../../src/stores/file.js';
import { startServer, type TestServer, tempDir } from '../support/server.js';
import { ensureBuilt, keysIn, runCli } from './support/cli.js';

let server: TestServer;
beforeEach(async () => {
  server = await startServer();
});
afterEach(() => server.close());
const tmp = tempDir('lease-cli');
beforeAll(ensureBuilt, 180_000);
afterAll(() => tmp.remove());

describe('--lock-timeout', () => {
  it('waits for the lease, then exits 1 naming the holder: host, pid, since when', async () => {
    const path = join(tmp.dir, 'secrets.json');
    const projects = join(tmp.dir, 'projects.txt');
    writeFileSync(projects, 'alpha\n');
    const holder = createFileSecretStore({ path });
    const held = await holder.acquireLease({
      holder: {
        id: 'cron',
        host: 'cron-host',
        pid: 777,
        since: '2026-01-02T03:04:05.000Z',
        command: 'rotate',
      },
      durationMs: 600_000,
    });
    expect(held.acquired).toBe(true);
    for (const args of [
      ['provision', projects],
      ['rotate', 'alpha'],
      ['revoke', 'alpha'],
    ]) {
      const r = await runCli(
        [...args, '--store', `file:${path}`, '--url', server.url, '--lock-timeout', '300ms'],
        { env: { STEMEDB_ADMIN_KEY: server.rootKey } },
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('another run holds the lease of file:');
      expect(r.stderr).toContain('rotate on cron-host (pid 777) since 2026-01-02T03:04:05.000Z');
      expect(keysIn(r.stdout + r.stderr)).toEqual([]);
    }
    // Nothing was done: no key was made.
    expect(
      (await server.admin.admin.listApiKeys()).keys.filter((k) => k.label === 'project-alpha'),
    ).toEqual([]);
    await holder.close();
  });

  it('refuses a duration without a unit (exit 2)', async () => {
    const r = await runCli(['provision', 'x.txt', '--url', server.url, '--lock-timeout', '30']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--lock-timeout must be a duration');
  });
});
