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
import type { SecretStore } from '../stores/types.js';
import { storeFailure } from './context.js';

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
  signal?: AbortSignal | undefined;
  /** @default () => new Date() */
  now?: (() => Date) | undefined;
  /** Waits between attempts. @default setTimeout */
  sleep?: ((ms: number) => Promise<void>) | undefined;
}

/** Describes a holder for a message: host, pid, command and since when. */
export function describeHolder(holder: LeaseHolder): string {
  const what = holder.command === undefined ? '' : `${holder.command} `;
  return `${what}on ${holder.host} (pid ${holder.pid}) since ${holder.since}`;
}

/**
 * Runs `body` holding the store's run lease. `body` gets a signal that aborts when the caller's
 * does or when the lease is lost; the lease is released when `body` settles.
 *
 * @throws AdminError `lease_held` when another run kept the lease past the lock timeout
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
  let lease: StoreLease;
  for (;;) {
    const attempt = await store
      .acquireLease({ holder, durationMs, now, signal: options.signal })
      .catch((e) => {
        throw storeFailure(e, 'taking the run lease');
      });
    if (attempt.acquired) {
      lease = attempt.lease;
      break;
    }
    const waited = Date.now() - started;
    if (waited >= timeoutMs) {
      throw new AdminError({
        code: 'lease_held',
        message: `${options.command}: another run holds the lease of ${store.spec}: ${describeHolder(attempt.holder)}, until ${attempt.expiresAt} unless renewed; waited ${waited} ms (--lock-timeout)`,
      });
    }
    await sleep(Math.min(pause, timeoutMs - waited));
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
