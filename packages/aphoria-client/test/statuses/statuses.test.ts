/**
 * What StemeDB's answers mean for a run (§3): 401/403 fail at once, name the env var and point
 * to `stemedb-admin onboard`, spool nothing and show no key; a 429 storm slows the run down
 * (honouring Retry-After) without failing or spooling; a 400/422 for one finding is reported
 * with that finding and the rest is stored.
 */
import { readdir } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { type Emulator, startEmulator } from '@stemedb/emulator';
import { StemeClient } from '@stemedb/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostedAuthError, persistScan, spoolStatus } from '../../src/index.js';
import { allRenderings, leakedPieces } from '../fixtures/config.js';
import {
  configFor,
  makeScan,
  readBack,
  tempDir,
  useEmulator,
  warnings,
} from '../support/persist.js';

const emu = useEmulator();

const journals = async (dir: string) =>
  (await readdir(dir).catch(() => [])).filter((f) => f.includes('.journal'));

async function readOnlyKey(): Promise<string> {
  const admin = new StemeClient({ baseUrl: emu().url, apiKey: emu().rootApiKey });
  try {
    return (await admin.admin.createApiKey({ label: 'reader', role: 'read_agent' })).key;
  } finally {
    await admin.close();
  }
}

describe('401 and 403', () => {
  const cases = [
    {
      given: 'an unknown key (401)',
      status: 401,
      key: async () => `steme_live_${'0123abcd'.repeat(6)}`,
    },
    { given: 'a read-only key (403)', status: 403, key: readOnlyKey },
  ];
  it.each(cases)(
    '$given: fails at once, spools nothing, names the env var, shows no key',
    async ({ status, key }) => {
      const apiKey = await key();
      const config = configFor(emu(), await tempDir(), apiKey);
      const scan = makeScan(30, `auth-${status}`);
      const before = emu().requests().length;
      const w = warnings();
      const error = await persistScan(scan, {
        config,
        concurrency: 2,
        onWarning: w.onWarning,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HostedAuthError);
      expect(error).toMatchObject({ code: 'auth_failed', status, apiKeyEnv: 'STEMEDB_API_KEY' });
      expect((error as Error).message).toContain('STEMEDB_API_KEY');
      expect((error as Error).message).toContain('stemedb-admin onboard');
      // Not retried: one request per sender slot at most, not 3 retries of each.
      const refused = emu()
        .requests()
        .slice(before)
        .filter((r) => r.status === status);
      expect(refused.length).toBeGreaterThanOrEqual(1);
      expect(refused.length).toBeLessThanOrEqual(2);
      expect(await journals(config.spoolDir)).toEqual([]);
      expect((await spoolStatus({ config })).records).toBe(0);
      expect(leakedPieces(allRenderings(error) + w.list.join('\n'), apiKey)).toEqual([]);
      expect((await readBack(emu(), scan)).stored).toBe(0);
    },
  );
});

describe('a 400 or 422 for one finding', () => {
  it.each([400, 422])('%i: reported with its finding, the rest is stored once', async (status) => {
    const scan = makeScan(10, `reject-${status}`);
    const config = configFor(emu(), await tempDir());
    const w = warnings();
    let armed = false;
    const result = await persistScan(scan, {
      config,
      concurrency: 1, // the request after the third ack is finding #3's
      onWarning: w.onWarning,
      onProgress: (p) => {
        if (!armed && p.phase === 'persist' && p.sent === 3) {
          armed = true;
          emu().faults.failNext(1, status);
        }
      },
    });
    expect(result).toMatchObject({ sent: 9, rejected: 1, spooled: 0, complete: false });
    expect(result.rejections).toHaveLength(1);
    expect(result.rejections[0]).toMatchObject({
      findingIndex: 3,
      status,
      finding: { fingerprint: scan.findings[3]!.fingerprint, file: 'src/file-3.ts', line: 4 },
    });
    expect(w.list.join('\n')).toMatch(
      /rejected by StemeDB \(first: finding #3 .* src\/file-3\.ts:4/,
    );
    // The summary ("this scan is wholly stored") is withheld; every other finding is there once.
    const back = await readBack(emu(), scan);
    expect(back).toMatchObject({ stored: 9, doubled: [], extra: [] });
    expect(back.missing).toHaveLength(2);
    expect(back.missing[0]).toContain(scan.findings[3]!.fingerprint);
    // Final, not an outage: nothing is left to resend.
    expect(await journals(config.spoolDir)).toEqual([]);
  });
});

describe('a 429 storm', () => {
  let limited: Emulator;
  beforeAll(async () => {
    // A real token bucket: 4 at once, then 10 a second, each 429 with Retry-After.
    limited = await startEmulator({ rateLimit: { burst: 4, perSecond: 10 } });
  });
  afterAll(async () => {
    await limited.close();
  });

  it('slows the run down, honouring Retry-After, and neither fails nor spools', async () => {
    const scan = makeScan(24, 'storm');
    const config = configFor(limited, await tempDir());
    const w = warnings();
    const waits: number[] = [];
    const result = await persistScan(scan, {
      config,
      concurrency: 8,
      onWarning: w.onWarning,
      clientOptions: {
        sleep: (ms, signal) => {
          waits.push(ms);
          return delay(ms, undefined, signal ? { signal } : undefined);
        },
      },
    });
    const tooMany = limited.requests().filter((r) => r.status === 429).length;
    expect(tooMany).toBeGreaterThan(0);
    expect(result).toMatchObject({ sent: 25, spooled: 0, rejected: 0, complete: true });
    // Retry-After is in whole seconds: every wait it ordered is a second or more.
    expect(waits.some((ms) => ms >= 1000)).toBe(true);
    expect(w.list.join('\n')).toMatch(/rate-limited this run \d+ time/);
    expect(w.list.join('\n')).not.toMatch(/spooled|unreachable/);
    // The check's own read is not under test: let the token bucket refill first (it read a
    // 429 when the run ended with the bucket empty, on a loaded machine).
    await delay(1_000);
    expect(await readBack(limited, scan)).toEqual({
      stored: 25,
      missing: [],
      doubled: [],
      extra: [],
    });
    expect(await journals(config.spoolDir)).toEqual([]);
  });
});
