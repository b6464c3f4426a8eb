import { join } from 'node:path';
import type { StoredAssertion } from './assertion-store.js';
import {
  ASSERTIONS_FILE,
  type DataFs,
  KEYS_FILE,
  listSegments,
  prepareDataDir,
  segmentName,
} from './data-dir.js';
import {
  assertionsFileSchema,
  keysFileSchema,
  parseDataFile,
  parseDataJson,
} from './data-schemas.js';
import { decodeJournal } from './journal-format.js';
import type { KeyRecord } from './key-store.js';

/**
 * Loading a data directory: the two snapshots (`keys.json`, `assertions.json`), then every
 * journal segment replayed over them in order. A record at or below a snapshot's `lsn` is
 * already in that snapshot (a crash between a compaction's steps leaves such records behind)
 * and is skipped, so replay is exact whatever step a crash interrupted.
 */

/** What a data directory holds, plus where the journal continues. */
export interface PersistedState {
  keys: KeyRecord[];
  assertions: StoredAssertion[];
  /** The highest log sequence number seen (snapshots and journal). */
  lsn: number;
  /** The last segment and its valid length, to append to; undefined when there is none. */
  segment?: { number: number; length: number };
  /** Bytes of the two snapshots, which sets when the journal is next compacted. */
  snapshotBytes: number;
}

/** Reads a data directory, creating it (0700) if needed; missing files mean an empty state. */
export async function loadState(fs: DataFs, dataDir: string): Promise<PersistedState> {
  await prepareDataDir(fs, dataDir);
  const keysFile = await readSnapshot(fs, join(dataDir, KEYS_FILE), keysFileSchema);
  const assertionsFile = await readSnapshot(
    fs,
    join(dataDir, ASSERTIONS_FILE),
    assertionsFileSchema,
  );
  const keysLsn = keysFile?.value.lsn ?? 0;
  const assertionsLsn = assertionsFile?.value.lsn ?? 0;
  const keys = new Map<string, KeyRecord>();
  for (const record of keysFile?.value.keys ?? []) keys.set(record.hash, record);
  const assertions: StoredAssertion[] = [...(assertionsFile?.value.assertions ?? [])];
  let lastSeq = assertions.reduce((max, item) => Math.max(max, item.seq), 0);
  let lsn = Math.max(keysLsn, assertionsLsn);

  let segment: PersistedState['segment'];
  for (const number of await listSegments(fs, dataDir)) {
    const path = join(dataDir, segmentName(number));
    const decoded = decodeJournal(await fs.readFile(path), path);
    if (decoded.torn) await cutTornTail(fs, path, decoded.validBytes, decoded.torn);
    for (const record of decoded.records) {
      lsn = Math.max(lsn, record.lsn);
      if (record.lsn > keysLsn) for (const key of record.keys ?? []) keys.set(key.hash, key);
      if (record.lsn <= assertionsLsn) continue;
      for (const item of record.assertions ?? []) {
        if (item.seq <= lastSeq) continue;
        assertions.push(item);
        lastSeq = item.seq;
      }
    }
    segment = { number, length: decoded.validBytes };
  }
  return {
    keys: [...keys.values()],
    assertions,
    lsn,
    ...(segment ? { segment } : {}),
    snapshotBytes: (keysFile?.bytes ?? 0) + (assertionsFile?.bytes ?? 0),
  };
}

async function readSnapshot<T>(
  fs: DataFs,
  path: string,
  schema: Parameters<typeof parseDataFile<T>>[0],
): Promise<{ value: T; bytes: number } | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const value = parseDataFile(schema, parseDataJson(text, path), path);
  return { value, bytes: Buffer.byteLength(text) };
}

/**
 * Drops a torn last record (a crash mid-append: never acknowledged) so new records do not land
 * after garbage, and says so once on stderr: it is the only time a boot changes a file.
 */
async function cutTornTail(fs: DataFs, path: string, length: number, why: string) {
  const handle = await fs.open(path, 'r+');
  try {
    await handle.truncate(length);
    await handle.sync();
  } finally {
    await handle.close();
  }
  process.stderr.write(
    `stemedb-emulator: ${path}: dropped ${why} at byte ${length} (an append a crash interrupted)\n`,
  );
}
