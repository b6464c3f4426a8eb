/**
 * `writeIfAbsent` on Secret Manager, where the value lives in a version and not in the secret,
 * so CreateSecret alone cannot be the whole claim. The rule that decides is simpler than the
 * protocol around it: **the value is the first (lowest-numbered) enabled version created after
 * the claim began** (after version 0 for a new secret; after the unusable `latest` for a secret
 * whose latest version is disabled or destroyed), and the writer whose AddSecretVersion produced
 * it is the one that `written: true`. Version numbers are assigned by Secret Manager and never
 * reused, so two writers cannot both see themselves first.
 *
 * 1. `latest` holds a value: return it (`written: false`). `latest` is disabled or destroyed:
 *    there is no working value and no claim in flight, go to step 4 with that version as floor.
 * 2. CreateSecret. The writer it succeeds for adds its version. One that gets ALREADY_EXISTS
 *    waits (polling, up to `claimTimeoutMs`) for the creator's version and returns it.
 * 3. A creator that never adds one (it crashed between the two calls) would leave everyone
 *    waiting forever: after `claimTimeoutMs` a waiter adds its own version instead.
 * 4. Whoever added a version lists the versions: first is mine, `written: true`. If not (a slow
 *    creator and a waiter both added), the later writer **adds the winner's value again** as a
 *    new version, so that `latest` (the most recently created version, whatever its state)
 *    holds the winner's value, and only then destroys its own. Destroying its own alone (what
 *    this did before) left `latest` on a DESTROYED version, which External Secrets and
 *    `gcloud secrets versions access latest` refuse; disabling nothing would leave the loser's
 *    value as `latest`.
 *
 * A reader between step 4's add and the loser's re-add can see the loser's value as the latest;
 * that needs a creator stalled for `claimTimeoutMs` between two calls, and ends with the re-add.
 * A retried AddSecretVersion whose first attempt landed adds the same value twice; the value
 * comparison in step 4 makes that writer the winner still.
 */
import type { GcpOps, Latest } from './gcp-types.js';
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
  const existing = await ops.latest(name, OPERATION, signal);
  if (existing.kind === 'value') return { written: false, ...storedOf(existing) };

  let floor = existing.kind === 'unusable' ? Number(existing.version) : 0;
  if (existing.kind === 'absent' && !(await ops.createSecret(name, OPERATION, signal))) {
    const theirs = await waitForVersion(name, ops, options);
    if (theirs.kind === 'value') return { written: false, ...storedOf(theirs) };
    if (theirs.kind === 'unusable') floor = Number(theirs.version);
  }

  // We created the secret, its creator abandoned it, or its latest does not work: add ours,
  // then see who is first. A NOT_FOUND here (a concurrent delete) surfaces as an error; the
  // caller may simply retry.
  const mine = await ops.addVersion(name, value, OPERATION, signal);
  const first = (await ops.versions(name, OPERATION, signal)).find(
    (v) => v.enabled && Number(v.version) > floor,
  );
  if (first === undefined || first.version === mine) {
    return { written: true, value, version: mine };
  }
  const winner = await ops.access(name, first.version, OPERATION, signal);
  if (winner === undefined) return { written: true, value, version: mine };
  if (winner.value === value) return { written: true, value, version: first.version };
  // Lost: make the winner's value the latest again before our version stops existing.
  const again = await ops.addVersion(name, winner.value, OPERATION, signal);
  await ops.destroy(name, mine, OPERATION);
  return { written: false, value: winner.value, version: again };
}

function storedOf(latest: Latest & { kind: 'value' }): { value: string; version: string } {
  return { value: latest.value, version: latest.version };
}

/** Polls `latest` until it is not absent, or `claimTimeoutMs` passes (then `absent`). */
async function waitForVersion(
  name: string,
  ops: GcpOps,
  { claimTimeoutMs, signal }: ClaimOptions,
): Promise<Latest> {
  const deadline = Date.now() + claimTimeoutMs;
  let delay = FIRST_POLL_MS;
  for (;;) {
    const found = await ops.latest(name, OPERATION, signal);
    if (found.kind !== 'absent') return found;
    const left = deadline - Date.now();
    if (left <= 0) return found;
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
