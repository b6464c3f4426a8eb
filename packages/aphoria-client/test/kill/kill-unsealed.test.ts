/**
 * The headline of issue 21: a `persistScan` killed with SIGKILL while its journal was still
 * being written (cut off before its seal), some of its records already sent. The next `flush`
 * must send every record the journal holds, exactly once, and say what never reached it; it
 * must never discard the journal (0.1 did: exit 0, and the findings never reached StemeDB).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flushSpoolWith } from '../../src/flush.js';
import { persistScan, spoolStatus } from '../../src/index.js';
import { DEFAULT_SEAMS, type SpoolSeams } from '../../src/spool/spool.js';
import {
  configFor,
  makeScan,
  readBack,
  tempDir,
  useEmulator,
  warnings,
} from '../support/persist.js';
import { killWhen, startChild, storedCount } from './support.js';

const FINDINGS = 2_000;
const TOTAL = FINDINGS + 1;
const RECOVERY: SpoolSeams = { ...DEFAULT_SEAMS, lockStaleMs: 2_000, flushLockWaitMs: 3_000 };

// Started once, its faults and temp dirs cleared after each test.
const emu = useEmulator();

describe('kill -9 while the journal is written, with records already sent', () => {
  it('flush sends every journaled record once, reports what is missing; persisting again completes', async () => {
    const seed = 'kill-unsealed';
    const scan = makeScan(FINDINGS, seed);
    const config = configFor(emu(), await tempDir());
    const base = storedCount(emu());
    // The third batch write hangs: two batches are in the file, the first fsynced and sent.
    const child = startChild({
      mode: 'persist',
      url: config.url,
      apiKey: config.apiKey,
      spoolDir: config.spoolDir,
      findings: FINDINGS,
      seed,
      concurrency: 4,
      stallJournalWrite: 3,
    });
    await killWhen(child, () => storedCount(emu()) - base >= 100);
    const [name] = (await readdir(config.spoolDir)).filter((f) => f.endsWith('.journal'));
    const text = await readFile(join(config.spoolDir, name!), 'utf8');
    expect(text).not.toContain('{"t":"s"'); // cut off before its seal
    const journaled = text.split('\n').filter((l) => l.startsWith('{"t":"a"', 9)).length;
    const before = await readBack(emu(), scan);
    expect(before.stored).toBeGreaterThanOrEqual(100);
    expect(before.stored).toBeLessThan(journaled); // some journaled records were never sent

    const status = await spoolStatus({ config });
    expect(status.entries).toMatchObject([
      { sealed: false, records: journaled, missing: TOTAL - journaled },
    ]);

    const w = warnings();
    const flushed = await flushSpoolWith({ config, onWarning: w.onWarning }, RECOVERY);
    expect(flushed).toMatchObject({
      scans: 1,
      completed: 1,
      spooled: 0,
      discarded: 0,
      incomplete: [{ missing: TOTAL - journaled, delivered: true }],
    });
    expect(flushed.sent + flushed.alreadyPresent).toBe(journaled);
    expect(w.list.join('\n')).toMatch(/never reached it; persist that scan again/);
    const after = await readBack(emu(), scan);
    expect(after).toMatchObject({ stored: journaled, doubled: [], extra: [] });

    const again = await persistScan(scan, { config, onWarning: () => {} });
    expect(again).toMatchObject({ complete: true, spooled: 0, alreadyPresent: journaled });
    expect(await readBack(emu(), scan)).toEqual({
      stored: TOTAL,
      missing: [],
      doubled: [],
      extra: [],
    });
  }, 60_000);
});
