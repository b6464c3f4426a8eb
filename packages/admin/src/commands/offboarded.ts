/**
 * Off-boarding remembered (issue 22): `revoke --keep-secret` keeps `stemedb-key-<project>` but
 * marks the project off-boarded with a second secret, `stemedb-offboarded-<project>` (its value
 * says when; nothing secret). `rotate --all` skips marked projects, so it never brings an
 * off-boarded project back; `provision` of a project the file lists again clears the mark.
 * A separate secret rather than a label or annotation: the store interface has values only,
 * and the kept secret's versions stay exactly as they were.
 */
import type { SecretStore } from '../stores/types.js';
import { storeFailure } from './context.js';

/** The prefix of the off-boarding marks. */
export const OFFBOARDED_SECRET_PREFIX = 'stemedb-offboarded-';

/** The mark's secret name for `project`. */
export function offboardedSecret(project: string): string {
  return `${OFFBOARDED_SECRET_PREFIX}${project}`;
}

/** The projects marked off-boarded in `store`. */
export async function offboardedProjects(
  store: SecretStore,
  signal: AbortSignal | undefined,
): Promise<Set<string>> {
  const names = await store.list(OFFBOARDED_SECRET_PREFIX, { signal }).catch((e) => {
    throw storeFailure(e, 'listing the off-boarded projects');
  });
  return offboardedIn(names);
}

/** The projects whose off-boarding marks are among `names` (secret names of any kind). */
export function offboardedIn(names: readonly string[]): Set<string> {
  return new Set(
    names
      .filter((n) => n.startsWith(OFFBOARDED_SECRET_PREFIX))
      .map((n) => n.slice(OFFBOARDED_SECRET_PREFIX.length)),
  );
}

/** Marks `project` off-boarded. */
export async function markOffboarded(
  store: SecretStore,
  project: string,
  at: Date,
  signal: AbortSignal | undefined,
): Promise<void> {
  await store
    .writeVersion(offboardedSecret(project), `off-boarded at ${at.toISOString()}`, { signal })
    .catch((e) => {
      throw storeFailure(e, `marking ${project} off-boarded`);
    });
}
