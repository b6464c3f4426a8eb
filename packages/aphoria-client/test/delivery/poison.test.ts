/**
 * Poison records (issue 21): a record StemeDB answers 500 on every attempt is counted in the
 * journal, dead-lettered after `maxAttempts` (`<scan>.dead` beside the journal), reported, and
 * never holds back another record or scan. 0.1 took the 500 for "server down": the run
 * stopped, exit 0, and every later scan was spooled behind it and never sent.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { flushSpool, persistScan, spoolStatus } from '../../src/index.js';
import { computeScanId } from '../../src/scan-id.js';
import { readDeadLetters } from '../../src/spool/dead-letter.js';
import { nodeSpoolFs } from '../../src/spool/fs.js';
import { findingSubject } from '../../src/subjects.js';
import { spoolWholeScan } from '../kill/support-spool.js';
import {
  configVia,
  INSTANT_RETRY,
  makeScan,
  readBack,
  tempDir,
  useEmulator,
  warnings,
} from '../support/persist.js';
import { type FaultProxy, startProxy } from '../support/proxy.js';

// Started once, its faults and temp dirs cleared after each test; the proxy in front of it
// is this file's.
const emu = useEmulator();
let proxy: FaultProxy;
beforeAll(async () => {
  proxy = await startProxy(emu().url);
});
afterEach(() => {
  proxy.rule = () => ({ kind: 'pass' });
});
afterAll(async () => {
  await proxy.close();
});

const SERVER_ERROR = {
  kind: 'answer' as const,
  status: 500,
  body: JSON.stringify({ error: { code: 'internal', message: 'boom' } }),
};

/** A 500 on every write of the finding whose fingerprint is `fingerprint`. */
function poison(scan: ReturnType<typeof makeScan>, index: number) {
  const subject = JSON.stringify(findingSubject(scan.project, scan.findings[index]!.fingerprint));
  return (req: { method: string; body: string }) =>
    req.method === 'POST' && req.body.includes(subject) ? SERVER_ERROR : { kind: 'pass' as const };
}

describe('a record answered 500 on every attempt', () => {
  it('is dead-lettered after maxAttempts; every other finding is stored; the summary withheld', async () => {
    const scan = makeScan(60, 'poison');
    const config = configVia(proxy.url, emu(), await tempDir());
    proxy.rule = poison(scan, 7);
    const w = warnings();
    const result = await persistScan(scan, {
      config,
      clientOptions: INSTANT_RETRY,
      onWarning: w.onWarning,
    });
    expect(result).toMatchObject({ sent: 59, spooled: 0, rejected: 1, complete: false });
    expect(result.rejections).toMatchObject([{ findingIndex: 7, status: 500 }]);
    const back = await readBack(emu(), scan);
    expect(back.stored).toBe(59); // 59 findings, no summary: the scan never looks whole
    expect(back.doubled).toEqual([]);
    const id = computeScanId(scan);
    const dead = await readDeadLetters(nodeSpoolFs, join(config.spoolDir, `${id}.dead`));
    expect(dead).toMatchObject([{ i: 7, f: 7, status: 500, attempts: 3 }]);
    expect(
      proxy.seen.filter((r) => r.method === 'POST' && r.body.includes('fp-poison-7"')),
    ).toHaveLength(3);
    const status = await spoolStatus({ config });
    expect(status).toMatchObject({ scans: 0, deadLetters: [{ scanId: id, records: 1 }] });
  });

  it('counts attempts over runs: maxAttempts 1 dead-letters at the first 500', async () => {
    const scan = makeScan(10, 'poison-once');
    const config = configVia(proxy.url, emu(), await tempDir());
    proxy.rule = poison(scan, 0);
    const result = await persistScan(scan, {
      config,
      maxAttempts: 1,
      clientOptions: INSTANT_RETRY,
      onWarning: () => {},
    });
    expect(result).toMatchObject({ sent: 9, rejected: 1 });
  });

  it('500 on every write is the server failing, not records: spooled, nothing dead-lettered', async () => {
    const scan = makeScan(40, 'poison-all');
    const config = configVia(proxy.url, emu(), await tempDir());
    proxy.rule = (req) => (req.method === 'POST' ? SERVER_ERROR : { kind: 'pass' });
    const result = await persistScan(scan, {
      config,
      clientOptions: INSTANT_RETRY,
      onWarning: () => {},
    });
    expect(result).toMatchObject({ sent: 0, rejected: 0, spooled: 41 });
    expect((await readdir(config.spoolDir)).filter((n) => n.endsWith('.dead'))).toEqual([]);
    proxy.rule = () => ({ kind: 'pass' });
    const flushed = await flushSpool({ config, onWarning: () => {} });
    expect(flushed).toMatchObject({ sent: 41, spooled: 0 });
  });
});

describe('older spooled scans never hold a run back', () => {
  it('a persist delivers its own scan, and the older one around its poison record', async () => {
    const dir = await tempDir();
    const config = configVia(proxy.url, emu(), dir);
    const older = await spoolWholeScan(emu(), config, 30, 'older-poison');
    const scan = makeScan(30, 'newer');
    proxy.rule = poison(older, 3);
    const result = await persistScan(scan, {
      config,
      clientOptions: INSTANT_RETRY,
      onWarning: () => {},
    });
    expect(result).toMatchObject({ complete: true, sent: 31 });
    expect(result.flushed).toMatchObject({ sent: 29, rejected: 1, spooled: 0 });
    expect(await readBack(emu(), scan)).toEqual({
      stored: 31,
      missing: [],
      doubled: [],
      extra: [],
    });
    expect((await readBack(emu(), older)).stored).toBe(29);
  });

  it('an unreadable spool entry (a directory in its place) is skipped and reported, not exit 1', async () => {
    const dir = await tempDir();
    const config = configVia(proxy.url, emu(), dir);
    await mkdir(join(config.spoolDir, `${'e'.repeat(32)}.journal`), { recursive: true });
    const scan = makeScan(5, 'beside-a-dir');
    const w = warnings();
    const result = await persistScan(scan, { config, onWarning: w.onWarning });
    expect(result).toMatchObject({ complete: true });
    expect(result.flushed.skipped).toMatchObject([{ reason: 'unreadable' }]);
    expect(w.list.join('\n')).toMatch(/EISDIR/);
    const flushed = await flushSpool({ config, onWarning: () => {} });
    expect(flushed.skipped).toMatchObject([{ reason: 'unreadable' }]);
  });
});
