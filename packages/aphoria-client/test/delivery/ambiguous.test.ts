/**
 * No blind resend (issue 21): a write that StemeDB applied but whose answer was lost (the
 * connection reset after the request was sent, or a proxy's 502 after the upstream applied it)
 * is read back before anything is resent. Faults are made by a loopback proxy in front of the
 * emulator that forwards the write, lets the emulator apply it, then loses the answer; the proxy
 * also drops `Idempotency-Key`, so nothing here relies on the server honouring the key.
 * 0.1 resent such writes through the SDK's retry and stored them twice.
 */
import { startEmulator } from '@stemedb/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { computeScanId, flushSpool, persistScan } from '../../src/index.js';
import {
  configFor,
  configVia,
  INSTANT_RETRY,
  makeScan,
  readBack,
  tempDir,
  useEmulator,
} from '../support/persist.js';
import { type FaultProxy, type ProxyAction, startProxy } from '../support/proxy.js';

// Started once, its faults and temp dirs cleared after each test; the proxy in front of it
// is this file's.
const emu = useEmulator();
let proxy: FaultProxy;
beforeAll(async () => {
  proxy = await startProxy(emu().url);
  proxy.stripIdempotencyKey = true;
});
afterEach(() => {
  proxy.rule = () => ({ kind: 'pass' });
});
afterAll(async () => {
  await proxy.close();
});

/** A seeded generator (mulberry32), so that a ratio of faults is the same on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const writes = (fault: (n: number) => ProxyAction) => {
  let n = 0;
  return (req: { method: string; path: string }): ProxyAction =>
    req.method === 'POST' && req.path.startsWith('/v1/assert') ? fault(++n) : { kind: 'pass' };
};

describe('answers lost after the write was applied', () => {
  const cases: Array<{ name: string; rule: (n: number) => ProxyAction }> = [
    {
      name: 'a reset after apply, every 23rd write',
      rule: (n) => (n % 23 === 0 ? { kind: 'reset-after' } : { kind: 'pass' }),
    },
    {
      name: "a proxy's 502 after apply, every 17th write",
      rule: (n) => (n % 17 === 0 ? { kind: 'bad-gateway-after' } : { kind: 'pass' }),
    },
    {
      name: 'both, by ratio (1 in 23 reset, 1 in 23 a 502; seeded)',
      rule: (() => {
        const random = seeded(21);
        return (): ProxyAction => {
          const r = random();
          return r < 1 / 23
            ? { kind: 'reset-after' }
            : r < 2 / 23
              ? { kind: 'bad-gateway-after' }
              : { kind: 'pass' };
        };
      })(),
    },
  ];
  it.each(cases)('$name: every finding stored exactly once', async ({ name, rule }) => {
    const scan = makeScan(300, `ambiguous-${name.length}`);
    const config = configVia(proxy.url, emu(), await tempDir());
    proxy.rule = writes(rule);
    const seenBefore = proxy.seen.length;
    const result = await persistScan(scan, {
      config,
      clientOptions: INSTANT_RETRY,
      onWarning: () => {},
    });
    const lost = proxy.seen.slice(seenBefore).filter((r) => r.action !== 'pass').length;
    expect(lost).toBeGreaterThan(5); // the faults did fire
    expect(result).toMatchObject({ complete: true, spooled: 0, rejected: 0, sent: 301 });
    expect(await readBack(emu(), scan)).toEqual({
      stored: 301,
      missing: [],
      doubled: [],
      extra: [],
    });
    // Each lost answer was checked by a read of that record, not resent blindly.
    const reads = proxy.seen
      .slice(seenBefore)
      .filter((r) => r.method === 'GET' && r.path.includes('subject='));
    expect(reads.length).toBe(lost);
  });

  it('a 502 before apply (nothing stored) is resent after the read-back finds it absent', async () => {
    const scan = makeScan(40, 'ambiguous-before');
    const config = configVia(proxy.url, emu(), await tempDir());
    proxy.rule = writes((n) =>
      n % 7 === 0
        ? { kind: 'answer', status: 502, body: 'Bad Gateway', contentType: 'text/plain' }
        : { kind: 'pass' },
    );
    const result = await persistScan(scan, {
      config,
      clientOptions: INSTANT_RETRY,
      onWarning: () => {},
    });
    expect(result).toMatchObject({ complete: true, spooled: 0 });
    expect(await readBack(emu(), scan)).toEqual({
      stored: 41,
      missing: [],
      doubled: [],
      extra: [],
    });
  });
});

describe("the emulator's after-apply faults (straight to the emulator, no proxy)", () => {
  const cases = [
    { name: 'reset, the next 10 writes', opts: { mode: 'reset' as const, count: 10 } },
    { name: '502, the next 10 writes', opts: { mode: 502 as const, count: 10 } },
    { name: 'reset, 1 in 23 (seeded)', opts: { mode: 'reset' as const, ratio: 1 / 23, seed: 7 } },
    { name: '502, 1 in 23 (seeded)', opts: { mode: 502 as const, ratio: 1 / 23, seed: 8 } },
  ];
  it.each(cases)('$name: every finding stored exactly once', async ({ name, opts }) => {
    const scan = makeScan(200, `after-apply-${name}`);
    const config = configFor(emu(), await tempDir());
    emu().faults.afterApply(opts);
    const result = await persistScan(scan, {
      config,
      clientOptions: INSTANT_RETRY,
      onWarning: () => {},
    });
    emu().faults.clear();
    expect(result).toMatchObject({ complete: true, spooled: 0, rejected: 0 });
    expect(await readBack(emu(), scan)).toEqual({
      stored: 201,
      missing: [],
      doubled: [],
      extra: [],
    });
  });

  it('a flush under after-apply faults stores the spool exactly once', async () => {
    const scan = makeScan(100, 'after-apply-flush');
    const config = configFor(emu(), await tempDir());
    emu().faults.outage({ ms: 60_000, mode: 503 });
    await persistScan(scan, { config, clientOptions: INSTANT_RETRY, onWarning: () => {} });
    emu().faults.clear();
    emu().faults.afterApply({ mode: 502, ratio: 0.1, seed: 3 });
    const flushed = await flushSpool({ config, clientOptions: INSTANT_RETRY, onWarning: () => {} });
    expect(flushed).toMatchObject({ spooled: 0, completed: 1 });
    expect(await readBack(emu(), scan)).toEqual({
      stored: 101,
      missing: [],
      doubled: [],
      extra: [],
    });
  });
});

describe('the Idempotency-Key', () => {
  it('is <scan id>:<index> on every write, the same on a resend', async () => {
    const scan = makeScan(30, 'idem-key');
    const config = configFor(emu(), await tempDir());
    const before = emu().requests().length;
    emu().faults.afterApply({ mode: 'reset', count: 3 });
    await persistScan(scan, { config, clientOptions: INSTANT_RETRY, onWarning: () => {} });
    const posts = emu()
      .requests()
      .slice(before)
      .filter((r) => r.method === 'POST' && r.path === '/v1/assert');
    const id = computeScanId(scan);
    expect(posts.length).toBe(31);
    expect(new Set(posts.map((r) => r.idempotencyKey))).toEqual(
      new Set(Array.from({ length: 31 }, (_, i) => `${id}:${i}`)),
    );
  });

  it('is not relied on: an emulator that ignores it, answers lost after apply, stores each once', async () => {
    const plain = await startEmulator({ rateLimit: false, idempotency: false });
    try {
      const scan = makeScan(150, 'idem-ignored');
      const config = configFor(plain, await tempDir());
      plain.faults.afterApply({ mode: 502, ratio: 0.08, seed: 11 });
      const result = await persistScan(scan, {
        config,
        clientOptions: INSTANT_RETRY,
        onWarning: () => {},
      });
      expect(result).toMatchObject({ complete: true, spooled: 0 });
      expect(await readBack(plain, scan)).toEqual({
        stored: 151,
        missing: [],
        doubled: [],
        extra: [],
      });
    } finally {
      await plain.close();
    }
  });
});
