/**
 * Memory stays flat however large the scan (§3): the send window holds the caller's loop back
 * so that at most `concurrency` writes exist at once (no array of pending promises), and a wide
 * window is not mistaken by Node for a listener leak (no warning on stderr).
 */
import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { persistScan } from '../../src/index.js';
import { Sender } from '../../src/persist/sender.js';
import { configFor, makeScan, readBack, tempDir, useEmulator } from '../support/persist.js';

describe('the send window', () => {
  it.each([1, 8, 64])(
    'at concurrency %i, never lets the loop run ahead of the writes',
    async (c) => {
      const sender = new Sender(c, async () => {}, Date.now);
      let pulled = 0;
      let finished = 0;
      let mostOutstanding = 0;
      function* source() {
        for (let i = 0; i < 5_000; i++) {
          pulled += 1;
          mostOutstanding = Math.max(mostOutstanding, pulled - finished);
          yield i;
        }
      }
      for (const _ of source()) {
        await sender.submit(async () => {
          await tick();
          finished += 1;
        });
      }
      await sender.settle();
      expect(finished).toBe(5_000);
      // The one pulled and waiting for room, plus the window.
      expect(mostOutstanding).toBeLessThanOrEqual(c + 1);
      expect(mostOutstanding).toBeGreaterThanOrEqual(c); // the window was used
      sender.dispose();
    },
  );
});

describe('a wide window', () => {
  const emu = useEmulator();

  it('persists at concurrency 64 without a MaxListenersExceededWarning', async () => {
    const seen: string[] = [];
    const onWarning = (w: Error) => seen.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const scan = makeScan(400, 'wide');
      const result = await persistScan(scan, {
        config: configFor(emu(), await tempDir()),
        concurrency: 64,
      });
      expect(result).toMatchObject({ sent: 401, complete: true });
      await tick(); // warnings are emitted on the next tick
      expect(seen.filter((w) => w.includes('MaxListeners'))).toEqual([]);
      expect((await readBack(emu(), scan)).doubled).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
