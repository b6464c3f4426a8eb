/**
 * The run lease as the commands hold it (issue 22, "one run at a time per store"): wait up to
 * the lock timeout for the store's lease, keep it renewed while the run lives, and stop the
 * run (its signal aborts) if it is ever lost. `provision`, `rotate` and `revoke` all run
 * inside {@link withRunLease}; the store decides how the lease is kept (lease-cell.ts).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { AdminError, describeError } from '../errors.js';
import type { LeaseHolder, StoreLease } from '../stores/lease-types.js';
import type { SecretStore, StoreOperation } from '../stores/types.js';
import { storeFailure } from './context.js';
import { preflightStore } from './preflight.js';

/** How long a run waits for another run's lease (`--lock-timeout`). */
export const DEFAULT_RUN_LOCK_TIMEOUT_MS = 60_000;
/**
 * How long a lease lasts unless renewed; renewed every third of it. Also the age below which
 * a live key the store does not hold is spared as another run's key in flight.
 */
export const DEFAULT_LEASE_DURATION_MS = 60_000;

/** Options of {@link withRunLease}. */
export interface RunLeaseOptions {
  /** The command, named in the holder record. */
  command: string;
  /** @default DEFAULT_RUN_LOCK_TIMEOUT_MS */
  lockTimeoutMs?: number | undefined;
  /** @default DEFAULT_LEASE_DURATION_MS */
  leaseDurationMs?: number | undefined;
  /** Called once, with a line naming the holder, when the run starts to wait for the lease. */
  onWait?: ((message: string) => void) | undefined;
  signal?: AbortSignal | undefined;
  /**
   * An interrupt (the CLI's first Ctrl-C or SIGTERM). While the lease is still awaited the run
   * gives up at once, having changed nothing; once it is held, the body sees the interrupt its
   * own way (the projects in flight finish).
   */
  stop?: AbortSignal | undefined;
  /** @default () => new Date() */
  now?: (() => Date) | undefined;
  /** Waits between attempts. @default setTimeout */
  sleep?: ((ms: number) => Promise<void>) | undefined;
}

/** Describes a holder for a message: host, pid, command and since when. */
export function describeHolder(holder: LeaseHolder): string {
  const what = holder.command === undefined ? 'a run ' : `${holder.command} `;
  return `${what}on ${holder.host} (pid ${holder.pid}) since ${holder.since}`;
}

/**
 * Runs `body` holding the store's run lease. `body` gets a signal that aborts when the caller's
 * does or when the lease is lost; the lease is released when `body` settles.
 *
 * @throws AdminError `lease_held` when another run kept the lease past the lock timeout;
 *   `interrupted` when `stop` fires before the lease is held
 */
export async function withRunLease<T>(
  store: SecretStore,
  options: RunLeaseOptions,
  body: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const durationMs = options.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS;
  const timeoutMs = options.lockTimeoutMs ?? DEFAULT_RUN_LOCK_TIMEOUT_MS;
  const holder: LeaseHolder = {
    id: randomBytes(9).toString('hex'),
    host: hostname(),
    pid: process.pid,
    since: now().toISOString(),
    command: options.command,
  };
  const started = Date.now();
  let pause = 50;
  let said = false;
  let lease: StoreLease;
  const interrupted = () =>
    new AdminError({
      code: 'interrupted',
      message: `${options.command}: interrupted while waiting for the run lease of ${store.spec}; nothing was changed`,
    });
  // A function, not a narrowed property: the signal may fire across every await below.
  const stopped = () => options.stop?.aborted === true;
  for (;;) {
    if (stopped()) throw interrupted();
    // An attempt in flight is not cut short: a claim that landed must be released, not left
    // to expire with no run behind it.
    const attempt = await store
      .acquireLease({ holder, durationMs, now, signal: options.signal })
      .catch((e) => {
        throw storeFailure(e, 'taking the run lease');
      });
    if (attempt.acquired) {
      lease = attempt.lease;
      if (stopped()) {
        await lease.release().catch(() => undefined);
        throw interrupted();
      }
      break;
    }
    const waited = Date.now() - started;
    if (!said && timeoutMs > 0) {
      // Said once, at the first refusal, and only when there is a wait to speak of.
      said = true;
      options.onWait?.(
        `${options.command}: waiting up to ${timeoutMs} ms (--lock-timeout) for the run lease of ${store.spec}, held by ${describeHolder(attempt.holder)}`,
      );
    }
    if (waited >= timeoutMs) {
      throw new AdminError({
        code: 'lease_held',
        message: `${options.command}: another run holds the lease of ${store.spec}: ${describeHolder(attempt.holder)}, until ${attempt.expiresAt} unless renewed; waited ${waited} ms (--lock-timeout)`,
      });
    }
    await untilStopped(sleep(Math.min(pause, timeoutMs - waited)), options.stop);
    pause = Math.min(pause * 2, 1_000);
  }
  const lost = new AbortController();
  const signal =
    options.signal === undefined ? lost.signal : AbortSignal.any([options.signal, lost.signal]);
  const timer = setInterval(
    () => {
      lease.renew().catch((error: unknown) => {
        // A run that cannot prove it holds the lease must stop before it changes anything more.
        lost.abort(
          new AdminError({
            code: 'lease_lost',
            message: `${options.command}: lost the run lease of ${store.spec}: ${describeError(error)}`,
            cause: error,
          }),
        );
      });
    },
    Math.max(1, Math.floor(durationMs / 3)),
  );
  timer.unref?.();
  try {
    return await body(signal);
  } finally {
    clearInterval(timer);
    await lease.release();
  }
}

/**
 * {@link withRunLease} after the store's preflight for `operations` (preflight.ts): `body` runs
 * only once both the preflight passed and the lease is held, so nothing is read for the plan,
 * minted or revoked before either. The two are asked together rather than one after the other
 * (their round trips overlap: two fewer in a row on every run). The preflight writes nothing,
 * and a lease claim is no key change; a failed preflight stops the wait for the lease and is
 * the error reported (it names the missing permission, exit 3), whatever became of the lease.
 */
export async function withCheckedRunLease<T>(
  store: SecretStore,
  operations: readonly StoreOperation[],
  options: RunLeaseOptions,
  body: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const refused = new AbortController();
  const checked = preflightStore(store, operations, options.signal);
  checked.catch(() => refused.abort()); // awaited below, so never unhandled
  const stop =
    options.stop === undefined ? refused.signal : AbortSignal.any([options.stop, refused.signal]);
  try {
    return await withRunLease(store, { ...options, stop }, async (signal) => {
      await checked;
      return body(signal);
    });
  } catch (error) {
    await checked;
    throw error;
  }
}

/** `wait`, cut short when `stop` fires. */
async function untilStopped(wait: Promise<void>, stop: AbortSignal | undefined): Promise<void> {
  if (stop === undefined) return wait;
  if (stop.aborted) return;
  let onAbort!: () => void;
  const stopped = new Promise<void>((resolve) => {
    onAbort = resolve;
    stop.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([wait, stopped]);
  } finally {
    stop.removeEventListener('abort', onAbort);
  }
}
