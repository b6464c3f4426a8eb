import type { AssertionStore, StoredAssertion } from './assertion-store.js';
import type { DataFs } from './data-dir.js';
import { HttpError } from './errors.js';
import { Journal } from './journal.js';
import type { KeyRecord, KeyStore } from './key-store.js';
import type { PersistedState } from './persistence.js';

/**
 * How a change becomes durable, for the routes: the change is made in memory first, then
 * handed here. The promise resolves once it is durable; when it cannot be made durable it is
 * undone and the promise rejects with a 503, so a 503 means nothing happened and a retry cannot
 * duplicate anything (issue 11, item 14).
 */
export interface Durability {
  /** Makes every key-store change made so far durable, or undoes them all. */
  keys(): Promise<void>;
  /** Makes one added assertion durable (it is served from then on), or takes it back. */
  assertion(stored: StoredAssertion): Promise<void>;
  /** Waits for pending writes and leaves the data directory compacted. */
  close(): Promise<void>;
}

/** Without a data directory a change is durable as soon as it is made. */
export function inMemory(keys: KeyStore, assertions: AssertionStore): Durability {
  return {
    async keys() {
      keys.takeChanges();
    },
    async assertion(stored) {
      assertions.commit(stored.seq);
    },
    async close() {},
  };
}

/** With a data directory, every change goes through the journal. */
export function journaled(
  fs: DataFs,
  dataDir: string,
  loaded: PersistedState,
  keys: KeyStore,
  assertions: AssertionStore,
  observe: (seconds: number) => void,
  minCompactionBytes?: number,
): Durability {
  // The keys as on disk: compaction must not snapshot a change whose append is still pending.
  const durableKeys = new Map<string, KeyRecord>(loaded.keys.map((key) => [key.hash, key]));
  const journal = new Journal(
    fs,
    dataDir,
    loaded,
    () => ({
      keys: [...durableKeys.values()],
      assertions: assertions.all(),
      count: assertions.durableCount,
    }),
    observe,
    minCompactionBytes,
  );
  const unavailable = () =>
    new HttpError(503, 'unavailable', 'Could not write to the data directory');
  return {
    async keys() {
      const changes = keys.takeChanges();
      if (changes.length === 0) return;
      await journal
        .append({
          keys: changes.map((change) => change.record),
          commit: () => {
            for (const { record } of changes) durableKeys.set(record.hash, record);
          },
          undo: () => {
            for (let i = changes.length - 1; i >= 0; i--) changes[i]!.undo();
          },
        })
        .catch(() => {
          throw unavailable();
        });
    },
    async assertion(stored) {
      await journal
        .append({
          assertions: [stored],
          commit: () => assertions.commit(stored.seq),
          undo: () => assertions.discard(stored.seq),
        })
        .catch(() => {
          throw unavailable();
        });
    },
    close: () => journal.close(),
  };
}
