/**
 * persistScan against the emulator over loopback: a normal scan, a CI retry, an outage that
 * outlasts the SDK's retries (instant here), the next run's flush, and the exactly-once
 * read-back after each.
 */
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { flushSpool, persistScan, spoolStatus } from '../../src/index.js';
import {
  configFor,
  INSTANT_RETRY,
  makeScan,
  readBack,
  tempDir,
  useEmulator,
  warnings,
} from '../support/persist.js';

const emu = useEmulator();

describe('persistScan', () => {
  it('stores every assertion of a scan once and leaves an empty spool', async () => {
    const scan = makeScan(25, 'normal');
    const config = configFor(emu(), await tempDir());
    const w = warnings();
    const result = await persistScan(scan, { config, onWarning: w.onWarning });
    expect(result).toMatchObject({ total: 26, sent: 26, alreadyPresent: 0, spooled: 0 });
    expect(result.complete).toBe(true);
    expect(w.list).toEqual([]);
    expect(await readBack(emu(), scan)).toEqual({
      stored: 26,
      missing: [],
      doubled: [],
      extra: [],
    });
    expect((await readdir(config.spoolDir)).filter((f) => f.endsWith('.journal'))).toEqual([]);
    expect((await spoolStatus({ config })).records).toBe(0);
  });

  it('stores nothing twice when the same scan is persisted again on a fresh runner', async () => {
    const scan = makeScan(10, 'ci-retry');
    await persistScan(scan, { config: configFor(emu(), await tempDir()) });
    const again = await persistScan(scan, { config: configFor(emu(), await tempDir()) });
    expect(again).toMatchObject({ sent: 0, alreadyPresent: 11, spooled: 0, complete: true });
    expect((await readBack(emu(), scan)).doubled).toEqual([]);
  });

  it('spools the rest at once when StemeDB stays down, then the next run sends it exactly once', async () => {
    const scan = makeScan(40, 'outage');
    const config = configFor(emu(), await tempDir());
    const w = warnings();
    const before = emu().requests().length;
    const result = await persistScan(scan, {
      config,
      concurrency: 2,
      clientOptions: INSTANT_RETRY,
      onWarning: w.onWarning,
      onProgress: (p) => {
        // Down after 10 acknowledged: an outage longer than the retries.
        if (p.phase === 'persist' && p.sent === 10) emu().faults.outage({ ms: 60_000, mode: 503 });
      },
    });
    expect(result.sent).toBeGreaterThanOrEqual(10);
    expect(result.sent + result.spooled).toBe(41);
    expect(result.spooled).toBeGreaterThan(0);
    expect(result.complete).toBe(false);
    expect(w.list.join('\n')).toMatch(/unreachable.*spooled in/);
    // Down for the run: the remaining assertions were not each tried four times.
    const tried503 = emu()
      .requests()
      .slice(before)
      .filter((r) => r.status === 503).length;
    expect(tried503).toBeLessThan(4 * result.spooled);
    expect(await spoolStatus({ config })).toMatchObject({ scans: 1, records: result.spooled });

    emu().faults.clear();
    const flushed = await flushSpool({ config });
    expect(flushed).toMatchObject({ completed: 1, spooled: 0 });
    expect(flushed.sent + flushed.alreadyPresent).toBe(41);
    expect(await readBack(emu(), scan)).toEqual({
      stored: 41,
      missing: [],
      doubled: [],
      extra: [],
    });
    expect((await spoolStatus({ config })).scans).toBe(0);
  });

  it('sends the older spool first on the next persistScan', async () => {
    const old = makeScan(5, 'older');
    const config = configFor(emu(), await tempDir());
    emu().faults.outage({ ms: 60_000, mode: 'refuse' });
    const first = await persistScan(old, {
      config,
      clientOptions: INSTANT_RETRY,
      onWarning: () => {},
    });
    expect(first).toMatchObject({ sent: 0, spooled: 6 });
    emu().faults.clear();
    const fresh = makeScan(3, 'newer');
    const second = await persistScan(fresh, { config });
    expect(second.flushed).toMatchObject({ completed: 1, sent: 6 });
    expect(second).toMatchObject({ sent: 4, complete: true });
    const back = await readBack(emu(), old);
    expect([back.missing, back.doubled]).toEqual([[], []]);
  });

  it('rejects with PersistIncompleteError in strict mode when StemeDB is down', async () => {
    const scan = makeScan(3, 'strict');
    emu().faults.outage({ ms: 60_000, mode: 503 });
    const error = await persistScan(scan, {
      config: configFor(emu(), await tempDir()),
      strict: true,
      clientOptions: INSTANT_RETRY,
      onWarning: () => {},
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'persist_incomplete', result: { spooled: 4 } });
  });

  it('refuses an unknown option without echoing the key', async () => {
    const config = configFor(emu(), await tempDir());
    const error = await persistScan(makeScan(1), { config, bogus: 1 } as never).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'invalid_options' });
    expect(String((error as Error).message)).toContain('"bogus"');
    expect(JSON.stringify(error) + String(error)).not.toContain(config.apiKey);
  });
});
