/**
 * A new journal for a scan, written while its first records are already being sent. Every
 * assertion is on disk (file and directory fsynced) before it is sent; the journal is written
 * in batches, each fsynced, and the sender, which maps the scan a second time (lazily: the
 * records are never all in memory), sends record i only once the batch holding it is durable.
 * Journaling a 100,000-finding scan took about a second before the first send; now sending
 * starts after the first batch (bench/README.md).
 *
 * A crash before the seal leaves an unsealed journal some of whose records may have been sent:
 * the next `persistScan` of the scan deletes it, reads the server back and journals again (so
 * nothing is doubled); `flushSpool`, which has no scan to rebuild it from, seals it as cut off
 * and sends every record it holds, reporting how many never reached it (`Spool.sealCut`).
 * Chosen over journaling the whole scan before the first send: that would not remove the cut
 * journal (a kill while journaling still leaves one), and would delay the first send.
 */
import { assertionsOf } from '../mapping.js';
import type { Scan } from '../scan.js';
import { createJournal } from '../spool/journal-write.js';
import type { AssertionRecord } from '../spool/record.js';
import { type HeaderRecord, JOURNAL_VERSION } from '../spool/record.js';
import { targetOf } from '../spool/target.js';
import type { MappedAssertion } from '../types.js';
import { CLIENT_VERSION } from '../version.js';
import type { SealedJournal } from './drain.js';
import type { Run } from './run.js';

/** A journal being written, and the records of it that may be sent. */
export interface FreshJournal {
  readonly journal: SealedJournal;
  /** The journal's records in order, each yielded once it is durable. */
  readonly source: AsyncIterable<AssertionRecord>;
  /** Resolves once the seal is on disk; rejects with the write error (also `sender.fail`'s). */
  readonly sealed: Promise<void>;
}

/** Starts writing the journal of `scan`; call with the scan's lock held. */
export function startFreshJournal(
  run: Run,
  scan: Scan,
  scanId: string,
  agentId: string,
  total: number,
): FreshJournal {
  const target = targetOf(run.options.config);
  const header: HeaderRecord = {
    t: 'h',
    v: JOURNAL_VERSION,
    scan: scanId,
    agent: agentId,
    project: scan.project,
    at: new Date().toISOString(),
    total,
    by: `aphoria-client ${CLIENT_VERSION}`,
    origin: target.origin,
    key: target.key,
  };
  const path = run.spool.journalPath(scanId);
  const durable = new DurableCount();
  const sealed = createJournal(
    run.spool.fs,
    path,
    header,
    records(assertionsOf(scan, scanId)),
    undefined,
    undefined,
    (n) => durable.set(n),
  ).then(
    () => durable.end(),
    (error: unknown) => {
      durable.end();
      run.sender.fail(error);
      throw error;
    },
  );
  sealed.catch(() => {}); // observed by drainJournal; never an unhandled rejection
  return {
    journal: {
      path,
      scanId,
      agentId,
      header,
      records: total,
      total,
      done: new Set(),
      rejectedFindings: 0,
      acked: 0,
      compactedRejections: 0,
      missing: 0,
      attempts: new Map(),
      damaged: 0,
    },
    source: durableRecords(records(assertionsOf(scan, scanId)), durable),
    sealed,
  };
}

function* records(assertions: Iterable<MappedAssertion>): Generator<AssertionRecord> {
  for (const a of assertions) {
    yield a.findingIndex === undefined
      ? { t: 'a', i: a.index, in: a.input }
      : { t: 'a', i: a.index, f: a.findingIndex, in: a.input };
  }
}

/** Yields record i once i + 1 records are durable; stops when the writer ended short of it. */
async function* durableRecords(
  all: Iterable<AssertionRecord>,
  durable: DurableCount,
): AsyncGenerator<AssertionRecord> {
  let n = 0;
  for (const record of all) {
    n += 1;
    if (!(await durable.reach(n))) return; // the write failed: the run is ending
    yield record;
  }
}

/** How many records are durable, and a way to wait for more. */
class DurableCount {
  #count = 0;
  #ended = false;
  #waiters: Array<() => void> = [];

  set(count: number): void {
    this.#count = count;
    this.#wake();
  }

  /** The writer is done (sealed, or failed). */
  end(): void {
    this.#ended = true;
    this.#wake();
  }

  /** Resolves true once `n` records are durable, false if the writer ended before. */
  async reach(n: number): Promise<boolean> {
    while (this.#count < n) {
      if (this.#ended) return false;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    return true;
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
