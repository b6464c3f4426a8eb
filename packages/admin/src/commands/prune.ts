/**
 * Stored projects the projects file no longer lists (issue 22, "off-boarding is remembered"):
 * `provision` reports them (`unlisted`), and with `--prune` off-boards them as
 * `revoke --keep-secret` does: every live key of the label revoked (by the one decision,
 * reconcile.ts, with intent `offboard`), the secret kept and marked, so that `rotate --all`
 * skips it and the next provision no longer reports it. A project the file lists again is
 * provisioned and its mark cleared.
 */
import type { StemeAdmin } from '@stemedb/sdk';
import { PROJECT_KEY_SECRET_PREFIX, projectKeyLabel } from '../stores/names.js';
import type { SecretStore } from '../stores/types.js';
import { storeFailure } from './context.js';
import { markOffboarded, offboardedIn, offboardedSecret } from './offboarded.js';
import { reconcileProject } from './reconcile.js';
import { revokeKeys } from './revoke-keys.js';
import type { ServerKeys } from './server-keys.js';

/** What the store holds beside the file's projects. */
export interface Unlisted {
  /** Stored projects the file does not list and that are not off-boarded, sorted. */
  readonly unlisted: string[];
  /** Listed projects marked off-boarded (provision clears the mark). */
  readonly returning: string[];
}

// The prefix the project keys' and the off-boarding marks' secrets share: one listing finds
// both (a store lists everything it manages and filters by prefix, so two listings read the
// same secrets twice: at 1,000 projects, a second page of 1,000 secrets).
const SHARED_PREFIX = 'stemedb-';

/** Compares the store's projects with the file's (one listing of the store). */
export async function findUnlisted(
  store: SecretStore,
  projects: readonly string[],
  signal: AbortSignal | undefined,
): Promise<Unlisted> {
  const all = await store.list(SHARED_PREFIX, { signal }).catch((e) => {
    throw storeFailure(e, 'listing the stored project keys');
  });
  const names = all.filter((n) => n.startsWith(PROJECT_KEY_SECRET_PREFIX));
  const gone = offboardedIn(all);
  const listed = new Set(projects);
  return {
    unlisted: names
      .map((n) => n.slice(PROJECT_KEY_SECRET_PREFIX.length))
      .filter((p) => !listed.has(p) && !gone.has(p)),
    returning: projects.filter((p) => gone.has(p)),
  };
}

/** How many unlisted projects have live keys `--prune` would revoke. */
export function prunedWithLiveKeys(keys: ServerKeys, unlisted: readonly string[]): number {
  return unlisted.filter((p) => (keys.liveByLabel.get(projectKeyLabel(p)) ?? []).length > 0).length;
}

/** One pruned project: how many keys were revoked, or why it failed. */
export interface PrunedProject {
  project: string;
  revoked: number;
  error?: string;
}

/** Off-boards `unlisted` (revoke, keep the secret, mark it). */
export async function pruneProjects(
  admin: StemeAdmin,
  store: SecretStore,
  keys: ServerKeys,
  unlisted: readonly string[],
  now: Date,
  signal: AbortSignal | undefined,
): Promise<PrunedProject[]> {
  const out: PrunedProject[] = [];
  for (const project of unlisted) {
    const live = (keys.liveByLabel.get(projectKeyLabel(project)) ?? []).map((k) => ({
      hash: k.hash,
      role: k.role,
      createdAt: k.created_at,
    }));
    const decision = reconcileProject(
      { project, intent: 'offboard', stored: { kind: 'unread' }, live },
      now,
      { graceMs: 0, leaseMs: 0 },
    );
    try {
      const revoked = await revokeKeys(admin, decision.revoke, signal, projectKeyLabel(project));
      await markOffboarded(store, project, now, signal);
      out.push({ project, revoked: revoked.length });
    } catch (error) {
      out.push({ project, revoked: 0, error: (error as Error).message });
    }
  }
  return out;
}

/** Clears the off-boarding mark of projects the file lists again. */
export async function clearMarks(
  store: SecretStore,
  returning: readonly string[],
  signal: AbortSignal | undefined,
): Promise<void> {
  for (const project of returning) {
    await store.delete(offboardedSecret(project), { signal }).catch((e) => {
      throw storeFailure(e, `clearing the off-boarding mark of ${project}`);
    });
  }
}
