/**
 * One lock per journal, with proper-lockfile (a `mkdir` lock whose mtime the holder refreshes):
 * two runs at once (a CI matrix in one checkout) never write or send the same journal, and a
 * lock left by a killed process goes stale and is taken over once its mtime is older than
 * `staleMs`.
 */
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import lockfile from 'proper-lockfile';

/** A lock older than this (ms) was left by a dead process. proper-lockfile's own default. */
export const DEFAULT_LOCK_STALE_MS = 10_000;

/** How a lock is taken. */
export interface LockSettings {
  /** See {@link DEFAULT_LOCK_STALE_MS}; proper-lockfile refreshes at half of it (min 2000). */
  staleMs: number;
}

/** A held lock. */
export interface HeldLock {
  /** Set when the lock could not be refreshed in time: another process may now hold it. */
  readonly compromised: Error | undefined;
  /**
   * Throws {@link LockLostError} unless the lock is still ours: its directory is the one we made
   * (same inode: a run that took it over removed ours and made its own) and fresh (its mtime,
   * which proper-lockfile refreshes, not older than the staleness: past that, anyone may take
   * it). Called before every write and, at most every {@link FENCE_EVERY_MS}, before a send, so
   * that a stalled run (GC, a suspended VM) stops at once when it wakes instead of writing a
   * journal another run now owns.
   */
  fence(): Promise<void>;
  release(): Promise<void>;
}

/** How often a send re-checks the lock (a stat of its directory). */
export const FENCE_EVERY_MS = 250;

/** The run's lock on a journal was lost (taken over, or stale): it stops writing and sending. */
export class LockLostError extends Error {
  override readonly name = 'LockLostError';
  /** Stable, as the package's errors' codes are. */
  readonly code = 'ELOCKLOST';
}

/**
 * Takes the lock of `target` (a path that need not exist; the lock is the directory
 * `lockPath`). Waits up to `waitMs` for a live holder to let go; resolves `undefined` when it
 * did not. `onCompromised` is told if the lock is later lost.
 */
export async function acquireLock(
  target: string,
  lockPath: string,
  settings: LockSettings,
  waitMs: number,
  onCompromised: (error: Error) => void,
): Promise<HeldLock | undefined> {
  let compromised: Error | undefined;
  const retryEveryMs = 250;
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(target, {
      lockfilePath: lockPath,
      realpath: false,
      stale: settings.staleMs,
      retries:
        waitMs <= 0
          ? 0
          : {
              retries: Math.ceil(waitMs / retryEveryMs),
              minTimeout: retryEveryMs,
              maxTimeout: retryEveryMs,
              factor: 1,
            },
      // The default throws from a timer, which would crash the process: record it instead and
      // let the run stop sending.
      onCompromised: (error) => {
        compromised = error;
        onCompromised(error);
      },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') return undefined;
    throw error;
  }
  const mine = await stat(lockPath);
  const fence = async () => {
    if (compromised !== undefined)
      throw new LockLostError(`the lock ${lockPath} was lost: ${compromised.message}`);
    let now: Stats | undefined;
    try {
      now = await stat(lockPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (now === undefined || now.ino !== mine.ino || now.dev !== mine.dev) {
      throw new LockLostError(`the lock ${lockPath} was taken over by another run`);
    }
    if (Date.now() - now.mtimeMs > settings.staleMs) {
      throw new LockLostError(
        `the lock ${lockPath} went stale (not refreshed for ${Math.round((Date.now() - now.mtimeMs) / 1000)} s: a stalled run); another run may hold it`,
      );
    }
  };
  return {
    get compromised() {
      return compromised;
    },
    fence,
    async release() {
      try {
        await release();
      } catch (error) {
        // Already released, or taken over after being compromised: nothing of ours to remove.
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ERELEASED' && code !== 'ENOTACQUIRED' && code !== 'ENOENT') throw error;
      }
    },
  };
}
