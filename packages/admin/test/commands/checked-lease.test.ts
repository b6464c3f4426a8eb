/**
 * withCheckedRunLease: the store's preflight and its run lease are asked together (their round
 * trips overlap), and nothing runs before both. Driven with a memory store whose preflight is
 * slowed or refused on purpose, and a second run holding the lease.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { withCheckedRunLease, withRunLease } from '../../src/commands/run-lease.js';
import { createMemorySecretStore } from '../../src/stores/memory.js';
import { preflightDenied } from '../../src/stores/preflight.js';
import type { PreflightOptions, SecretStore } from '../../src/stores/types.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A memory store whose preflight runs `preflight`, its steps logged in `events`. */
function storeWith(preflight: () => Promise<void>) {
  const inner = createMemorySecretStore();
  cleanups.push(() => inner.close());
  const events: string[] = [];
  const store: SecretStore = Object.assign(Object.create(inner) as SecretStore, {
    spec: inner.spec,
    async preflight(_options?: PreflightOptions) {
      events.push('preflight asked');
      await preflight();
      events.push('preflight passed');
    },
    async acquireLease(...args: Parameters<SecretStore['acquireLease']>) {
      events.push('lease asked');
      return inner.acquireLease(...args);
    },
  });
  return { store, events };
}

const refused = () =>
  preflightDenied('memory', 'memory store', ['secretmanager.versions.add'], 'Grant it.');

describe('withCheckedRunLease', () => {
  it('asks for the lease while the preflight is in flight, and runs the body after both', async () => {
    const { store, events } = storeWith(() => sleep(100));
    const result = await withCheckedRunLease(store, ['write'], { command: 'test' }, async () => {
      events.push('body');
      return 'done';
    });
    expect(result).toBe('done');
    expect(events.indexOf('lease asked')).toBeLessThan(events.indexOf('preflight passed'));
    expect(events.at(-1)).toBe('body');
  });

  it('runs nothing of the body when the preflight is refused after the lease was taken, and frees the lease', async () => {
    const { store } = storeWith(async () => {
      await sleep(100);
      throw refused();
    });
    let ran = false;
    const run = withCheckedRunLease(store, ['write'], { command: 'test' }, async () => {
      ran = true;
    });
    await expect(run).rejects.toMatchObject({ code: 'permission_denied' });
    expect(ran).toBe(false);
    // Released: another run takes it at once.
    await expect(
      withRunLease(store, { command: 'next', lockTimeoutMs: 0 }, async () => 'next'),
    ).resolves.toBe('next');
  });

  it("stops waiting for another run's lease when the preflight is refused, reporting the refusal", async () => {
    const { store } = storeWith(async () => {
      throw refused();
    });
    let release!: () => void;
    const holding = withRunLease(
      store,
      { command: 'holder' },
      () =>
        new Promise<void>((r) => {
          release = r;
        }),
    );
    await sleep(50);
    const started = Date.now();
    const run = withCheckedRunLease(
      store,
      ['write'],
      { command: 'test', lockTimeoutMs: 20_000 },
      async () => 'ran',
    );
    await expect(run).rejects.toMatchObject({ code: 'permission_denied' });
    expect(Date.now() - started).toBeLessThan(5_000);
    release();
    await holding;
  });
});
