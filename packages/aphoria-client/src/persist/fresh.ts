/**
 * A new journal for a scan, written while its first records are already being sent. Every
 * assertion is on disk (file and directory fsynced) before it is sent; the journal is written
 * in batches, each fsynced, and the delivery loop, which maps the scan a second time (lazily:
 * the records are never all in memory; a scan file is read a second time, scan-file/read.ts),
 * gets record i only once the batch holding it is durable (`Journal.pending`). Journaling a 100,000-finding scan took about a second before the
 * first send; now sending starts after the first batch (bench/README.md).
 *
 * A crash before the seal leaves an unsealed journal some of whose records may have been sent:
 * the next `persistScan` of the scan deletes it, reads the server back and journals again (so
 * nothing is doubled); `flushSpool`, which has no scan to rebuild it from, seals it as cut off
 * and sends every record it holds, reporting how many never reached it (`Spool.sealCut`).
 * Chosen over journaling the whole scan before the first send: that would not remove the cut
 * journal (a kill while journaling still leaves one), and would delay the first send.
 */
import { Journal } from '../spool/journal.js';
import { type HeaderRecord, JOURNAL_VERSION } from '../spool/record.js';
import { targetOf } from '../spool/target.js';
import { CLIENT_VERSION } from '../version.js';
import type { Run } from './run.js';
import type { ScanSource } from './source.js';

/** Starts writing the journal of `source`; call with the scan's lock held. */
export function startFreshJournal(run: Run, source: ScanSource, agentId: string): Journal {
  const target = targetOf(run.options.config);
  const header: HeaderRecord & { total: number } = {
    t: 'h',
    v: JOURNAL_VERSION,
    scan: source.scanId,
    agent: agentId,
    project: source.project,
    at: new Date().toISOString(),
    total: source.total,
    by: `aphoria-client ${CLIENT_VERSION}`,
    origin: target.origin,
    key: target.key,
  };
  return Journal.create(
    run.spool,
    header,
    () => source.records(),
    (error) => run.sender.fail(error),
  );
}
