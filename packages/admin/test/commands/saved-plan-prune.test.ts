/**
 * A saved plan made with `--prune` (issue 22, "an operator at 10,000 projects"): it carries the
 * off-boarding decisions, and applying it off-boards exactly those projects, or refuses,
 * changing nothing, when the unlisted set changed since.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { applySavedPlan, provision, savePlan } from '../../src/commands/provision.js';
import { parseSavedPlan } from '../../src/commands/saved-plan.js';
import { createMemorySecretStore } from '../../src/stores/memory.js';
import { projectKeySecret } from '../../src/stores/names.js';
import { startServer } from '../support/server.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const server = await startServer();
  const store = createMemorySecretStore();
  cleanups.push(
    () => server.close(),
    () => store.close(),
  );
  const base = { url: server.url, adminKey: server.rootKey, client: { retry: false as const } };
  await provision({ ...base, store, projects: ['alpha', 'beta', 'gamma', 'delta'] });
  return { server, store, base };
}

/** The plan as it goes through a file. */
const throughFile = (saved: unknown) => parseSavedPlan(JSON.stringify(saved));

describe('a saved plan made with prune', () => {
  it('carries the off-boarding, and applying it does exactly that', async () => {
    const { server, store, base } = await setup();
    const listed = ['alpha', 'beta'];
    const saved = throughFile(await savePlan({ ...base, store, projects: listed, prune: true }));
    expect(saved.prune?.map((p) => [p.decision.project, p.decision.revoke.length])).toEqual([
      ['delta', 1],
      ['gamma', 1],
    ]);
    // Nothing changed by saving it.
    expect(await server.liveKeys('gamma')).toHaveLength(1);

    const result = await applySavedPlan(saved, { ...base, store, projects: [] });
    expect(result.pruned).toEqual([
      { project: 'delta', revoked: 1 },
      { project: 'gamma', revoked: 1 },
    ]);
    expect(await server.liveKeys('gamma')).toEqual([]);
    expect(await server.liveKeys('delta')).toEqual([]);
    expect(await server.liveKeys('alpha')).toHaveLength(1);
    // Off-boarded, not forgotten: the secret is kept, and no longer reported as unlisted.
    expect(await store.readLatest(projectKeySecret('gamma'))).toBeDefined();
    const next = await provision({ ...base, store, projects: listed });
    expect(next.unlisted).toEqual([]);
  });

  it('a plan made without prune prunes nothing', async () => {
    const { server, store, base } = await setup();
    const saved = throughFile(await savePlan({ ...base, store, projects: ['alpha', 'beta'] }));
    expect(saved.prune).toBeUndefined();
    const result = await applySavedPlan(saved, { ...base, store, projects: [] });
    expect(result.pruned).toBeUndefined();
    expect(await server.liveKeys('gamma')).toHaveLength(1);
  });

  it('refuses, changing nothing, when another project became unlisted since', async () => {
    const { server, store, base } = await setup();
    const saved = throughFile(
      await savePlan({ ...base, store, projects: ['alpha', 'beta'], prune: true }),
    );
    await provision({ ...base, store, projects: ['alpha', 'beta', 'gamma', 'delta', 'eps'] });
    const run = applySavedPlan(saved, { ...base, store, projects: [] });
    await expect(run).rejects.toMatchObject({ code: 'plan_stale' });
    expect(String(((await run.catch((e) => e)) as Error).message)).toContain(
      'now delta, eps, gamma, not delta, gamma',
    );
    expect(await server.liveKeys('gamma')).toHaveLength(1);
    expect(await server.liveKeys('eps')).toHaveLength(1);
  });

  it('refuses an edited prune decision (invalid_plan)', async () => {
    const { store, base } = await setup();
    const saved = await savePlan({ ...base, store, projects: ['alpha', 'beta'], prune: true });
    const edited = JSON.parse(JSON.stringify(saved));
    edited.prune[0].decision.revoke = [];
    await expect(
      applySavedPlan(parseSavedPlan(JSON.stringify(edited)), { ...base, store, projects: [] }),
    ).rejects.toMatchObject({ code: 'invalid_plan' });
  });
});
