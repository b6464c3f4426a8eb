import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { call, networkErrorCode } from './support/http.js';

/** faults.afterApply: the write is applied, then its answer is lost (a reset or a 502). */

let emu: Emulator;
beforeEach(async () => {
  emu = await startEmulator({ rateLimit: false });
});
afterEach(() => emu.close());

const assertion = (subject: string) => ({
  subject,
  predicate: 'seen',
  value: 1,
  agent_id: 'after-apply',
});

const write = (subject: string) =>
  fetch(`${emu.url}/v1/assert`, {
    method: 'POST',
    headers: { 'x-api-key': emu.rootApiKey, 'content-type': 'application/json' },
    body: JSON.stringify(assertion(subject)),
  });

async function stored(subject: string): Promise<number> {
  const query = `subject=${encodeURIComponent(subject)}&limit=500`;
  const res = await call(emu.url, `/v1/assertions?${query}`, { key: emu.rootApiKey });
  return (res.json as { items: unknown[] }).items.length;
}

async function requestsCounted(): Promise<number> {
  const res = await call(emu.url, '/metrics');
  return [...res.text.matchAll(/^stemedb_http_requests_total\{[^}]*\} (\d+)/gm)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
}

describe("mode 'reset'", () => {
  it('stores the write, then resets the socket without any response', async () => {
    emu.faults.afterApply({ mode: 'reset', count: 1 });
    expect(await networkErrorCode(write('reset/1'))).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
    expect(await stored('reset/1')).toBe(1);
    expect(emu.requests().at(-2)).toMatchObject({ method: 'POST', path: '/v1/assert', status: 0 });
  });

  it('a blind resend after the lost answer stores the write twice', async () => {
    emu.faults.afterApply({ mode: 'reset', count: 1 });
    await networkErrorCode(write('reset/twice'));
    expect((await write('reset/twice')).status).toBe(201);
    expect(await stored('reset/twice')).toBe(2);
  });
});

describe('mode 502', () => {
  it("stores the write, then answers Traefik's 502 instead of the real answer", async () => {
    emu.faults.afterApply({ mode: 502, count: 1 });
    const res = await write('bad-gateway/1');
    expect(res.status).toBe(502);
    expect(await res.text()).toBe('Bad Gateway');
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await stored('bad-gateway/1')).toBe(1);
  });

  it('applies to key creation, rotation and revocation too', async () => {
    type Info = { hash: string; label: string; revoked_at: string | null };
    const admin = (path: string, method: string, body?: unknown) =>
      call(emu.url, path, { method, key: emu.rootApiKey, ...(body ? { body } : {}) });
    const keys = async () =>
      ((await admin('/v1/admin/api-keys', 'GET')).json as { keys: Info[] }).keys.filter(
        (k) => k.label === 'lost',
      );
    emu.faults.afterApply({ mode: 502, count: 3 });
    const created = await admin('/v1/admin/api-keys', 'POST', {
      label: 'lost',
      role: 'read_agent',
    });
    expect(created.status).toBe(502);
    const [first] = await keys();
    expect(first).toMatchObject({ revoked_at: null }); // issued, its plaintext lost
    const hash = first?.hash as string;
    expect((await admin(`/v1/admin/api-keys/${hash}/rotate`, 'POST')).status).toBe(502);
    const afterRotate = await keys();
    expect(afterRotate).toHaveLength(2);
    expect(afterRotate.find((k) => k.hash === hash)?.revoked_at).not.toBeNull();
    const second = afterRotate.find((k) => k.hash !== hash)?.hash as string;
    expect((await admin(`/v1/admin/api-keys/${second}`, 'DELETE')).status).toBe(502);
    expect((await keys()).every((k) => k.revoked_at !== null)).toBe(true);
  });
});

describe('what it fires on', () => {
  it('only successful writes: reads, refused writes and other faults do not consume it', async () => {
    emu.faults.afterApply({ mode: 502, count: 1 });
    expect((await call(emu.url, '/v1/health')).status).toBe(200); // a read
    const invalid = await call(emu.url, '/v1/assert', {
      method: 'POST',
      key: emu.rootApiKey,
      body: { subject: '' },
    });
    expect(invalid.status).toBe(400); // refused, nothing applied
    emu.faults.failNext(1, 503); // fires first, before anything is applied
    expect((await write('order/1')).status).toBe(503);
    expect(await stored('order/1')).toBe(0);
    expect((await write('order/1')).status).toBe(502); // the first successful write
    expect((await write('order/1')).status).toBe(201); // the count is used up
    expect(await stored('order/1')).toBe(2);
  });

  it('is not counted in stemedb_http_requests_total', async () => {
    const before = await requestsCounted();
    emu.faults.afterApply({ mode: 502, count: 1 });
    await write('metric/1');
    emu.faults.afterApply({ mode: 'reset', count: 1 });
    await networkErrorCode(write('metric/1'));
    // Only the /metrics request that read `before` was counted since.
    expect((await requestsCounted()) - before).toBe(1);
  });

  it('by ratio: the same seed loses the same answers, and the ratio roughly holds', async () => {
    const run = async (seed: number): Promise<number[]> => {
      emu.faults.afterApply({ mode: 502, ratio: 0.3, seed });
      const statuses: number[] = [];
      for (let i = 0; i < 60; i++) statuses.push((await write(`ratio/${seed}`)).status);
      emu.faults.clear();
      return statuses;
    };
    const first = await run(7);
    expect(await run(7)).toEqual(first);
    expect(await run(8)).not.toEqual(first);
    const lost = first.filter((s) => s === 502).length;
    expect(lost).toBeGreaterThan(6);
    expect(lost).toBeLessThan(32);
    expect(await stored('ratio/7')).toBe(120); // every write was applied, lost answer or not
  });

  it('ratio 1 loses every answer until clear()', async () => {
    emu.faults.afterApply({ mode: 502, ratio: 1 });
    for (let i = 0; i < 5; i++) expect((await write('always')).status).toBe(502);
    emu.faults.clear();
    expect((await write('always')).status).toBe(201);
    expect(await stored('always')).toBe(6);
  });

  it('count 0 turns it off, and a new call replaces the old one', async () => {
    emu.faults.afterApply({ mode: 502, count: 5 });
    emu.faults.afterApply({ mode: 502, count: 0 });
    expect((await write('off')).status).toBe(201);
    emu.faults.afterApply({ mode: 502, ratio: 1 });
    emu.faults.afterApply({ mode: 'reset', count: 1 });
    await networkErrorCode(write('off'));
    expect((await write('off')).status).toBe(201);
  });

  it('loses the answer only after the write is durable in a data dir', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emu-after-apply-'));
    try {
      const durable = await startEmulator({ dataDir: dir, rateLimit: false });
      const key = durable.rootApiKey;
      durable.faults.afterApply({ mode: 'reset', count: 1 });
      await networkErrorCode(
        fetch(`${durable.url}/v1/assert`, {
          method: 'POST',
          headers: { 'x-api-key': key, 'content-type': 'application/json' },
          body: JSON.stringify(assertion('durable/1')),
        }),
      );
      await durable.close();
      const again = await startEmulator({ dataDir: dir, rateLimit: false, rootApiKey: key });
      const res = await call(again.url, '/v1/assertions?subject=durable%2F1', { key });
      expect((res.json as { items: unknown[] }).items).toHaveLength(1);
      await again.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('options are validated', () => {
  it.each([
    { what: 'an unknown mode', opts: { mode: 503, count: 1 } },
    { what: 'neither count nor ratio', opts: { mode: 'reset' } },
    { what: 'both count and ratio', opts: { mode: 'reset', count: 1, ratio: 0.5 } },
    { what: 'a negative count', opts: { mode: 'reset', count: -1 } },
    { what: 'a fractional count', opts: { mode: 'reset', count: 1.5 } },
    { what: 'a ratio over 1', opts: { mode: 502, ratio: 1.01 } },
    { what: 'a NaN ratio', opts: { mode: 502, ratio: Number.NaN } },
    { what: 'a fractional seed', opts: { mode: 502, ratio: 0.5, seed: 1.5 } },
    { what: 'a seed over 2^32-1', opts: { mode: 502, ratio: 0.5, seed: 2 ** 32 } },
    { what: 'a seed with count', opts: { mode: 502, count: 1, seed: 3 } },
    { what: 'an unknown key', opts: { mode: 502, count: 1, times: 2 } },
  ])('$what is a RangeError', ({ opts }) => {
    expect(() =>
      emu.faults.afterApply(opts as unknown as Parameters<Emulator['faults']['afterApply']>[0]),
    ).toThrow(RangeError);
  });

  it('a bad call leaves the fault in place as it was', async () => {
    emu.faults.afterApply({ mode: 502, count: 1 });
    expect(() => emu.faults.afterApply({ mode: 502, count: -1 })).toThrow(RangeError);
    expect((await write('kept')).status).toBe(502);
  });
});
