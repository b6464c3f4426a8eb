import type { StoredAssertion } from './assertion-store.js';
import {
  ASSERTIONS_FILE,
  type DataFs,
  KEYS_FILE,
  listSegments,
  removeFile,
  segmentName,
  syncDir,
  writeFileAtomic,
} from './data-dir.js';
import { FORMAT_VERSION } from './data-schemas.js';
import type { KeyRecord } from './key-store.js';

/** The durable state as of one log sequence number, captured when a journal segment closes. */
export interface SnapshotSource {
  /** Every record up to this one is in the snapshot. */
  lsn: number;
  keys: readonly KeyRecord[];
  /**
   * The store's assertions, oldest first; the first `count` are the durable ones. The array may
   * grow (or lose its not-yet-durable tail) while the snapshot is written; its first `count`
   * items never change.
   */
  assertions: readonly StoredAssertion[];
  count: number;
}

/** Assertions serialised this many at a time, so writing a large snapshot yields to requests. */
const CHUNK_SIZE = 2_000;

/**
 * Folds the journal into the snapshots: writes `keys.json` and `assertions.json` atomically
 * (each stamped with `lsn`), then removes segments up to `upToSegment`. A crash between any two
 * steps is safe: records at or below a snapshot's lsn are skipped on replay, and a segment is
 * removed only once both snapshots hold it. Resolves with the snapshots' size in bytes.
 */
export async function compact(
  fs: DataFs,
  dir: string,
  source: SnapshotSource,
  upToSegment: number,
): Promise<number> {
  const keysBytes = await writeFileAtomic(fs, dir, KEYS_FILE, [
    JSON.stringify({ version: FORMAT_VERSION, lsn: source.lsn, keys: source.keys }),
  ]);
  const assertionBytes = await writeFileAtomic(fs, dir, ASSERTIONS_FILE, assertionChunks(source));
  for (const number of await listSegments(fs, dir)) {
    if (number <= upToSegment) await removeFile(fs, dir, segmentName(number));
  }
  await syncDir(fs, dir);
  return keysBytes + assertionBytes;
}

function* assertionChunks({ lsn, assertions, count }: SnapshotSource): Generator<string> {
  yield `{"version":${FORMAT_VERSION},"lsn":${lsn},"assertions":[`;
  for (let start = 0; start < count; start += CHUNK_SIZE) {
    const end = Math.min(count, start + CHUNK_SIZE);
    const items = assertions.slice(start, end).map((item) => JSON.stringify(item));
    yield `${start === 0 ? '' : ','}${items.join(',')}`;
  }
  yield ']}';
}
