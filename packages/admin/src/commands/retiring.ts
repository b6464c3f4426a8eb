/**
 * Where a rotation's grace is recorded so that no crash can lose it (issue 22): before `rotate`
 * stores the new key, it writes `stemedb-retiring-<project>` naming the hash of the key being
 * replaced and the grace. The retire time is then the stored version's creation time (kept by
 * every store) plus that grace: nothing lives only in the rotating process. A crash before the
 * new key is stored leaves a record naming the key still stored, which is ignored; the next
 * rotation overwrites it. Without a record, an older live key of the label is an orphan (a
 * crash between storing and revoking), revoked once older than the lease.
 *
 * A record rather than "the live key older than the stored version": a crash between creating
 * and storing leaves an orphan that is also older than the version the next run stores, and
 * must not get a grace.
 */
import { z } from 'zod';
import type { SecretStore } from '../stores/types.js';
import { storeFailure } from './context.js';

/** The prefix of the grace records. */
export const RETIRING_SECRET_PREFIX = 'stemedb-retiring-';

/** The grace record's secret name for `project`. */
export function retiringSecret(project: string): string {
  return `${RETIRING_SECRET_PREFIX}${project}`;
}

/** What a rotation records: the replaced key's hash (never the key) and its grace. */
export interface RetiringRecord {
  readonly hash: string;
  readonly graceMs: number;
}

const RecordSchema = z.object({
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  graceMs: z.int().min(0),
});

/** The project's record, or `undefined` when there is none (or it is unreadable). */
export async function readRetiring(
  store: SecretStore,
  project: string,
  signal: AbortSignal | undefined,
): Promise<RetiringRecord | undefined> {
  const text = await store.readLatest(retiringSecret(project), { signal });
  if (text === undefined) return undefined;
  try {
    const parsed = RecordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Records that `record.hash` is being replaced, before the new key is stored. */
export async function writeRetiring(
  store: SecretStore,
  project: string,
  record: RetiringRecord,
  signal: AbortSignal | undefined,
): Promise<void> {
  await store
    .writeVersion(retiringSecret(project), JSON.stringify(record), { signal })
    .catch((e) => {
      throw storeFailure(e, `recording the grace of ${project}'s replaced key`);
    });
}
