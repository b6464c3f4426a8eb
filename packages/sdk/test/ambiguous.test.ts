/**
 * `error.ambiguous` and `retry.retryAmbiguous`, one row per class of failure, against the
 * emulator over real loopback HTTP: a write sent without a definite answer is ambiguous; a
 * refusal, a 503, a 429, a 4xx and anything refused before sending are not.
 */
import { describe, expect, it } from 'vitest';
import {
  isStemeError,
  type StemeClient,
  type StemeError,
  StemeNetworkError,
  StemeTimeoutError,
  StemeUnavailableError,
} from '../src/index.js';
import { PING, useEmulator } from './support/emulator.js';
import { fakeTime } from './support/fake-time.js';
import { waitForPort } from './support/port.js';

// A server that ignores Idempotency-Key (as StemeDB may): what the SDK's retry does by itself.
const ctx = useEmulator({ rateLimit: false, idempotency: false });

async function failure(call: Promise<unknown>): Promise<StemeError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isStemeError(error)) throw new Error(`expected a StemeError, got ${String(error)}`);
  return error;
}

// A request the client gave up on is still delayed in the emulator: wait until it is answered,
// so that it cannot take a fault meant for the next test.
async function settled(count: number): Promise<void> {
  while (ctx.emu.requests().length < count) await new Promise((r) => setTimeout(r, 20));
}

// A client that never retries, so each row sees one attempt's error as the factory made it.
const once = () => ctx.client({ retry: false });
const write = (client: StemeClient) => client.assert(PING);

describe('error.ambiguous says whether the server may have applied the request', () => {
  const rows: Array<{
    what: string;
    fault: () => void | Promise<void>;
    call: (client: StemeClient) => Promise<unknown>;
    want: boolean;
  }> = [
    {
      what: 'a connection reset after a write was sent',
      fault: () => ctx.emu.faults.outage({ ms: 60_000, mode: 'reset' }),
      call: write,
      want: true,
    },
    {
      what: '502 on a write',
      fault: () => ctx.emu.faults.failNext(1, 502),
      call: write,
      want: true,
    },
    {
      what: '504 on a write',
      fault: () => ctx.emu.faults.failNext(1, 504),
      call: write,
      want: true,
    },
    {
      what: '502 on a key revocation (DELETE)',
      fault: () => ctx.emu.faults.failNext(1, 502),
      call: (client) => client.admin.revokeApiKey('0'.repeat(64)),
      want: true,
    },
    {
      what: 'a refused connection (nothing was sent)',
      fault: async () => {
        ctx.emu.faults.outage({ ms: 60_000, mode: 'refuse' });
        await waitForPort(ctx.emu.port, false);
      },
      call: write,
      want: false,
    },
    {
      what: '503 (StemeDB or Traefik answered: not applied)',
      fault: () => ctx.emu.faults.failNext(1, 503),
      call: write,
      want: false,
    },
    {
      what: '429',
      fault: () => ctx.emu.faults.failNext(1, 429, { retryAfterSeconds: 1 }),
      call: write,
      want: false,
    },
    {
      what: '400 from the server',
      fault: () => ctx.emu.faults.failNext(1, 400),
      call: write,
      want: false,
    },
    {
      what: '404 on a revocation',
      fault: () => {},
      call: (client) => client.admin.revokeApiKey('0'.repeat(64)),
      want: false,
    },
    {
      what: 'a reset on a read (a GET changes nothing)',
      fault: () => ctx.emu.faults.outage({ ms: 60_000, mode: 'reset' }),
      call: (client) => client.health(),
      want: false,
    },
    {
      what: '502 on a read',
      fault: () => ctx.emu.faults.failNext(1, 502),
      call: (client) => client.listAssertions({ subject: 'test/ping' }),
      want: false,
    },
  ];

  it.each(rows)('$what: ambiguous $want', async ({ fault, call, want }) => {
    const client = once();
    await fault();
    const error = await failure(call(client));
    expect(error.ambiguous).toBe(want);
    expect(error.toJSON()).toMatchObject({ ambiguous: want });
  });

  it('an attempt timeout on a write is ambiguous (the server may finish it later)', async () => {
    const client = ctx.client({ retry: false, timeoutMs: 100 });
    ctx.emu.faults.latency(400);
    const error = await failure(write(client));
    expect(error).toBeInstanceOf(StemeTimeoutError);
    expect(error.ambiguous).toBe(true);
    // Its body was cut off with the socket, so the emulator never answers it: wait out the
    // latency, after which it has passed the fault check.
    await new Promise((r) => setTimeout(r, 500));
  });

  it('an attempt timeout on a read is not', async () => {
    const client = ctx.client({ retry: false, timeoutMs: 100 });
    ctx.emu.faults.latency(400);
    const before = ctx.emu.requests().length;
    const error = await failure(client.health());
    expect(error).toBeInstanceOf(StemeTimeoutError);
    expect(error.ambiguous).toBe(false);
    await settled(before + 1);
  });

  it('is false for what is refused before sending', async () => {
    const tooBig = { ...PING, value: 'x'.repeat(2_000_000) };
    expect((await failure(once().assert(tooBig))).ambiguous).toBe(false);
    const closed = once();
    await closed.close();
    expect((await failure(write(closed))).ambiguous).toBe(false);
    const aborted = await failure(once().assert(PING, { signal: AbortSignal.abort() }));
    expect(aborted.ambiguous).toBe(false);
  });

  it('stays true for the call once one attempt was ambiguous (a reset, then 503s)', async () => {
    const time = fakeTime((_ms, index) => {
      if (index === 0) {
        ctx.emu.faults.clear();
        ctx.emu.faults.failNext(10, 503);
      }
    });
    const client = ctx.client({ sleep: time.sleep, now: time.now });
    ctx.emu.faults.outage({ ms: 60_000, mode: 'reset' });
    const error = await failure(write(client));
    expect(error).toBeInstanceOf(StemeUnavailableError);
    expect(error.attempts).toBe(4);
    expect((error.cause as StemeError).status).toBe(503);
    expect(error.ambiguous).toBe(true);
  });
});

describe('retryAmbiguous', () => {
  it('defaults to true: a 502 on a write is retried on the 2/4/8 s schedule', async () => {
    const time = fakeTime();
    const client = ctx.client({ sleep: time.sleep, now: time.now });
    ctx.emu.faults.failNext(2, 502);
    await expect(write(client)).resolves.toMatchObject({ id: expect.any(String) });
    expect(time.sleeps).toEqual([2000, 4000]);
  });

  it.each([
    { what: 'a reset', fault: () => ctx.emu.faults.outage({ ms: 60_000, mode: 'reset' }) },
    { what: 'a 502', fault: () => ctx.emu.faults.failNext(1, 502) },
  ])('false: $what on a write is thrown at once, ambiguous', async ({ fault }) => {
    const time = fakeTime();
    const client = ctx.client({
      sleep: time.sleep,
      now: time.now,
      retry: { retryAmbiguous: false },
    });
    fault();
    const before = ctx.emu.requests().length;
    const error = await failure(write(client));
    expect(error.ambiguous).toBe(true);
    expect(error.attempts).toBe(1);
    expect(time.sleeps).toEqual([]);
    expect(ctx.emu.requests().length - before).toBe(1);
  });

  it('false: an attempt timeout on a revocation (otherwise retried) is thrown at once', async () => {
    const time = fakeTime();
    const client = ctx.client({
      sleep: time.sleep,
      now: time.now,
      timeoutMs: 100,
      retry: { retryAmbiguous: false },
    });
    ctx.emu.faults.latency(400);
    const before = ctx.emu.requests().length;
    const error = await failure(client.admin.revokeApiKey('0'.repeat(64)));
    expect(error).toBeInstanceOf(StemeTimeoutError);
    expect(error.ambiguous).toBe(true);
    expect(time.sleeps).toEqual([]);
    await settled(before + 1);
  });

  it('false: refusals and 503s are still retried (nothing was applied)', async () => {
    const time = fakeTime(async (_ms, index) => {
      if (index === 0) {
        ctx.emu.faults.clear();
        await waitForPort(ctx.emu.port);
        ctx.emu.faults.failNext(1, 503);
      }
    });
    const client = ctx.client({
      sleep: time.sleep,
      now: time.now,
      retry: { retryAmbiguous: false },
    });
    ctx.emu.faults.outage({ ms: 60_000, mode: 'refuse' });
    await waitForPort(ctx.emu.port, false);
    await expect(write(client)).resolves.toMatchObject({ id: expect.any(String) });
    expect(time.sleeps).toEqual([2000, 4000]);
  });

  it('false: a read is still retried after a reset (a GET is never ambiguous)', async () => {
    const time = fakeTime((_ms, index) => {
      if (index === 0) ctx.emu.faults.clear();
    });
    const client = ctx.client({
      sleep: time.sleep,
      now: time.now,
      retry: { retryAmbiguous: false },
    });
    ctx.emu.faults.outage({ ms: 60_000, mode: 'reset' });
    await expect(client.health()).resolves.toMatchObject({ status: expect.any(String) });
    expect(time.sleeps).toEqual([2000]);
  });

  it('a per-call retry option overrides the client', async () => {
    const time = fakeTime();
    const strict = ctx.client({
      sleep: time.sleep,
      now: time.now,
      retry: { retryAmbiguous: false },
    });
    ctx.emu.faults.failNext(1, 502);
    await expect(strict.assert(PING, { retry: { retryAmbiguous: true } })).resolves.toMatchObject({
      id: expect.any(String),
    });
    expect(time.sleeps).toEqual([2000]);

    const lenient = ctx.client({ sleep: time.sleep, now: time.now });
    ctx.emu.faults.failNext(1, 502);
    const error = await failure(lenient.assert(PING, { retry: { retryAmbiguous: false } }));
    expect(error.ambiguous).toBe(true);
    expect(time.sleeps).toEqual([2000]);
  });

  it('is validated with the other retry options', async () => {
    const error = await failure(
      ctx.client().health({ retry: { retryAmbiguous: 'no' as unknown as boolean } }),
    );
    expect(error).toMatchObject({ code: 'invalid_options', field: 'retry.retryAmbiguous' });
  });

  it('a reset on issuing a key is still never retried, and is ambiguous', async () => {
    const time = fakeTime();
    const client = ctx.client({ sleep: time.sleep, now: time.now });
    ctx.emu.faults.outage({ ms: 60_000, mode: 'reset' });
    const error = await failure(client.admin.createApiKey({ label: 'amb', role: 'read_agent' }));
    expect(error).toBeInstanceOf(StemeNetworkError);
    expect(error.ambiguous).toBe(true);
    expect(time.sleeps).toEqual([]);
  });
});

describe('an answer lost after the write was applied (faults.afterApply)', () => {
  const subject = (name: string) => `test/after-apply/${name}`;
  const stored = async (client: StemeClient, name: string) =>
    (await client.listAssertions({ subject: subject(name), limit: 100 })).items.length;

  it.each([{ mode: 'reset' as const }, { mode: 502 as const }])(
    'the default retry resends it blindly: stored twice ($mode)',
    async ({ mode }) => {
      const time = fakeTime();
      const client = ctx.client({ sleep: time.sleep, now: time.now });
      ctx.emu.faults.afterApply({ mode, count: 1 });
      const name = `twice-${mode}`;
      await expect(client.assert({ ...PING, subject: subject(name) })).resolves.toMatchObject({
        id: expect.any(String),
      });
      expect(time.sleeps).toEqual([2000]);
      expect(await stored(client, name)).toBe(2);
    },
  );

  it.each([{ mode: 'reset' as const }, { mode: 502 as const }])(
    'retryAmbiguous: false throws ambiguous and stores it once ($mode)',
    async ({ mode }) => {
      const time = fakeTime();
      const client = ctx.client({
        sleep: time.sleep,
        now: time.now,
        retry: { retryAmbiguous: false },
      });
      ctx.emu.faults.afterApply({ mode, count: 1 });
      const name = `once-${mode}`;
      const error = await failure(client.assert({ ...PING, subject: subject(name) }));
      expect(error.ambiguous).toBe(true);
      expect(error.attempts).toBe(1);
      expect(time.sleeps).toEqual([]);
      expect(await stored(client, name)).toBe(1);
    },
  );
});
