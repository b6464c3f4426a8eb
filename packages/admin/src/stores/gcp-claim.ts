/**
 * `writeIfAbsent` on Secret Manager, where the value lives in a version and not in the secret,
 * so CreateSecret alone cannot be the whole claim. The rule that decides is simpler than the
 * protocol around it: **the value is the secret's first (lowest-numbered) version**, and the
 * writer whose AddSecretVersion produced it is the one that `written: true`. Version numbers are
 * assigned by Secret Manager and never reused, so two writers cannot both see themselves first.
 *
 * 1. A latest version exists: return it (`written: false`).
 * 2. CreateSecret. The writer it succeeds for adds its version. One that gets ALREADY_EXISTS
 *    waits (polling, up to `claimTimeoutMs`) for the creator's version and returns it.
 * 3. A creator that never adds one (it crashed between the two calls) would leave everyone
 *    waiting forever: after `claimTimeoutMs` a waiter adds its own version instead.
 * 4. Whoever added a version lists the versions: first is mine, `written: true`. If not (a slow
 *    creator and a waiter both added), the later writer destroys its own version, so that the
 *    first stays the latest value, and returns the first (`written: false`).
 *
 * A reader between step 4's add and destroy can see the loser's value as the latest; that needs
 * a creator stalled for `claimTimeoutMs` between two calls, and ends with the loser's destroy.
 * A retried AddSecretVersion whose first attempt landed adds the same value twice; the value
 * comparison in step 4 makes that writer the winner still.
 */
import type { GcpOps } from './gcp-types.js';
import { abortedError } from './guard.js';
import type { WriteIfAbsentResult } from './types.js';

/** How long a waiter waits for a creator's first version. */
export const DEFAULT_CLAIM_TIMEOUT_MS = 10_000;
const FIRST_POLL_MS = 25;
const MAX_POLL_MS = 1_000;
const OPERATION = 'writeIfAbsent';

/** Options of {@link claimFirstVersion}. */
export interface ClaimOptions {
  readonly claimTimeoutMs: number;
  readonly signal: AbortSignal | undefined;
}

/** Writes `value` as `name`'s first version unless it has one; see the module comment. */
export async function claimFirstVersion(
  name: string,
  value: string,
  ops: GcpOps,
  options: ClaimOptions,
): Promise<WriteIfAbsentResult> {
  const { signal } = options;
  const existing = await ops.readLatest(name, OPERATION, signal);
  if (existing !== undefined) return { written: false, ...existing };

  const created = await ops.createSecret(name, OPERATION, signal);
  if (!created) {
    const theirs = await waitForVersion(name, ops, options);
    if (theirs !== undefined) return { written: false, ...theirs };
  }

  // We created the secret, or its creator abandoned it: add ours, then see who is first. A
  // NOT_FOUND here (a concurrent delete) surfaces as an error; the caller may simply retry.
  const mine = await ops.addVersion(name, value, OPERATION, signal);
  const first = (await ops.versions(name, OPERATION, signal))[0];
  if (first === undefined || first.version === mine) {
    return { written: true, value, version: mine };
  }
  const winner = await ops.access(name, first.version, OPERATION, signal);
  if (winner === undefined) return { written: true, value, version: mine };
  if (winner.value === value) return { written: true, value, version: first.version };
  await ops.destroy(name, mine, OPERATION);
  return { written: false, value: winner.value, version: winner.version };
}

async function waitForVersion(
  name: string,
  ops: GcpOps,
  { claimTimeoutMs, signal }: ClaimOptions,
): Promise<{ value: string; version: string } | undefined> {
  const deadline = Date.now() + claimTimeoutMs;
  let delay = FIRST_POLL_MS;
  for (;;) {
    const found = await ops.readLatest(name, OPERATION, signal);
    if (found !== undefined) return found;
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    await sleep(Math.min(delay, left), name, signal);
    delay = Math.min(delay * 2, MAX_POLL_MS);
  }
}

function sleep(ms: number, name: string, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortedError('gcp', OPERATION, name, signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
