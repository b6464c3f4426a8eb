/**
 * Outages, restarts, cancellation and timeouts against the emulator over real loopback HTTP.
 * Waits between attempts use an injected sleep, so each test takes milliseconds; the real-time
 * outages are in outage.realtime.test.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '@stemedb/emulator';
import { describe, expect, it } from 'vitest';
import { SWEEP_MS } from '../src/attempt-abort.js';
import {
  generateApiKey,
  StemeAbortError,
  StemeClient,
  StemeNetworkError,
  StemeTimeoutError,
  StemeUnavailableError,
} from '../src/index.js';
import { PING, useEmulator } from './support/emulator.js';
import { fakeTime, sleepForever } from './support/fake-time.js';
import { waitForPort } from './support/port.js';

const ctx = useEmulator({ rateLimit: false });

describe('network failures before a response', () => {
  it('retries refused connections until the server listens again', async () => {
    const time = fakeTime(async (_ms, index) => {
      if (index === 1) {
        ctx.emu.faults.clear();
        await waitForPort(ctx.emu.port);
      }
    });
    const client = ctx.client({ sleep: time.sleep, now: time.now });
    ctx.emu.faults.outage({ ms: 60_000, mode: 'refuse' });
    await waitForPort(ctx.emu.port, false);
    await expect(client.assert(PING)).resolves.toMatchObject({ id: expect.any(String) });
    expect(time.sleeps).toEqual([2000, 4000]);
  });

  it('retries a connection reset before the response', async () => {
    const time = fakeTime((_ms, index) => {
      if (index === 0) ctx.emu.faults.clear();
    });
    const client = ctx.client({ sleep: time.sleep, now: time.now });
    ctx.emu.faults.outage({ ms: 60_000, mode: 'reset' });
    const before = ctx.emu.requests().length;
    await expect(client.assert(PING)).resolves.toMatchObject({ id: expect.any(String) });
    expect(time.sleeps).toEqual([2000]);
    expect(
      ctx.emu
        .requests()
        .slice(before)
        .map((r) => r.status),
    ).toEqual([0, 201]);
  });

  it('does not retry a reset while issuing a key, which might issue a second one', async () => {
    const time = fakeTime();
    const client = ctx.client({ sleep: time.sleep, now: time.now });
    ctx.emu.faults.outage({ ms: 60_000, mode: 'reset' });
    const error = await client.admin
      .createApiKey({ label: 'reset', role: 'read_agent' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StemeNetworkError);
    expect((error as StemeNetworkError).phase).toBe('exchange');
    expect((error as StemeNetworkError).attempts).toBe(1);
    expect(time.sleeps).toEqual([]);
  });

  it('ends a long refusal in StemeUnavailableError after four attempts', async () => {
    const time = fakeTime();
    const client = ctx.client({ sleep: time.sleep, now: time.now });
    ctx.emu.faults.outage({ ms: 60_000, mode: 'refuse' });
    await waitForPort(ctx.emu.port, false);
    const error = await client.health().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StemeUnavailableError);
    expect((error as StemeUnavailableError).attempts).toBe(4);
    expect((error as StemeUnavailableError).status).toBeUndefined();
    expect((error as Error).message).toContain('gave up after 4 attempts over 14.0 s');
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect((error as StemeUnavailableError).cause).toBeInstanceOf(StemeNetworkError);
  });

  it('retryOnNetworkErrors: false fails on the first refusal', async () => {
    const client = ctx.client({ retry: { retryOnNetworkErrors: false } });
    ctx.emu.faults.outage({ ms: 60_000, mode: 'refuse' });
    await waitForPort(ctx.emu.port, false);
    const error = await client.health().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StemeNetworkError);
    expect((error as StemeNetworkError).networkCode).toBe('ECONNREFUSED');
  });
});

describe('a restart while a call is backing off', () => {
  it('is ridden out, and the keys and data survive it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'stemedb-sdk-restart-'));
    const rootApiKey = generateApiKey();
    let emu: Emulator = await startEmulator({ port: 0, dataDir, rootApiKey, rateLimit: false });
    const { port } = emu;
    const admin = new StemeClient({ baseUrl: emu.url, apiKey: rootApiKey });
    const writer = await admin.admin.createApiKey({ label: 'restart', role: 'write_agent' });
    // The pod goes down during the first wait and comes back during the second.
    const time = fakeTime(async (_ms, index) => {
      if (index === 0) await emu.close();
      if (index === 1) emu = await startEmulator({ port, dataDir, rootApiKey, rateLimit: false });
    });
    const client = new StemeClient({
      baseUrl: emu.url,
      apiKey: writer.key,
      sleep: time.sleep,
      now: time.now,
    });
    try {
      emu.faults.failNext(1, 503); // Traefik's answer as the old pod stops
      const written = await client.assert(PING);
      expect(time.sleeps).toEqual([2000, 4000]);
      const page = await client.listAssertions({ subject: PING.subject });
      expect(page.items.map((a) => a.id)).toContain(written.id);
    } finally {
      await Promise.all([client.close(), admin.close()]);
      await emu.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('AbortSignal', () => {
  it('cancels a pending backoff, even one whose sleep ignores the signal', async () => {
    const controller = new AbortController();
    const reason = new Error('user pressed ctrl-c');
    const client = ctx.client({
      sleep: (ms, signal) => {
        setImmediate(() => controller.abort(reason));
        return sleepForever(ms, signal);
      },
    });
    ctx.emu.faults.failNext(1, 503);
    const before = ctx.emu.requests().length;
    const error = await client.assert(PING, { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StemeAbortError);
    expect((error as StemeAbortError).code).toBe('aborted');
    expect((error as StemeAbortError).cause).toBe(reason);
    expect((error as StemeAbortError).attempts).toBe(1);
    expect(ctx.emu.requests().length - before).toBe(1);
  });

  it('cancels the default sleep between attempts', async () => {
    const controller = new AbortController();
    const client = ctx.client({
      retry: { onRetry: () => void setTimeout(() => controller.abort(), 10) },
    });
    ctx.emu.faults.failNext(5, 503);
    const before = ctx.emu.requests().length;
    const error = await client.health({ signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StemeAbortError);
    expect(ctx.emu.requests().length - before).toBe(1);
  });

  it('cancels the attempt in flight', async () => {
    const controller = new AbortController();
    const client = ctx.client();
    ctx.emu.faults.latency(5_000);
    setTimeout(() => controller.abort(), 50);
    const error = await client.health({ signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StemeAbortError);
    expect((error as StemeAbortError).attempts).toBe(1);
  });

  it('sends nothing when already aborted', async () => {
    const client = ctx.client();
    const before = ctx.emu.requests().length;
    const error = await client.health({ signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StemeAbortError);
    expect((error as StemeAbortError).attempts).toBe(0);
    expect(ctx.emu.requests().length).toBe(before);
  });
});

describe('timeouts', () => {
  it('the per-attempt timeout fires as a StemeTimeoutError naming it; a write is not retried', async () => {
    const time = fakeTime();
    const client = ctx.client({ timeoutMs: 50, sleep: time.sleep, now: time.now });
    ctx.emu.faults.latency(500);
    const error = await client.assert(PING).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StemeTimeoutError);
    expect((error as StemeTimeoutError).timeout).toBe('attempt');
    expect((error as StemeTimeoutError).timeoutMs).toBe(50);
    expect((error as StemeTimeoutError).attempts).toBe(1);
    expect((error as Error).message).toBe('POST /v1/assert: attempt timeout (timeoutMs 50) fired');
    expect(time.sleeps).toEqual([]);
  });

  it('a read that times out is retried on the schedule', async () => {
    const time = fakeTime();
    const client = ctx.client({ timeoutMs: 50, sleep: time.sleep, now: time.now });
    ctx.emu.faults.latency(500);
    const error = await client.health().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StemeTimeoutError);
    expect((error as StemeTimeoutError).attempts).toBe(4);
    expect(time.sleeps).toEqual([2000, 4000, 8000]);
  });

  it('the per-call timeoutMs overrides the client one', async () => {
    const client = ctx.client({ retry: false });
    ctx.emu.faults.latency(500);
    const error = await client.health({ timeoutMs: 20 }).catch((e: unknown) => e);
    expect((error as StemeTimeoutError).timeoutMs).toBe(20);
  });

  // Limits of a second and more are watched by one shared sweep per client, shorter ones by a
  // native timer (src/attempt-abort.ts): the long ones must fire on time and name themselves too.
  it('an attempt timeout of 1 s fires as attempt, on time', async () => {
    const client = ctx.client({ timeoutMs: 1000, retry: false });
    ctx.emu.faults.latency(1600);
    const started = Date.now();
    const error = await client.assert(PING).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StemeTimeoutError);
    expect((error as Error).message).toBe(
      'POST /v1/assert: attempt timeout (timeoutMs 1000) fired',
    );
    expect(Date.now() - started).toBeLessThan(1000 + 10 * SWEEP_MS);
  });

  it('a deadline of 1 s fires as deadline', async () => {
    const client = ctx.client({ timeoutMs: 10_000, deadlineMs: 1000 });
    ctx.emu.faults.latency(1600);
    const error = await client.health().catch((e: unknown) => e);
    expect((error as StemeTimeoutError).timeout).toBe('deadline');
    expect((error as Error).message).toBe('GET /v1/health: deadline (deadlineMs 1000) reached');
  });

  it('the deadline fires in flight as a StemeTimeoutError naming it', async () => {
    const client = ctx.client({ timeoutMs: 10_000, deadlineMs: 50 });
    ctx.emu.faults.latency(500);
    const error = await client.health().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StemeTimeoutError);
    expect((error as StemeTimeoutError).timeout).toBe('deadline');
    expect((error as StemeTimeoutError).timeoutMs).toBe(50);
    expect((error as Error).message).toBe('GET /v1/health: deadline (deadlineMs 50) reached');
  });
});
