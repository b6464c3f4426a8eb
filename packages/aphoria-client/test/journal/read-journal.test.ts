/**
 * readJournal on hand-made files (§3, the spool's guarantees): a torn last record is dropped
 * without losing the records before it, damage anywhere else is refused (and moved aside by
 * the spool), an empty file and a file holding only a seal are journals cut off while being
 * written.
 */
import { appendFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { SpoolCorruptError } from '../../src/errors.js';
import { nodeSpoolFs } from '../../src/spool/fs.js';
import { pendingRecords, readJournal } from '../../src/spool/journal-read.js';
import { AckLog } from '../../src/spool/journal-write.js';
import { encodeRecord, type JournalRecord } from '../../src/spool/record.js';
import { Spool } from '../../src/spool/spool.js';
import { cleanupDirs, tempDir } from '../support/persist.js';

afterEach(cleanupDirs);

const SCAN = 'ab'.repeat(16);
const header: JournalRecord = {
  t: 'h',
  v: 1,
  scan: SCAN,
  agent: `aphoria-scan/${SCAN}`,
  project: 'payments-api',
  at: '2026-12-01T10:00:00.000Z',
};
/** An assertion record; `summary` leaves out its finding index, as the scan's summary does. */
const assertion = (i: number, summary = false): JournalRecord => ({
  t: 'a',
  i,
  ...(summary ? {} : { f: i }),
  in: { subject: `s/${i}`, predicate: 'p', value: { n: i }, agent_id: `aphoria-scan/${SCAN}` },
});
const seal = (n: number): JournalRecord => ({ t: 's', n, total: n, rej: 0 });
const ack = (i: number): JournalRecord => ({ t: 'k', i });

/** Header, three findings and the summary, sealed, then acks of 0 and 1. */
const WHOLE: JournalRecord[] = [
  header,
  assertion(0),
  assertion(1),
  assertion(2),
  assertion(3, true),
  seal(4),
  ack(0),
  ack(1),
];

async function journalOf(text: string): Promise<string> {
  const path = join(await tempDir('aphoria-journal-'), `${SCAN}.journal`);
  await writeFile(path, text);
  return path;
}
const lines = (records: JournalRecord[]) => records.map(encodeRecord).join('');

describe('readJournal', () => {
  it('reads a whole journal: records, seal, what is done, where it ends', async () => {
    const text = lines(WHOLE);
    const state = await readJournal(nodeSpoolFs, await journalOf(text));
    expect(state).toMatchObject({
      records: 4,
      acked: 2,
      summaryIndex: 3,
      seal: { n: 4 },
      validBytes: Buffer.byteLength(text),
      torn: false,
    });
    expect([...state!.done].sort()).toEqual([0, 1]);
  });

  it('drops a torn last record (no newline) and keeps every record before it', async () => {
    const whole = lines(WHOLE);
    const torn = encodeRecord(ack(2)).slice(0, 15); // a power cut mid-append
    const state = await readJournal(nodeSpoolFs, await journalOf(whole + torn));
    expect(state).toMatchObject({ records: 4, acked: 2, torn: true });
    expect(state!.validBytes).toBe(Buffer.byteLength(whole));
    expect(state!.done.has(2)).toBe(false); // never acknowledged durably: read back, not assumed
  });

  it('drops a whole last line whose checksum does not match', async () => {
    const whole = lines(WHOLE);
    const bad = encodeRecord(ack(2)).replace('"i":2', '"i":3');
    const state = await readJournal(nodeSpoolFs, await journalOf(whole + bad));
    expect(state).toMatchObject({ torn: true, acked: 2 });
    expect(state!.done.has(3)).toBe(false);
  });

  it('skips and counts a damaged record in the middle, keeping every record after it', async () => {
    const records = WHOLE.map(encodeRecord);
    records[2] = records[2]!.replace('"s/1"', '"s/X"'); // assertion 1: its checksum fails
    const state = await readJournal(nodeSpoolFs, await journalOf(records.join('')));
    expect(state).toMatchObject({ records: 3, damaged: 1, damagedAssertions: 1, torn: false });
    // A lost finding keeps the summary unsent: the scan is not whole.
    expect(state!.rejectedFindings).toBe(1);
    expect([...state!.done].sort()).toEqual([0, 1]);
    const pending = [];
    for await (const r of pendingRecords(nodeSpoolFs, state!.path, state!.done)) pending.push(r.i);
    expect(pending).toEqual([2, 3]);
  });

  it('counts a damaged ack as damage that loses no finding', async () => {
    const records = WHOLE.map(encodeRecord);
    records[6] = records[6]!.replace('"i":0', '"i":7');
    const state = await readJournal(nodeSpoolFs, await journalOf(records.join('')));
    expect(state).toMatchObject({
      damaged: 1,
      damagedAssertions: 0,
      rejectedFindings: 0,
      acked: 1,
    });
  });

  it('refuses a journal whose header is damaged (nothing in it can be trusted)', async () => {
    const records = WHOLE.map(encodeRecord);
    records[0] = records[0]!.replace('payments-api', 'payments-apX');
    const error = await readJournal(nodeSpoolFs, await journalOf(records.join(''))).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SpoolCorruptError);
    expect((error as Error).message).toMatch(/damaged before byte \d+/);
  });

  it('skips a record out of order when whole records follow it', async () => {
    // An assertion after the seal: the writer never does that.
    const text = lines([...WHOLE.slice(0, 6), assertion(9), ack(0)]);
    const state = await readJournal(nodeSpoolFs, await journalOf(text));
    expect(state).toMatchObject({ records: 4, damaged: 1, damagedAssertions: 0 });
  });

  it('reads nothing of a journal of an unknown version, naming its writer', async () => {
    const text = lines([{ ...header, v: 3, by: 'aphoria-client 0.9.1' }, assertion(0)]);
    const path = await journalOf(text);
    expect(await readJournal(nodeSpoolFs, path)).toMatchObject({
      records: 0,
      foreign: { version: 3, by: 'aphoria-client 0.9.1' },
    });
    const opened = await new Spool(join(path, '..')).open(SCAN);
    expect(opened).toEqual({ kind: 'foreign', path, version: 3, by: 'aphoria-client 0.9.1' });
    expect(await readFile(path, 'utf8')).toBe(text); // untouched
  });

  it('reads assertion lines whose keys come in another order (the shortcut falls back)', async () => {
    const reordered = (i: number) => {
      const json = JSON.stringify({
        in: { subject: `s/${i}`, predicate: 'p', value: i },
        f: i,
        i,
        t: 'a',
      });
      return `${crc32(json).toString(16).padStart(8, '0')} ${json}\n`;
    };
    const text = encodeRecord(header) + reordered(0) + reordered(1) + lines([seal(2), ack(1)]);
    const state = await readJournal(nodeSpoolFs, await journalOf(text));
    expect(state).toMatchObject({ records: 2, acked: 1, summaryIndex: undefined, torn: false });
  });

  it('reads an empty file as no journal (cut off right after it was created)', async () => {
    expect(await readJournal(nodeSpoolFs, await journalOf(''))).toBeUndefined();
  });

  it('reads a file whose header is torn as no journal', async () => {
    const text = encodeRecord(header).slice(0, 30);
    expect(await readJournal(nodeSpoolFs, await journalOf(text))).toBeUndefined();
  });

  it('reads a seal with no header before it as no journal', async () => {
    expect(await readJournal(nodeSpoolFs, await journalOf(lines([seal(0)])))).toBeUndefined();
  });

  it('reads a header and its seal with no assertions as a sealed, empty journal', async () => {
    const state = await readJournal(nodeSpoolFs, await journalOf(lines([header, seal(0)])));
    expect(state).toMatchObject({ records: 0, seal: { n: 0 }, torn: false });
    expect(state!.done.size).toBe(0);
  });

  it('reads a journal cut off before its seal as unsealed', async () => {
    const state = await readJournal(nodeSpoolFs, await journalOf(lines(WHOLE.slice(0, 3))));
    expect(state).toMatchObject({ records: 2, seal: undefined });
  });
});

describe('Spool.open recovers what readJournal finds', () => {
  it('cuts a torn tail off so that new acks land after whole records', async () => {
    const whole = lines(WHOLE);
    const path = await journalOf(whole + encodeRecord(ack(2)).slice(0, 12));
    const spool = new Spool(join(path, '..'));
    const opened = await spool.open(SCAN);
    expect(opened.kind).toBe('ok');
    expect(await readFile(path, 'utf8')).toBe(whole);
    const log = new AckLog(nodeSpoolFs, path, (e) => {
      throw e;
    });
    log.add({ t: 'k', i: 2 });
    await log.close();
    const state = await readJournal(nodeSpoolFs, path);
    expect(state).toMatchObject({ torn: false, acked: 3 });
    const pending = [];
    for await (const r of pendingRecords(nodeSpoolFs, path, state!.done)) pending.push(r.i);
    expect(pending).toEqual([3]);
  });

  it('moves a journal with a damaged header aside so it can never block a run again', async () => {
    const records = WHOLE.map(encodeRecord);
    records[0] = records[0]!.replace('payments-api', 'payments-apX');
    const path = await journalOf(records.join(''));
    const dir = join(path, '..');
    const opened = await new Spool(dir).open(SCAN);
    expect(opened.kind).toBe('corrupt');
    const names = await readdir(dir);
    expect(names.some((n) => n.startsWith(`${SCAN}.journal.corrupt-`))).toBe(true);
    expect(names).not.toContain(`${SCAN}.journal`);
    expect(await new Spool(dir).open(SCAN)).toEqual({ kind: 'none' });
  });

  it('reports an empty journal as unsealed, for the caller to discard', async () => {
    const path = await journalOf('');
    expect(await new Spool(join(path, '..')).open(SCAN)).toEqual({
      kind: 'unsealed',
      path,
      state: undefined,
    });
  });

  it('seals a journal cut off mid-write, torn tail cut, saying how many assertions it misses', async () => {
    const head = { ...header, total: 9 };
    const path = await journalOf(`${lines([head, assertion(0), assertion(1)])}0badc0de {"t":"a"`);
    const spool = new Spool(join(path, '..'));
    const opened = await spool.open(SCAN);
    expect(opened).toMatchObject({ kind: 'unsealed', state: { records: 2, torn: true } });
    if (opened.kind !== 'unsealed') return;
    const sealed = await spool.sealCut(opened.state!);
    expect(sealed.seal).toEqual({ t: 's', n: 2, total: 2, rej: 0, cut: 7 });
    expect(await spool.open(SCAN)).toMatchObject({
      kind: 'ok',
      state: { records: 2, seal: { cut: 7 }, torn: false },
    });
  });

  it('seals a journal whose every record is there (only the seal missing) as whole', async () => {
    const path = await journalOf(lines(WHOLE.slice(0, -3))); // header, 4 assertions (summary last)
    const spool = new Spool(join(path, '..'));
    const opened = await spool.open(SCAN);
    if (opened.kind !== 'unsealed') throw new Error(opened.kind);
    const sealed = await spool.sealCut(opened.state!);
    expect(sealed.seal).toEqual({ t: 's', n: 4, total: 4, rej: 0 });
  });

  it('removes a compaction cut short and keeps the journal it was replacing', async () => {
    const path = await journalOf(lines(WHOLE));
    await appendFile(`${path}.compact`, lines([header, assertion(2)]));
    const opened = await new Spool(join(path, '..')).open(SCAN);
    expect(opened).toMatchObject({ kind: 'ok', state: { records: 4 } });
    expect(await readdir(join(path, '..'))).toEqual([`${SCAN}.journal`]);
  });
});
