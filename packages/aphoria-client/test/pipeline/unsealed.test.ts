/**
 * Sending starts while the journal is still being written (each record once its batch is
 * fsynced). A crash before the seal leaves an unsealed journal some of whose records were
 * sent: `flushSpool` sends the rest of what it holds, exactly once (0.1 discarded it), and
 * persisting the scan again finds it all stored.
 */
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { flushSpool, persistScan } from '../../src/index.js';
import { persistScanWith } from '../../src/persist.js';
import { nodeSpoolFs, type SpoolFs } from '../../src/spool/fs.js';
import { DEFAULT_SEAMS } from '../../src/spool/spool.js';
import { SimulatedCrash } from '../support/crash-fs.js';
import {
  configFor,
  makeScan,
  readBack,
  tempDir,
  useEmulator,
  warnings,
} from '../support/persist.js';

const emu = useEmulator();

const stored = () =>
  emu()
    .requests()
    .filter((r) => r.method === 'POST' && r.status === 201).length;

/** The real file system, but the seal's write waits for `sends` answered writes, then "dies". */
function dyingAtTheSeal(sends: number): SpoolFs {
  return {
    ...nodeSpoolFs,
    async create(path) {
      const file = await nodeSpoolFs.create(path);
      return {
        ...file,
        async write(data) {
          if (!data.includes('{"t":"s"')) return file.write(data);
          const base = stored();
          while (stored() - base < sends) await delay(1);
          throw new SimulatedCrash(0);
        },
      };
    },
  };
}

describe('a crash before the seal, with records already sent', () => {
  it('is sent by a flush (every record it holds, exactly once), never discarded', async () => {
    const scan = makeScan(200, 'unsealed');
    const config = configFor(emu(), await tempDir());
    emu().faults.latency(2);
    const crash = await persistScanWith(
      scan,
      { config, concurrency: 2, onWarning: () => {} },
      { ...DEFAULT_SEAMS, fs: dyingAtTheSeal(20) },
    ).catch((e: unknown) => e);
    emu().faults.clear();
    expect(crash).toBeInstanceOf(SimulatedCrash);
    const before = await readBack(emu(), scan);
    expect(before.stored).toBeGreaterThanOrEqual(20); // sent before the seal
    expect(before.stored).toBeLessThan(201);
    const [name] = (await readdir(config.spoolDir)).filter((f) => f.endsWith('.journal'));
    expect(await readFile(`${config.spoolDir}/${name}`, 'utf8')).not.toContain('{"t":"s"');

    // Every record reached the file; only the seal did not: nothing is missing.
    const w = warnings();
    const flushed = await flushSpool({ config, onWarning: w.onWarning });
    expect(flushed).toMatchObject({ discarded: 0, incomplete: [], completed: 1, spooled: 0 });
    expect(flushed.sent).toBe(201 - before.stored);
    expect(flushed.alreadyPresent).toBe(before.stored);
    expect(w.list).toEqual([]);
    expect(await readBack(emu(), scan)).toEqual({
      stored: 201,
      missing: [],
      doubled: [],
      extra: [],
    });

    const again = await persistScan(scan, { config, onWarning: () => {} });
    expect(again).toMatchObject({ complete: true, sent: 0, alreadyPresent: 201 });
  });
});
