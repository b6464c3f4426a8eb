/**
 * Saved plans (issue 22), with the built CLI in a child process, the emulator and a file store:
 * `provision --dry-run --plan-out` writes the plan (hashes only, a format version, the store and
 * server, a fingerprint of the observed state); `provision --plan` applies exactly it, and
 * refuses (exit 1, saying what changed) when another run changed a project since, or for
 * another store; a file that is not a plan (bad JSON, another version, an edited decision) is a
 * usage error (exit 2).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFileSecretStore } from '../../src/stores/file.js';
import { projectKeySecret } from '../../src/stores/names.js';
import { startServer, type TestServer, tempDir } from '../support/server.js';
import { ensureBuilt, keysIn, runCli } from './support/cli.js';

let server: TestServer;
beforeEach(async () => {
  server = await startServer();
});
afterEach(() => server.close());
const tmp = tempDir('saved-plan');
beforeAll(ensureBuilt, 180_000);
afterAll(() => tmp.remove());

let n = 0;
/** A store with `alpha` and `beta` provisioned, `gamma` holding a dead key, `delta` new. */
async function world() {
  n += 1;
  const path = join(tmp.dir, `store-${n}.json`);
  const store = ['--store', `file:${path}`, '--url', server.url];
  const env = { STEMEDB_ADMIN_KEY: server.rootKey };
  const first = join(tmp.dir, `first-${n}.txt`);
  writeFileSync(first, 'alpha\nbeta\n');
  expect((await runCli(['provision', first, ...store], { env })).code).toBe(0);
  const s = createFileSecretStore({ path });
  await s.writeVersion(projectKeySecret('gamma'), `steme_live_${'ab'.repeat(24)}`);
  await s.close();
  const file = join(tmp.dir, `projects-${n}.txt`);
  writeFileSync(file, 'alpha\nbeta\ngamma\ndelta\n');
  const plan = join(tmp.dir, `plan-${n}.json`);
  return { path, store, env, file, plan };
}

const run = (args: string[], env: Record<string, string>) => runCli(args, { env });

describe('provision --plan-out, --plan', () => {
  it('applies exactly the saved plan', async () => {
    const w = await world();
    const out = await run(
      ['provision', w.file, ...w.store, '--dry-run', '--plan-out', w.plan],
      w.env,
    );
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`plan saved to ${w.plan}`);
    const text = readFileSync(w.plan, 'utf8');
    expect(keysIn(text)).toEqual([]);
    const saved = JSON.parse(text);
    expect(saved).toMatchObject({
      format: 'stemedb-admin-plan',
      version: 1,
      store: `file:${w.path}`,
      url: server.url,
      fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const actions = Object.fromEntries(
      saved.projects.map((p: { decision: { project: string; action: string } }) => [
        p.decision.project,
        p.decision.action,
      ]),
    );
    expect(actions).toEqual({
      alpha: 'unchanged',
      beta: 'unchanged',
      gamma: 'replace',
      delta: 'create',
    });

    const applied = await run(['provision', '--plan', w.plan, ...w.store, '--json'], w.env);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    const result = JSON.parse(applied.stdout);
    expect(
      Object.fromEntries(
        result.projects.map((p: { project: string; action: string }) => [p.project, p.action]),
      ),
    ).toEqual({ alpha: 'unchanged', beta: 'unchanged', gamma: 'replaced', delta: 'created' });
    // The kept keys are the ones the plan named.
    for (const p of saved.projects) {
      const got = result.projects.find(
        (r: { project: string }) => r.project === p.decision.project,
      );
      if (p.decision.keep !== undefined) expect(got.hashes.stored).toBe(p.decision.keep);
    }
    // Applied once, the plan is stale: the world it was made for is gone.
    const again = await run(['provision', '--plan', w.plan, ...w.store], w.env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('the world changed since the plan was made');
  }, 60_000);

  it('refuses, changing nothing, when another run changed a project since', async () => {
    const w = await world();
    expect(
      (await run(['provision', w.file, ...w.store, '--dry-run', '--plan-out', w.plan], w.env)).code,
    ).toBe(0);
    expect((await run(['rotate', 'beta', ...w.store, '--grace', '0'], w.env)).code).toBe(0);
    const before = (await server.admin.admin.listApiKeys()).keys.length;
    const r = await run(['provision', '--plan', w.plan, ...w.store], w.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /the world changed since the plan was made .*: 1 of 4 projects differ \(beta\)/,
    );
    expect(r.stderr).toContain('[plan_stale]');
    // Nothing was minted: delta and gamma are as they were.
    expect((await server.admin.admin.listApiKeys()).keys.length).toBe(before);
    expect(await server.liveKeys('delta')).toEqual([]);
  }, 60_000);

  it('refuses a plan made for another store', async () => {
    const w = await world();
    expect(
      (await run(['provision', w.file, ...w.store, '--dry-run', '--plan-out', w.plan], w.env)).code,
    ).toBe(0);
    const other = `file:${join(tmp.dir, 'other.json')}`;
    const r = await run(
      ['provision', '--plan', w.plan, '--store', other, '--url', server.url],
      w.env,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`the plan was made for the store file:${w.path}, not ${other}`);
    expect(await server.liveKeys('delta')).toEqual([]);
  }, 60_000);

  it('refuses a file that is not a plan of this version, or whose decisions were edited (exit 2)', async () => {
    const w = await world();
    expect(
      (await run(['provision', w.file, ...w.store, '--dry-run', '--plan-out', w.plan], w.env)).code,
    ).toBe(0);
    const good = JSON.parse(readFileSync(w.plan, 'utf8'));
    const cases: { given: string; text: string; says: string }[] = [
      { given: 'bad JSON', text: '{"format": "stemedb-admin-plan",', says: 'is not JSON' },
      { given: 'another version', text: JSON.stringify({ ...good, version: 2 }), says: 'version' },
      {
        given: 'an edited decision',
        text: JSON.stringify({
          ...good,
          projects: good.projects.map((p: { decision: { project: string } }) =>
            p.decision.project === 'alpha'
              ? { ...p, decision: { ...p.decision, action: 'replace', mint: true } }
              : p,
          ),
        }),
        says: 'was it edited?',
      },
    ];
    for (const c of cases) {
      const path = join(tmp.dir, `tampered-${c.given.replace(/ /g, '-')}.json`);
      writeFileSync(path, c.text);
      const r = await run(['provision', '--plan', path, ...w.store], w.env);
      expect(r.code, c.given).toBe(2);
      expect(r.stderr, c.given).toContain(c.says);
    }
    expect(await server.liveKeys('delta')).toEqual([]);
    expect((await server.liveKeys('alpha')).length).toBe(1);
  }, 60_000);
});
