/**
 * A 6 s outage mid-scan (a StemeDB restart behind Traefik: 503s, or the port refusing) is ridden
 * out by the SDK's own 2/4/8 s retries: nothing is spooled, nothing is warned about, and every
 * assertion is on the server once. Real time (the SDK's real schedule), so this file stands
 * alone and runs beside the others.
 */
import { readdir } from 'node:fs/promises';
import { type Emulator, startEmulator } from '@stemedb/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { persistScan } from '../../src/index.js';
import {
  cleanupDirs,
  configFor,
  makeScan,
  readBack,
  tempDir,
  warnings,
} from '../support/persist.js';

const OUTAGE_MS = 6_000;
const emus: Record<string, Emulator> = {};
beforeAll(async () => {
  for (const mode of ['503', 'refuse']) emus[mode] = await startEmulator({ rateLimit: false });
});
afterAll(async () => {
  await cleanupDirs(); // after all: the two cases run at once
  await Promise.all(Object.values(emus).map((e) => e.close()));
});

describe('a 6 s outage', () => {
  it.concurrent.each([503, 'refuse'] as const)(
    '(%s) is ridden out: nothing spooled, stored once',
    async (mode) => {
      const emu = emus[String(mode)]!;
      const scan = makeScan(60, `short-${mode}`);
      const config = configFor(emu, await tempDir());
      const w = warnings();
      let outageAt = -1;
      const result = await persistScan(scan, {
        config,
        onWarning: w.onWarning,
        onProgress: (p) => {
          if (outageAt < 0 && p.phase === 'persist' && p.sent === 10) {
            outageAt = emu.requests().length;
            emu.faults.outage({ ms: OUTAGE_MS, mode });
          }
        },
      });
      expect(outageAt).toBeGreaterThan(0);
      // The outage was met (requests failed or were refused), and outlived by the retries.
      if (mode === 503) {
        expect(
          emu
            .requests()
            .slice(outageAt)
            .some((r) => r.status === 503),
        ).toBe(true);
      }
      expect(result).toMatchObject({ sent: 61, spooled: 0, rejected: 0, complete: true });
      expect(w.list).toEqual([]);
      expect(await readBack(emu, scan)).toEqual({
        stored: 61,
        missing: [],
        doubled: [],
        extra: [],
      });
      expect((await readdir(config.spoolDir)).filter((f) => f.includes('.journal'))).toEqual([]);
    },
    40_000,
  );
});
