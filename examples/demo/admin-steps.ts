/**
 * The operator's side, through @stemedb/admin as a library (the same functions `stemedb-admin`
 * runs): the root key, provisioning that converges, and the gate checks.
 */
import {
  bootstrap,
  type GateCheck,
  gate,
  planProvision,
  provision,
  ROOT_KEY_SECRET,
  type SecretStore,
} from '@stemedb/admin';
import { say, shortHash, table } from './output.js';

/** Generates the root key into the store (once), and reads it back to start the server with. */
export async function bootstrapRootKey(store: SecretStore): Promise<string> {
  const result = await bootstrap({ store });
  say(
    `${result.created ? 'generated' : 'found'} ${ROOT_KEY_SECRET} (hash ${shortHash(result.hash)})`,
  );
  const key = await store.readLatest(ROOT_KEY_SECRET);
  if (key === undefined) throw new Error(`${ROOT_KEY_SECRET} is not in the store`);
  return key;
}

/** Confirms the server accepts the stored root key (`stemedb-admin bootstrap --check`). */
export async function checkRootKey(store: SecretStore, url: string): Promise<void> {
  const result = await bootstrap({ store, url, check: true });
  say(`the server ${result.serverAccepts ? 'accepts' : 'REFUSES'} the stored root key`);
  if (!result.serverAccepts) throw new Error('the server refuses the stored root key');
}

/** Plans, applies, and returns the summary line of a provision run. */
export async function provisionProjects(
  store: SecretStore,
  url: string,
  adminKey: string,
  projects: readonly string[],
  options: { showPlan: boolean },
): Promise<string> {
  const base = { url, adminKey, store, projects };
  if (options.showPlan) {
    const plan = await planProvision(base);
    for (const p of plan.projects)
      say(`plan  ${p.project.padEnd(16)} ${p.action.padEnd(9)} ${p.reason}`);
  }
  const result = await provision(base);
  for (const p of result.projects) {
    say(
      `done  ${p.project.padEnd(16)} ${p.action}${p.revoked > 0 ? `, revoked ${p.revoked}` : ''}`,
    );
  }
  const s = result.summary;
  if (s.failed > 0) throw new Error(`provision failed for ${s.failed} project(s)`);
  return `created ${s.created}, replaced ${s.replaced}, unchanged ${s.unchanged}, revoked ${s.revoked}`;
}

/** Runs the gate and prints its table; resolves with the failed checks' names. */
export async function runGate(
  url: string,
  adminKey: string,
  phase: 'phase1' | 'all',
  restart: () => Promise<void>,
): Promise<string[]> {
  const result = await gate({ url, adminKey, phase, restart, rateLimitRequests: 400 });
  const rows = result.checks.map((c: GateCheck) => [
    c.phase,
    c.check,
    c.ok ? 'pass' : 'FAIL',
    c.detail,
  ]);
  for (const line of table([['phase', 'check', 'result', 'detail'], ...rows])) say(line);
  return result.checks.filter((c) => !c.ok).map((c) => c.check);
}
