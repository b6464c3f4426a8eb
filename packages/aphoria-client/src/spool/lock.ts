/**
 * One lock per journal, with proper-lockfile (a `mkdir` lock whose mtime the holder refreshes):
 * two runs at once (a CI matrix in one checkout) never write or send the same journal, and a
 * lock left by a killed process goes stale and is taken over once its mtime is older than
 * `staleMs`.
 */
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
  release(): Promise<void>;
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
  return {
    get compromised() {
      return compromised;
    },
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
