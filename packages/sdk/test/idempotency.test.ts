/**
 * Idempotency-Key on every write, against the emulator (which honours it as Stripe does): sent,
 * the same across a call's retries, the caller's when given, one per item in assertMany; and
 * what the server does with it (replay after a lost answer, 400 on reuse, forgotten after 24 h).
 */
import { type Emulator, startEmulator } from '@stemedb/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStemeError, type StemeError, StemeValidationError } from '../src/index.js';
import { PING, useEmulator } from './support/emulator.js';
import { fakeTime } from './support/fake-time.js';

let clock = Date.UTC(2026, 0, 1);
const ctx = useEmulator({ rateLimit: false, now: () => clock });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function failure(call: Promise<unknown>): Promise<StemeError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isStemeError(error)) throw new Error(`expected a StemeError, got ${String(error)}`);
  return error;
}

const since = (before: number) => ctx.emu.requests().slice(before);
const subject = (name: string) => `test/idem/${name}`;

async function stored(name: string, emu: Emulator = ctx.emu): Promise<number> {
  const res = await fetch(`${emu.url}/v1/assertions?subject=${encodeURIComponent(subject(name))}`, {
    headers: { 'x-api-key': emu.rootApiKey },
  });
  return ((await res.json()) as { items: unknown[] }).items.length;
}

describe('the header', () => {
  it('every write carries a fresh UUID; reads carry none', async () => {
    const client = ctx.client();
    const before = ctx.emu.requests().length;
    await client.assert(PING);
    await client.assert(PING);
    const created = await client.admin.createApiKey({ label: 'idem', role: 'read_agent' });
    const rotated = await client.admin.rotateApiKey(created.hash);
    await client.admin.revokeApiKey(rotated.hash);
    await client.health();
    await client.listAssertions({ subject: PING.subject });
    const seen = since(before);
    const writes = seen.filter((r) => r.method !== 'GET');
    expect(writes).toHaveLength(5);
    for (const w of writes) expect(w.idempotencyKey).toMatch(UUID);
    expect(new Set(writes.map((w) => w.idempotencyKey)).size).toBe(5);
    for (const r of seen.filter((r) => r.method === 'GET'))
      expect(r.idempotencyKey).toBeUndefined();
  });

  it('is the same on every attempt of one call', async () => {
    const time = fakeTime();
    const client = ctx.client({ sleep: time.sleep, now: time.now });
    ctx.emu.faults.failNext(2, 503);
    const before = ctx.emu.requests().length;
    await client.assert(PING);
    const attempts = since(before);
    expect(attempts.map((r) => r.status)).toEqual([503, 503, 201]);
    expect(new Set(attempts.map((r) => r.idempotencyKey)).size).toBe(1);
    expect(attempts[0]?.idempotencyKey).toMatch(UUID);
  });

  it("is the caller's idempotencyKey when given (per call)", async () => {
    const client = ctx.client();
    const before = ctx.emu.requests().length;
    await client.assert(PING, { idempotencyKey: 'scan-42:0' });
    expect(since(before)[0]?.idempotencyKey).toBe('scan-42:0');
  });

  it.each([
    { what: 'empty', key: '' },
    { what: 'over 255 characters', key: 'k'.repeat(256) },
    { what: 'a line break', key: 'a\r\nb' },
    { what: 'a trailing space', key: 'a ' },
    { what: 'non-ASCII', key: 'clé' },
  ])('an idempotencyKey with $what is refused before sending', async ({ key }) => {
    const before = ctx.emu.requests().length;
    const error = await failure(ctx.client().assert(PING, { idempotencyKey: key }));
    expect(error).toBeInstanceOf(StemeValidationError);
    expect(error).toMatchObject({ code: 'invalid_options', field: 'idempotencyKey' });
    expect(since(before)).toHaveLength(0);
  });

  it('assertMany sends one key per item: generated, or from the caller’s function', async () => {
    const client = ctx.client();
    const items = [0, 1, 2].map((i) => ({ ...PING, subject: subject(`many-${i}`) }));
    let before = ctx.emu.requests().length;
    await client.assertMany(items);
    const generated = since(before).map((r) => r.idempotencyKey);
    expect(new Set(generated).size).toBe(3);
    before = ctx.emu.requests().length;
    await client.assertMany(items, {
      idempotencyKey: (input, i) => `batch-7:${i}:${input.subject}`,
    });
    expect(
      since(before)
        .map((r) => r.idempotencyKey)
        .sort(),
    ).toEqual(items.map((it, i) => `batch-7:${i}:${it.subject}`).sort());
  });

  it('assertMany refuses a string idempotencyKey (it would be one key for every item)', async () => {
    const error = await failure(
      ctx.client().assertMany([PING], { idempotencyKey: 'same' as unknown as () => string }),
    );
    expect(error).toMatchObject({ code: 'invalid_options', field: 'idempotencyKey' });
  });
});

describe('what the server does with it', () => {
  it.each([{ mode: 'reset' as const }, { mode: 502 as const }])(
    'a default retry after a lost answer ($mode) is replayed: stored once',
    async ({ mode }) => {
      const time = fakeTime();
      const client = ctx.client({ sleep: time.sleep, now: time.now });
      ctx.emu.faults.afterApply({ mode, count: 1 });
      const name = `replayed-${mode}`;
      const before = ctx.emu.requests().length;
      await client.assert({ ...PING, subject: subject(name) });
      expect(time.sleeps).toEqual([2000]);
      const attempts = since(before);
      expect(attempts).toHaveLength(2);
      expect(attempts[1]?.idempotencyKey).toBe(attempts[0]?.idempotencyKey);
      expect(await stored(name)).toBe(1);
    },
  );

  it('a later call with the same key gets the first answer back, applied once', async () => {
    const client = ctx.client();
    const write = { ...PING, subject: subject('same-key') };
    const first = await client.assert(write, { idempotencyKey: 'resend-1' });
    const again = await client.assert(write, { idempotencyKey: 'resend-1' });
    expect(again).toEqual(first);
    expect(await stored('same-key')).toBe(1);
  });

  it('the same key with another body is a 400 idempotency_error, not retried', async () => {
    const client = ctx.client();
    await client.assert({ ...PING, subject: subject('reuse') }, { idempotencyKey: 'reuse-1' });
    const error = await failure(
      client.assert(
        { ...PING, subject: subject('reuse'), value: false },
        { idempotencyKey: 'reuse-1' },
      ),
    );
    expect(error).toBeInstanceOf(StemeValidationError);
    expect(error).toMatchObject({ status: 400, serverCode: 'idempotency_error', attempts: 1 });
    expect(error.ambiguous).toBe(false);
    expect(await stored('reuse')).toBe(1);
  });

  it('is forgotten after 24 h (the emulator clock): the same key applies again', async () => {
    const client = ctx.client();
    const write = { ...PING, subject: subject('expiry') };
    await client.assert(write, { idempotencyKey: 'day-1' });
    clock += 24 * 60 * 60 * 1000 - 1;
    await client.assert(write, { idempotencyKey: 'day-1' });
    expect(await stored('expiry')).toBe(1);
    clock += 1;
    await client.assert(write, { idempotencyKey: 'day-1' });
    expect(await stored('expiry')).toBe(2);
  });
});

describe('against a server that ignores the key', () => {
  let plain: Emulator;
  beforeAll(async () => {
    plain = await startEmulator({ rateLimit: false, idempotency: false });
  });
  afterAll(() => plain.close());

  it('a default retry after a lost answer stores the write twice (at-least-once)', async () => {
    const time = fakeTime();
    const client = ctx.client({
      baseUrl: plain.url,
      apiKey: plain.rootApiKey,
      sleep: time.sleep,
      now: time.now,
    });
    plain.faults.afterApply({ mode: 'reset', count: 1 });
    await client.assert({ ...PING, subject: subject('ignored') });
    expect(await stored('ignored', plain)).toBe(2);
  });
});
