/**
 * Ctrl-C and SIGTERM (issue 22, "an operator at 10,000 projects"), with the built CLI in a
 * child process over an emulator slowed by its latency fault: the first signal finishes the
 * projects in flight and starts no new one, reports, releases the run lease and exits 130; a
 * second exits at once (130). Nothing is left half-done: every project is either untouched or
 * converged (exactly one live key, the one the store holds).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashApiKey } from '@stemedb/sdk';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFileSecretStore } from '../../src/stores/file.js';
import { projectKeySecret } from '../../src/stores/names.js';
import { startServer, type TestServer, tempDir } from '../support/server.js';
import { ensureBuilt, keysIn, runCli, startCli } from './support/cli.js';

let server: TestServer;
beforeEach(async () => {
  server = await startServer();
});
afterEach(() => server.close());
const tmp = tempDir('interrupt');
beforeAll(ensureBuilt, 180_000);
afterAll(() => tmp.remove());

const PROJECTS = Array.from({ length: 40 }, (_, i) => `proj-${i}`);

function setup(name: string) {
  const file = join(tmp.dir, `${name}.txt`);
  writeFileSync(file, `${PROJECTS.join('\n')}\n`);
  const path = join(tmp.dir, `${name}.json`);
  return { file, path, args: ['--store', `file:${path}`, '--url', server.url] };
}

/** Waits until the server holds at least `n` project keys (live or not). */
async function keysMade(n: number): Promise<void> {
  for (;;) {
    const { keys } = await server.admin.admin.listApiKeys();
    if (keys.filter((k) => k.label.startsWith('project-')).length >= n) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Each project: untouched, converged, or what is wrong with it. */
async function states(path: string): Promise<Map<string, string>> {
  const store = createFileSecretStore({ path });
  const { keys } = await server.admin.admin.listApiKeys();
  const out = new Map<string, string>();
  for (const project of PROJECTS) {
    const live = keys.filter((k) => k.label === `project-${project}` && k.revoked_at === null);
    const stored = await store.readLatest(projectKeySecret(project));
    if (live.length === 0 && stored === undefined) out.set(project, 'untouched');
    else if (live.length === 1 && stored !== undefined && live[0]!.hash === hashApiKey(stored))
      out.set(project, 'converged');
    else out.set(project, `broken (${live.length} live, stored: ${stored !== undefined})`);
  }
  await store.close();
  return out;
}

describe('interrupts', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    'the first %s finishes the projects in flight, reports, releases the lease, exits 130',
    async (signal) => {
      const { file, path, args } = setup(`first-${signal}`);
      server.emulator.faults.latency(60);
      const run = startCli(['provision', file, ...args, '--concurrency', '2'], {
        env: { STEMEDB_ADMIN_KEY: server.rootKey },
      });
      await keysMade(3);
      run.child.kill(signal);
      const r = await run.done;
      expect(r.code).toBe(130);
      expect(r.stderr).toContain(`${signal}: provision finishes the projects in flight`);
      const report = /done: (\d+) created.*\ninterrupted: (\d+) project\(s\) not started/.exec(
        r.stdout,
      );
      expect(report, r.stdout).not.toBeNull();
      const created = Number(report![1]);
      const notStarted = Number(report![2]);
      expect(created).toBeGreaterThanOrEqual(3);
      expect(notStarted).toBeGreaterThan(0);
      expect(created + notStarted).toBe(PROJECTS.length);
      expect(keysIn(r.stdout + r.stderr)).toEqual([]);

      const after = await states(path);
      const counts = { untouched: 0, converged: 0 };
      for (const [project, state] of after) {
        if (state !== 'untouched' && state !== 'converged') throw new Error(`${project}: ${state}`);
        counts[state] += 1;
      }
      expect(counts).toEqual({ converged: created, untouched: notStarted });

      // The lease was released: a run that will not wait at all finishes the rest.
      server.emulator.faults.latency(0);
      const next = await runCli(['provision', file, ...args, '--lock-timeout', '0'], {
        env: { STEMEDB_ADMIN_KEY: server.rootKey },
      });
      expect(next.stderr).toBe('');
      expect(next.code).toBe(0);
      expect([...(await states(path)).values()].every((s) => s === 'converged')).toBe(true);
    },
    60_000,
  );

  it('a second signal exits at once with 130, without the report', async () => {
    const { file, args } = setup('second');
    server.emulator.faults.latency(2_000);
    const run = startCli(['provision', file, ...args, '--concurrency', '2'], {
      env: { STEMEDB_ADMIN_KEY: server.rootKey },
    });
    await keysMade(1);
    run.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 50));
    const at = Date.now();
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    // At once: not after the projects in flight (each call to the server takes 2 s).
    expect(Date.now() - at).toBeLessThan(1_500);
    expect(r.stderr).toContain('SIGINT again: exiting now');
    expect(r.stdout).not.toContain('done:');
  }, 60_000);
});
