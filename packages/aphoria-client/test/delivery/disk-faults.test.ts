/**
 * Disk faults (issue 21): a full disk or an I/O error on one journal isolates that journal
 * (reported, skipped; the rest of the spool is sent), and a failed compaction is not a failed
 * run. 0.1 ended the whole run with exit 1 on either.
 */
import { readdir } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { flushSpoolWith } from '../../src/flush.js';
import { computeScanId, flushSpool } from '../../src/index.js';
import { nodeSpoolFs, type SpoolFs } from '../../src/spool/fs.js';
import { DEFAULT_SEAMS } from '../../src/spool/spool.js';
import { spoolWholeScan } from '../kill/support-spool.js';
import {
  configFor,
  configVia,
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

const fault = (code: string) => Object.assign(new Error(`${code}: simulated`), { code });

/** The real file system, but appending to a path that `hit` matches fails with `code`. */
function appendsFail(hit: (path: string) => boolean, code: string): SpoolFs {
  return {
    ...nodeSpoolFs,
    async append(path) {
      const file = await nodeSpoolFs.append(path);
      if (!hit(path)) return file;
      return {
        ...file,
        async write() {
          throw fault(code);
        },
      };
    },
  };
}

describe('a full disk on one journal', () => {
  it('skips that journal (reported) and sends the others; the next run completes it once', async () => {
    const config = configFor(emu(), await tempDir());
    const full = await spoolWholeScan(emu(), config, 30, 'disk-full');
    const fine = await spoolWholeScan(emu(), config, 30, 'disk-fine');
    const fullId = computeScanId(full);
    const w = warnings();
    const flushed = await flushSpoolWith(
      { config, onWarning: w.onWarning },
      { ...DEFAULT_SEAMS, fs: appendsFail((p) => p.includes(fullId), 'ENOSPC') },
    );
    expect(flushed.skipped).toMatchObject([{ scanId: fullId, reason: 'unwritable' }]);
    expect(flushed.completed).toBe(1);
    expect(w.list.join('\n')).toMatch(/ENOSPC/);
    expect(await readBack(emu(), fine)).toEqual({
      stored: 31,
      missing: [],
      doubled: [],
      extra: [],
    });
    expect((await readdir(config.spoolDir)).filter((n) => n.endsWith('.journal'))).toEqual([
      `${fullId}.journal`,
    ]);

    const again = await flushSpool({ config, onWarning: () => {} });
    expect(again).toMatchObject({ completed: 1, spooled: 0, skipped: [] });
    expect(await readBack(emu(), full)).toEqual({
      stored: 31,
      missing: [],
      doubled: [],
      extra: [],
    });
  });
});

describe('a compaction that fails', () => {
  it('is a warning, not a failed run; the journal is kept whole and completed later', async () => {
    const config = configVia(proxy.url, emu(), await tempDir());
    const scan = await spoolWholeScan(emu(), config, 40, 'compact-fails');
    let posts = 0;
    proxy.rule = (req) =>
      req.method === 'POST' && ++posts > 25
        ? { kind: 'answer', status: 503, body: 'Service Unavailable', contentType: 'text/plain' }
        : { kind: 'pass' };
    const failingCompaction: SpoolFs = {
      ...nodeSpoolFs,
      create: async (path) => {
        if (path.endsWith('.compact')) throw fault('EIO');
        return nodeSpoolFs.create(path);
      },
    };
    const w = warnings();
    const flushed = await flushSpoolWith(
      { config, concurrency: 1, onWarning: w.onWarning, clientOptions: { retry: false } },
      { ...DEFAULT_SEAMS, fs: failingCompaction, compactMinDone: 5 },
    );
    expect(flushed).toMatchObject({ sent: 25, spooled: 16, reachable: false });
    expect(w.list.join('\n')).toMatch(/could not compact .*EIO/);
    proxy.rule = () => ({ kind: 'pass' });
    const again = await flushSpool({ config, onWarning: () => {} });
    expect(again).toMatchObject({ completed: 1, spooled: 0 });
    expect(await readBack(emu(), scan)).toEqual({
      stored: 41,
      missing: [],
      doubled: [],
      extra: [],
    });
  });
});
