/**
 * The `Journal` type's one hard rule (spool/journal.ts): a record of a journal being written is
 * handed out by `pending()` only once its batch is fsynced, and an acknowledgement is appended
 * only after the seal. The fsyncs are held back here (a gate on `SpoolFile.sync`), so that
 * "too early" is observable instead of a race.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeSpoolFs, type SpoolFs } from '../../src/spool/fs.js';
import { Journal } from '../../src/spool/journal.js';
import { ACK_LINGER_MS } from '../../src/spool/journal-write.js';
import {
  type AssertionRecord,
  type HeaderRecord,
  JOURNAL_VERSION,
} from '../../src/spool/record.js';
import { DEFAULT_SEAMS, Spool } from '../../src/spool/spool.js';
import { cleanupDirs, tempDir } from '../support/persist.js';

afterEach(cleanupDirs);

const SCAN = 'ab'.repeat(16);
const AGENT = `aphoria-scan/${SCAN}`;
const header: HeaderRecord & { total: number } = {
  t: 'h',
  v: JOURNAL_VERSION,
  scan: SCAN,
  agent: AGENT,
  project: 'payments-api',
  at: '2026-12-01T10:00:00.000Z',
  total: 3,
};
const records = (): AssertionRecord[] =>
  [0, 1, 2].map((i) => ({
    t: 'a',
    i,
    ...(i < 2 ? { f: i } : {}),
    in: { subject: `s/${i}`, predicate: 'p', value: i, agent_id: AGENT },
  }));

/** nodeSpoolFs whose file fsyncs wait for a permit each (`allow`). */
function gatedFs(): { fs: SpoolFs; allow: (n?: number) => void; syncs: () => number } {
  let permits = 0;
  let done = 0;
  let waiters: Array<() => void> = [];
  const allow = (n = 1) => {
    permits += n;
    const woken = waiters;
    waiters = [];
    for (const wake of woken) wake();
  };
  const gate = async () => {
    while (permits === 0) await new Promise<void>((resolve) => waiters.push(resolve));
    permits -= 1;
  };
  const wrap = (open: (path: string) => ReturnType<SpoolFs['create']>) => async (path: string) => {
    const file = await open(path);
    return {
      write: (data: string) => file.write(data),
      sync: async () => {
        await gate();
        await file.sync();
        done += 1;
      },
      close: () => file.close(),
    };
  };
  const fs: SpoolFs = {
    ...nodeSpoolFs,
    create: wrap((p) => nodeSpoolFs.create(p)),
    append: wrap((p) => nodeSpoolFs.append(p)),
  };
  return { fs, allow, syncs: () => done };
}

const settleFor = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Journal.create', () => {
  it('hands out no record before the batch holding it is fsynced', async () => {
    const dir = await tempDir('aphoria-journal-');
    const gated = gatedFs();
    const spool = new Spool(join(dir, 'spool'), { ...DEFAULT_SEAMS, fs: gated.fs });
    await spool.ensureDir();
    const fatal: unknown[] = [];
    const journal = Journal.create(spool, header, records, (e) => fatal.push(e));
    const pending = journal.pending()[Symbol.asyncIterator]();
    const first = pending.next();
    const early = await Promise.race([
      first.then(() => 'record'),
      settleFor(100).then(() => 'none'),
    ]);
    expect(early).toBe('none'); // written, not yet fsynced: not handed out
    gated.allow(); // the batch's fsync
    expect((await first).value).toMatchObject({ i: 0 });
    expect(gated.syncs()).toBeGreaterThanOrEqual(1);
    gated.allow(10);
    expect(await journal.sealed()).toBe(true);
    await journal.close();
    expect(fatal).toEqual([]);
  });

  it('appends no acknowledgement before the seal is on disk', async () => {
    const dir = await tempDir('aphoria-journal-');
    const gated = gatedFs();
    const spool = new Spool(join(dir, 'spool'), { ...DEFAULT_SEAMS, fs: gated.fs });
    await spool.ensureDir();
    const journal = Journal.create(spool, header, records, () => {});
    const pending = journal.pending()[Symbol.asyncIterator]();
    const first = pending.next();
    gated.allow(); // the records' batch is durable; the fsync before the seal is held
    const record = (await first).value as AssertionRecord;
    journal.ack(record.i); // as if the server had answered at once
    await settleFor(ACK_LINGER_MS * 5);
    const path = spool.journalPath(SCAN);
    const before = await readFile(path, 'utf8');
    expect(before).not.toContain('"t":"s"');
    expect(before).not.toContain('"t":"k"');
    gated.allow(10);
    expect(await journal.sealed()).toBe(true);
    await journal.close();
    const after = await readFile(path, 'utf8');
    expect(after.indexOf('"t":"k"')).toBeGreaterThan(after.indexOf('"t":"s"'));
  });
});
