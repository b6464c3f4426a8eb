/**
 * One run of `persistScan` or `flushSpool`: its options, spool, StemeDB client, send window
 * and warnings, made once and shared by every journal the run touches.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { RetryInfo, RetryOptions, SleepFn, StemeClient } from '@stemedb/sdk';
import { clientFor } from '../client.js';
import { DEFAULT_SEAMS, Spool, type SpoolSeams } from '../spool/spool.js';
import { formatDuration, type ResolvedRunOptions } from './options.js';
import type { PersistProgress } from './results.js';
import { Sender } from './sender.js';
import { type Sink, StemeSink } from './sink.js';

/** What a run shares between the journals it drains. */
export interface Run {
  readonly options: ResolvedRunOptions;
  readonly spool: Spool;
  readonly client: StemeClient;
  readonly sender: Sender;
  /** StemeDB, as the delivery loop sends to it (through `sender`, the run's window). */
  readonly sink: Sink;
  /** Every warning so far, in order. */
  readonly warnings: string[];
  phase: PersistProgress['phase'];
  /** The timer of the run's deadline (`timeoutMs`). */
  readonly deadline: NodeJS.Timeout;
}

const defaultSleep: SleepFn = (ms, signal) => delay(ms, undefined, signal ? { signal } : undefined);

/** Opens a run: validates nothing (the caller did), creates the spool directory. */
export async function openRun(
  options: ResolvedRunOptions,
  seams: SpoolSeams = DEFAULT_SEAMS,
): Promise<Run> {
  const { clientOptions, config } = options;
  const sleep = clientOptions.sleep ?? defaultSleep;
  const now = clientOptions.now ?? Date.now;
  const sender = new Sender(options.concurrency, sleep, now, options.signal);
  const spool = new Spool(config.spoolDir, seams);
  sender.fence = () => spool.checkFence();
  const client = clientFor(config, {
    ...clientOptions,
    retry: withRateLimitHook(clientOptions.retry, sender),
  });
  try {
    await spool.ensureDir();
  } catch (error) {
    sender.dispose();
    await client.close();
    throw error;
  }
  // The run's deadline: a server that keeps answering 429, or a slow one, never hangs a CI job;
  // what is not sent by then stays spooled (exit 0, or 4 with --strict).
  const deadline = setTimeout(() => sender.expire(), options.timeoutMs);
  const sink = new StemeSink(client, sender, config);
  return { options, spool, client, sender, sink, warnings: [], phase: 'flush', deadline };
}

/** Closes the run's client and lets go of the caller's signal. */
export async function closeRun(run: Run): Promise<void> {
  clearTimeout(run.deadline);
  run.sender.dispose();
  await run.client.close();
}

/** The warning of a run that reached its deadline, when something was left spooled. */
export function warnExpired(run: Run, spooled: number): void {
  if (!run.sender.expired || spooled === 0) return;
  warn(
    run,
    `the run reached its deadline (${formatDuration(run.options.timeoutMs)}): ${spooled} assertion(s) stay spooled in ${run.spool.dir}; the next run or \`aphoria-hosted flush\` sends them`,
  );
}

/** Records a warning and hands it to `onWarning`. */
export function warn(run: Run, message: string): void {
  run.warnings.push(message);
  run.options.onWarning(message);
}

/**
 * The SDK retries a 429 that carries `Retry-After` by itself; the hook makes every other send
 * of the run wait too, and halves the window, instead of letting each one find the limit.
 */
function withRateLimitHook(
  retry: RetryOptions | false | undefined,
  sender: Sender,
): RetryOptions | false {
  if (retry === false) return false;
  const theirs = retry?.onRetry;
  return {
    ...(retry ?? {}),
    // A write whose outcome is unknown is never resent blindly: deliver.ts reads it back first.
    retryAmbiguous: false,
    onRetry: (info: RetryInfo) => {
      if (info.error.status === 429) sender.slowDown(info.delayMs);
      return theirs?.(info);
    },
  };
}
