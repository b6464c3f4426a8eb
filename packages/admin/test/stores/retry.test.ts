/**
 * The stores' one retry loop (src/stores/retry.ts): its first attempt runs outside p-retry and a
 * failure is handed to p-retry as its first attempt; calls waiting on one signal share one
 * abort listener. Each behaviour is driven with attempts that fail or hang on purpose.
 */
import { describe, expect, it } from 'vitest';
import { SecretStoreError } from '../../src/stores/errors.js';
import { DEFAULT_STORE_RETRY, type RetryPolicy, withRetry } from '../../src/stores/retry.js';

class Transient extends Error {}

function policy(signal?: AbortSignal, retries = 3): RetryPolicy {
  return {
    retry: { ...DEFAULT_STORE_RETRY, retries, minDelayMs: 1, maxDelayMs: 2, jitter: false },
    signal,
    shouldRetry: (error) => error instanceof Transient,
    fail: (error, attempts) =>
      new SecretStoreError({
        code: 'unavailable',
        store: 'gcp',
        message: `failed after ${attempts}: ${(error as Error).message}`,
      }),
    aborted: () => new SecretStoreError({ code: 'aborted', store: 'gcp', message: 'aborted' }),
  };
}

describe('withRetry', () => {
  it('returns the first attempt when it succeeds, making one attempt', async () => {
    let calls = 0;
    await expect(withRetry(async () => ++calls, policy())).resolves.toBe(1);
    expect(calls).toBe(1);
  });

  it('retries a transient failure of the first attempt and counts every attempt', async () => {
    let calls = 0;
    const result = withRetry(async () => {
      calls += 1;
      if (calls < 3) throw new Transient(`try ${calls}`);
      return 'ok';
    }, policy());
    await expect(result).resolves.toBe('ok');
    expect(calls).toBe(3);
  });

  it('fails at once on a failure not worth retrying, naming one attempt', async () => {
    let calls = 0;
    const result = withRetry(async () => {
      calls += 1;
      throw new Error('denied');
    }, policy());
    await expect(result).rejects.toThrow('failed after 1: denied');
    expect(calls).toBe(1);
  });

  it('stops after the configured retries, naming every attempt', async () => {
    let calls = 0;
    const result = withRetry(
      async () => {
        calls += 1;
        throw new Transient('down');
      },
      policy(undefined, 2),
    );
    await expect(result).rejects.toThrow('failed after 3: down');
    expect(calls).toBe(3);
  });

  it('rejects every call in flight on one signal when it fires, after others on it settled', async () => {
    const controller = new AbortController();
    const settled = withRetry(async () => 'done', policy(controller.signal));
    await expect(settled).resolves.toBe('done');
    const hanging = Array.from({ length: 100 }, () =>
      withRetry(() => new Promise<never>(() => {}), policy(controller.signal)),
    );
    controller.abort(new Error('stop'));
    const results = await Promise.allSettled(hanging);
    expect(results.every((r) => r.status === 'rejected' && r.reason.code === 'aborted')).toBe(true);
  });

  it('does not start an attempt once the signal has fired', async () => {
    let calls = 0;
    const result = withRetry(async () => ++calls, policy(AbortSignal.abort()));
    await expect(result).rejects.toMatchObject({ code: 'aborted' });
    expect(calls).toBe(0);
  });
});
