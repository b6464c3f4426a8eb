import { describe, expect, it } from 'vitest';
import { flushSpool, PersistIncompleteError, persistScan } from '../../src/index.js';
import { parseDuration } from '../../src/persist/options.js';
import {
  configFor,
  makeScan,
  readBack,
  tempDir,
  useEmulator,
  warnings,
} from '../support/persist.js';

const emu = useEmulator();

describe('a server that answers 429 forever', () => {
  it('is given up at the deadline: everything spooled, a warning, then flushed once', async () => {
    const scan = makeScan(30, 'deadline');
    const config = configFor(emu(), await tempDir());
    emu().faults.failNext(1_000_000, 429, { retryAfterSeconds: 1 });
    const w = warnings();
    const started = performance.now();
    const result = await persistScan(scan, { config, timeoutMs: 1_500, onWarning: w.onWarning });
    expect(performance.now() - started).toBeLessThan(6_000);
    expect(result).toMatchObject({ complete: false, spooled: 31, sent: 0 });
    expect(w.list.join('\n')).toMatch(
      /reached its deadline \(1500ms\): 31 assertion\(s\) stay spooled/,
    );
    emu().faults.clear();
    const flushed = await flushSpool({ config, onWarning: () => {} });
    expect(flushed).toMatchObject({ sent: 31, spooled: 0 });
    expect(await readBack(emu(), scan)).toEqual({
      stored: 31,
      missing: [],
      doubled: [],
      extra: [],
    });
  }, 15_000);

  it('rejects with PersistIncompleteError under strict (the CLI exit 4)', async () => {
    const config = configFor(emu(), await tempDir());
    emu().faults.failNext(1_000_000, 429, { retryAfterSeconds: 1 });
    const error = await persistScan(makeScan(5, 'deadline-strict'), {
      config,
      timeoutMs: 1_000,
      strict: true,
      onWarning: () => {},
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PersistIncompleteError);
    expect((error as PersistIncompleteError<{ spooled: number }>).result.spooled).toBe(6);
  }, 15_000);
});

describe('parseDuration (--timeout)', () => {
  it.each([
    { given: '20s', want: 20_000 },
    { given: '10m', want: 600_000 },
    { given: '1h', want: 3_600_000 },
    { given: '500ms', want: 500 },
    { given: '10', want: undefined },
    { given: '0s', want: undefined },
    { given: '1.5m', want: undefined },
    { given: '10 minutes', want: undefined },
  ])('$given -> $want', ({ given, want }) => {
    expect(parseDuration(given)).toBe(want);
  });
});
