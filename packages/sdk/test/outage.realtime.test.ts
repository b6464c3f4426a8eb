/**
 * The roadmap's schedule in real time, once: the only slow tests of the SDK (about 6 s and
 * 14 s). Everything else about retrying is tested with an injected sleep in retry.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { StemeUnavailableError } from '../src/index.js';
import { PING, useEmulator } from './support/emulator.js';

const ctx = useEmulator({ rateLimit: false });

describe('a Recreate deploy seen through Traefik, in real time', () => {
  it('rides out a 6-second 503 outage and writes the assertion', { timeout: 20_000 }, async () => {
    const client = ctx.client();
    const before = ctx.emu.requests().length;
    ctx.emu.faults.outage({ ms: 6_000, mode: 503 });
    await expect(client.assert(PING)).resolves.toMatchObject({ id: expect.any(String) });
    const statuses = ctx.emu
      .requests()
      .slice(before)
      .map((r) => r.status);
    expect(statuses.at(-1)).toBe(201);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(2);
  });

  it('gives up on a 20-second 503 outage after four attempts with StemeUnavailableError', {
    timeout: 30_000,
  }, async () => {
    const client = ctx.client();
    const before = ctx.emu.requests().length;
    ctx.emu.faults.outage({ ms: 20_000, mode: 503 });
    const error = await client.assert(PING).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StemeUnavailableError);
    expect((error as StemeUnavailableError).attempts).toBe(4);
    expect((error as StemeUnavailableError).elapsedMs).toBeGreaterThanOrEqual(14_000);
    expect((error as Error).message).toContain('gave up after 4 attempts over 14.');
    expect(
      ctx.emu
        .requests()
        .slice(before)
        .map((r) => r.status),
    ).toEqual([503, 503, 503, 503]);
  });
});
