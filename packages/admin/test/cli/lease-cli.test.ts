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
import { ensureBuilt, keysIn, runCli, startCli } from './support/cli.js';

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

  it.each([
    ['provision', 'SIGINT'],
    ['rotate', 'SIGTERM'],
  ] as const)(
    '%s gets %s while it waits for the lease: exits 130 at once, nothing done',
    async (command, signal) => {
      const path = join(tmp.dir, `waiting-${command}.json`);
      const projects = join(tmp.dir, `waiting-${command}.txt`);
      writeFileSync(projects, 'alpha\n');
      const holder = createFileSecretStore({ path });
      const held = await holder.acquireLease({
        holder: { id: 'cron', host: 'cron-host', pid: 777, since: new Date().toISOString() },
        durationMs: 600_000,
      });
      expect(held.acquired).toBe(true);
      const args = command === 'provision' ? ['provision', projects] : ['rotate', '--all'];
      const run = startCli(
        [...args, '--store', `file:${path}`, '--url', server.url, '--lock-timeout', '10m'],
        { env: { STEMEDB_ADMIN_KEY: server.rootKey } },
      );
      // The child says when it starts to wait; its signal handlers are in place by then.
      let said = '';
      run.child.stderr?.on('data', (c: string) => {
        said += c;
      });
      while (!said.includes('waiting up to 600000 ms (--lock-timeout)')) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(said).toContain('held by a run on cron-host (pid 777)');
      const at = Date.now();
      run.child.kill(signal);
      const r = await run.done;
      expect(r.code, r.stderr).toBe(130);
      expect(Date.now() - at).toBeLessThan(2_000);
      expect(r.stderr).toContain(
        `${command}: interrupted while waiting for the run lease of file:${path}; nothing was changed [interrupted]`,
      );
      expect(keysIn(r.stdout + r.stderr)).toEqual([]);
      expect(
        (await server.admin.admin.listApiKeys()).keys.filter((k) => k.label === 'project-alpha'),
      ).toEqual([]);
      await holder.close();
    },
    30_000,
  );

  it('refuses a duration without a unit (exit 2)', async () => {
    const r = await runCli(['provision', 'x.txt', '--url', server.url, '--lock-timeout', '30']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--lock-timeout must be a duration');
  });
});
