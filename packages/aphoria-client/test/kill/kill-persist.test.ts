/**
 * SIGKILL of a real `persistScan` process at several points (§3 "a SIGKILL at any moment loses
 * nothing", §6): as soon as its journal appears, after the first write is answered, half-way,
 * and near the end; then the next run on the same machine completes the scan, and every
 * assertion is on the server exactly once, read back through the SDK. And a killed first
 * attempt followed by a CI retry on a fresh runner (no spool) stores nothing twice.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { flushSpoolWith } from '../../src/flush.js';
import { persistScan } from '../../src/index.js';
import { persistScanFileWith, persistScanWith } from '../../src/persist.js';
import { DEFAULT_SEAMS, type SpoolSeams } from '../../src/spool/spool.js';
import type { HostedConfig } from '../../src/types.js';
import { configFor, makeScan, readBack, tempDir, useEmulator } from '../support/persist.js';
import { journalExists, killWhen, startChild, storedCount } from './support.js';

const FINDINGS = 300;
const TOTAL = FINDINGS + 1;
const CONCURRENCY = 4;
// A lock left by the killed child is taken over after 2 s rather than proper-lockfile's 10 s
// (the child is dead: nothing else is left to decide). One case below keeps the defaults.
const RECOVERY: SpoolSeams = { ...DEFAULT_SEAMS, lockStaleMs: 2_000, flushLockWaitMs: 3_000 };

// Started once, its faults and temp dirs cleared after each test.
const emu = useEmulator();
beforeEach(() => {
  emu().faults.latency(3); // so that each kill point falls mid-run
});

function childArgs(config: HostedConfig, seed: string) {
  return {
    mode: 'persist' as const,
    url: config.url,
    apiKey: config.apiKey,
    spoolDir: config.spoolDir,
    findings: FINDINGS,
    seed,
    concurrency: CONCURRENCY,
  };
}

async function expectExactlyOnce(scan: ReturnType<typeof makeScan>): Promise<void> {
  expect(await readBack(emu(), scan)).toEqual({
    stored: TOTAL,
    missing: [],
    doubled: [],
    extra: [],
  });
}

const spoolLeft = async (config: HostedConfig) =>
  (await readdir(config.spoolDir)).filter((f) => !f.endsWith('.lock'));

describe('kill -9 mid-persist, then the next run on the machine', () => {
  const points = [
    { at: 'its journal appears', when: (c: HostedConfig) => () => journalExists(c.spoolDir) },
    { at: 'the first write is answered', after: 1 },
    { at: 'half the writes are answered', after: FINDINGS / 2 },
    { at: 'a few writes are left', after: FINDINGS - 8 },
  ];
  it.each(points)('killed when $at: completed, every assertion once', async (point) => {
    const seed = `kill-p-${point.after ?? 'journal'}`;
    const scan = makeScan(FINDINGS, seed);
    const config = configFor(emu(), await tempDir());
    const base = storedCount(emu());
    const child = startChild(childArgs(config, seed));
    await killWhen(
      child,
      point.when?.(config) ?? (() => storedCount(emu()) - base >= (point.after ?? 0)),
    );
    const before = await readBack(emu(), scan);
    expect(before.stored).toBeLessThan(TOTAL); // killed mid-run, not after
    expect(before.doubled).toEqual([]);

    const next = await persistScanWith(scan, { config, onWarning: () => {} }, RECOVERY);
    expect(next).toMatchObject({ spooled: 0, rejected: 0, complete: true });
    expect(next.sent + next.alreadyPresent).toBe(TOTAL);
    expect(next.sent).toBe(TOTAL - before.stored); // what the server held was not resent
    await expectExactlyOnce(scan);
    expect(await spoolLeft(config)).toEqual([]);
  });

  it('a flushSpool completes the killed run as well', async () => {
    const scan = makeScan(FINDINGS, 'kill-then-flush');
    const config = configFor(emu(), await tempDir());
    const base = storedCount(emu());
    const child = startChild(childArgs(config, 'kill-then-flush'));
    await killWhen(child, () => storedCount(emu()) - base >= FINDINGS / 3);
    const flushed = await flushSpoolWith({ config, onWarning: () => {} }, RECOVERY);
    expect(flushed).toMatchObject({ scans: 1, completed: 1, spooled: 0, locked: 0 });
    await expectExactlyOnce(scan);
    expect(await spoolLeft(config)).toEqual([]);
  });

  it('with every default (a lock stale after 10 s), the next persistScan waits and completes', async () => {
    const scan = makeScan(FINDINGS, 'kill-defaults');
    const config = configFor(emu(), await tempDir());
    const base = storedCount(emu());
    const child = startChild(childArgs(config, 'kill-defaults'));
    await killWhen(child, () => storedCount(emu()) - base >= FINDINGS / 2);
    const next = await persistScan(scan, { config, onWarning: () => {} });
    expect(next).toMatchObject({ spooled: 0, complete: true });
    await expectExactlyOnce(scan);
  }, 30_000);
});

describe('kill -9 of a first attempt, then a CI retry on a fresh runner', () => {
  it('stores nothing twice, and the first machine later adds nothing either', async () => {
    const scan = makeScan(FINDINGS, 'kill-fresh');
    const first = configFor(emu(), await tempDir());
    const base = storedCount(emu());
    const child = startChild(childArgs(first, 'kill-fresh'));
    await killWhen(child, () => storedCount(emu()) - base >= FINDINGS / 2);
    const stored = (await readBack(emu(), scan)).stored;
    expect(stored).toBeGreaterThan(0);

    // Another runner: no spool, no journal of the first attempt.
    const fresh = configFor(emu(), await tempDir());
    const retry = await persistScan(scan, { config: fresh, onWarning: () => {} });
    expect(retry).toMatchObject({ alreadyPresent: stored, sent: TOTAL - stored, complete: true });
    await expectExactlyOnce(scan);

    // The first machine's spool still holds the killed attempt; its next run finds it done.
    const later = await flushSpoolWith({ config: first, onWarning: () => {} }, RECOVERY);
    expect(later).toMatchObject({ completed: 1, sent: 0, spooled: 0 });
    await expectExactlyOnce(scan);
    expect(await spoolLeft(first)).toEqual([]);
  });
});

describe('kill -9 mid-persist of a scan file (the CLI path: read as a stream, never whole)', () => {
  const points = [
    { at: 'its journal appears', when: (c: HostedConfig) => () => journalExists(c.spoolDir) },
    { at: 'half the writes are answered', after: FINDINGS / 2 },
  ];
  it.each(points)(
    'killed when $at: the next persist of the file completes it, every assertion once',
    async (point) => {
      const seed = `kill-f-${point.after ?? 'journal'}`;
      const scan = makeScan(FINDINGS, seed);
      const config = configFor(emu(), await tempDir());
      const scanFile = join(await tempDir('aphoria-scan-'), 'scan.json');
      await writeFile(scanFile, JSON.stringify(scan, null, 2));
      const base = storedCount(emu());
      const child = startChild({ ...childArgs(config, seed), scanFile });
      await killWhen(
        child,
        point.when?.(config) ?? (() => storedCount(emu()) - base >= (point.after ?? 0)),
      );
      const before = await readBack(emu(), scan);
      expect(before.stored).toBeLessThan(TOTAL);
      expect(before.doubled).toEqual([]);

      const next = await persistScanFileWith(scanFile, { config, onWarning: () => {} }, RECOVERY);
      expect(next).toMatchObject({ spooled: 0, rejected: 0, complete: true });
      expect(next.sent).toBe(TOTAL - before.stored);
      await expectExactlyOnce(scan);
      expect(await spoolLeft(config)).toEqual([]);
    },
  );
});
