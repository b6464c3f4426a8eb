import { basename } from 'node:path';
import { z } from 'zod';
import type { StoredAssertion } from './assertion-store.js';
import type { KeyRecord } from './key-store.js';
import { KEY_HASH_PATTERN } from './keys.js';

/**
 * The shapes of what a data directory holds, checked on load: a hand-edited or damaged file must
 * stop the boot with the file and the field named, never authenticate a half-made admin record.
 */

/** The version every data file carries; a different one is not ours to read. */
export const FORMAT_VERSION = 1;

const timestamp = z.iso.datetime();

/** A key record as kept on disk (hash only, never plaintext). */
export const keyRecordSchema = z.strictObject({
  hash: z.string().regex(KEY_HASH_PATTERN, 'must be 64 lowercase hex characters'),
  label: z.string().min(1),
  role: z.enum(['admin', 'write_agent', 'read_agent']),
  created_at: timestamp,
  revoked_at: timestamp.nullable(),
}) satisfies z.ZodType<KeyRecord>;

/** A stored assertion as kept on disk: the wire shape plus its sequence number. */
export const storedAssertionSchema = z.strictObject({
  seq: z.number().int().min(1),
  id: z.string().min(1),
  subject: z.string(),
  predicate: z.string(),
  // z.json() would accept a missing value (undefined); a stored assertion always has one.
  value: z.json().refine((value) => value !== undefined, 'is required'),
  agent_id: z.string(),
  accepted_at: timestamp,
}) satisfies z.ZodType<StoredAssertion>;

/**
 * `keys.json`: every key as of log sequence number `lsn`. Files written before the journal
 * existed have no `lsn` (0: every journal record is newer).
 */
export const keysFileSchema = z.strictObject({
  version: z.literal(FORMAT_VERSION),
  lsn: z.number().int().min(0).optional(),
  keys: z.array(keyRecordSchema),
});

/** `assertions.json`: every assertion as of log sequence number `lsn`, oldest first. */
export const assertionsFileSchema = z.strictObject({
  version: z.literal(FORMAT_VERSION),
  lsn: z.number().int().min(0).optional(),
  assertions: z.array(storedAssertionSchema),
});

/**
 * One journal record: the changes of one request, applied together or not at all (a key
 * rotation revokes one key and creates another in one record). Key records are whole records
 * (upserts by hash), so replay needs no history.
 */
export const journalRecordSchema = z
  .strictObject({
    lsn: z.number().int().min(1),
    keys: z.array(keyRecordSchema).optional(),
    assertions: z.array(storedAssertionSchema).optional(),
  })
  .refine((record) => record.keys !== undefined || record.assertions !== undefined, {
    message: 'must hold keys or assertions',
  });

/** One journal record, as written (the schema's output is assignable to it). */
export interface JournalRecord {
  lsn: number;
  keys?: KeyRecord[];
  assertions?: StoredAssertion[];
}

/** A data file that cannot be loaded; the message names the file and, where known, the field. */
export class DataFileError extends Error {
  override readonly name: string = 'DataFileError';
}

/**
 * A journal segment damaged in its middle: a bad record followed by whole, valid ones. A crash
 * mid-append only ever damages the end (appends are fsynced in order), so this is a disk or a
 * hand that changed the file, and dropping the records after the damage would lose
 * acknowledged writes: the boot stops instead.
 */
export class JournalCorruptError extends DataFileError {
  override readonly name: string = 'JournalCorruptError';
  constructor(
    /** The segment's path. */
    readonly path: string,
    /** The byte offset of the damaged record. */
    readonly offset: number,
    /** The byte offset of the first whole record after it. */
    readonly nextValidOffset: number,
  ) {
    super(
      `${path}: damaged record at byte ${offset}, followed by whole records (from byte ${nextValidOffset}): the journal is corrupt in its middle, not torn at its end; restore ${basename(path)} from a backup or move it away`,
    );
  }
}

/**
 * Parses `value` with `schema` or throws a {@link DataFileError} naming the file, where in it
 * (`where`, e.g. a byte offset) and the first offending field. Never quotes a value.
 */
export function parseDataFile<T>(
  schema: z.ZodType<T>,
  value: unknown,
  path: string,
  where = '',
): T {
  const result = schema.safeParse(value);
  // The parsed JSON itself, not zod's copy, which would drop a `__proto__` key in a value.
  if (result.success) return value as T;
  const issue = result.error.issues[0]!;
  const field = issue.path.map(String).join('.') || '(top level)';
  const version =
    typeof value === 'object' && value !== null && 'version' in value ? '' : ' (no version)';
  throw new DataFileError(
    `${path}${where}: not an emulator data file${version}: ${field}: ${issue.message}`,
  );
}

/** Parses JSON text from a data file, naming the file when it is damaged or truncated. */
export function parseDataJson(text: string, path: string, where = ''): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new DataFileError(
      `${path}${where}: not valid JSON (truncated or damaged); restore ${basename(path)} or move it away`,
    );
  }
}
