/**
 * What persist, flush and status share once they run: the config from `--cwd`, the numeric
 * flags, the run options every command passes to the library. Loaded only when a command runs.
 */
import { loadHostedConfig } from '../config.js';
import { PersistIncompleteError } from '../errors.js';
import { MAX_PERSIST_CONCURRENCY, parseDuration } from '../persist/options.js';
import type { FlushResult, PersistProgress, PersistResult } from '../persist/results.js';
import type { HostedConfig } from '../types.js';
import {
  EXIT_CODES,
  ExitWith,
  exitCodeOf,
  type Io,
  printJson,
  UsageError,
  warnLine,
} from './io.js';
import { startProgress } from './progress.js';
import { ciSpoolWarning } from './summary.js';

/** The flags every command has (commander's camelCase names). */
export interface CommonFlags {
  cwd?: string;
  json?: boolean;
}

/** The flags of persist and flush. */
export interface RunFlags extends CommonFlags {
  strict?: boolean;
  concurrency?: string;
  timeout?: string;
}

/** `.aphoria/config.toml` found upward from the command's directory, and the key from the env. */
export function loadConfig(io: Io): Promise<HostedConfig> {
  return loadHostedConfig({ cwd: io.cwd, env: io.env });
}

/** Parses `--timeout` (`20s`, `10m`), or throws a usage error naming it. */
export function timeoutOf(flags: RunFlags): number | undefined {
  const value = flags.timeout;
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  if (ms === undefined) {
    throw new UsageError(
      `--timeout must be a duration such as 20s, 10m or 1h, not ${JSON.stringify(value.slice(0, 32))}`,
    );
  }
  return ms;
}

/** Parses `--concurrency`, or throws a usage error naming it. */
export function concurrencyOf(flags: RunFlags): number | undefined {
  const value = flags.concurrency;
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(n) || n < 1 || n > MAX_PERSIST_CONCURRENCY) {
    throw new UsageError(
      `--concurrency must be a whole number from 1 to ${MAX_PERSIST_CONCURRENCY}, not ${JSON.stringify(value.slice(0, 32))}`,
    );
  }
  return n;
}

/**
 * A signal that aborts on the first SIGINT or SIGTERM, so a run stops sending and leaves what is
 * not acknowledged in the spool (a second signal kills at once, as Node does by default).
 * `received` names the signal, so the exit code can say which (130 or 143, as a shell does).
 */
export function interruptSignal(io: Io): {
  signal: AbortSignal;
  readonly received: NodeJS.Signals | undefined;
  dispose(): void;
} {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const onSignal = (name: NodeJS.Signals) => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    received = name;
    warnLine(io, `${name}: stopping; what is not acknowledged stays in the spool`);
    controller.abort(new DOMException(`interrupted by ${name}`, 'AbortError'));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** `1.2 s` or `340 ms`. */
export function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** What persist and flush hand the library, once the CLI has set up the run. */
export interface RunCallOptions {
  config: HostedConfig;
  concurrency: number | undefined;
  strict: boolean;
  timeoutMs: number | undefined;
  onProgress: ((progress: PersistProgress) => void) | undefined;
  onWarning: (message: string) => void;
  signal: AbortSignal;
}

/**
 * Runs `send` (persistScan or flushSpool) as the CLI does: the config from `--cwd`, then what
 * `load` reads (the scan file), then a progress bar on a terminal only (stopped before a warning
 * line), SIGINT/SIGTERM as the signal, and with `--strict --json` the result printed even when
 * not everything was stored.
 */
export async function runSending<T, R>(
  flags: RunFlags,
  io: Io,
  load: (config: HostedConfig) => Promise<T>,
  send: (input: T, options: RunCallOptions) => Promise<R>,
): Promise<R> {
  const concurrency = concurrencyOf(flags);
  const timeoutMs = timeoutOf(flags);
  const config = await loadConfig(io);
  const input = await load(config);
  const progress = await startProgress(io);
  const interrupt = interruptSignal(io);
  try {
    const result = await send(input, {
      config,
      concurrency,
      strict: flags.strict === true,
      timeoutMs,
      onProgress: progress.onProgress,
      onWarning: (message) => {
        progress.stop();
        warnLine(io, message);
      },
      signal: interrupt.signal,
    });
    const ci = ciSpoolWarning(io.env, result as PersistResult | FlushResult);
    if (ci !== undefined) {
      progress.stop();
      warnLine(io, ci);
    }
    return result;
  } catch (error) {
    // --strict and not all stored: scripts still get the result.
    if (error instanceof PersistIncompleteError) {
      if (flags.json === true) printJson(io, error.result);
      const ci = ciSpoolWarning(io.env, error.result as PersistResult | FlushResult);
      if (ci !== undefined) warnLine(io, ci);
    }
    // SIGTERM (a CI runner cancelling the job, `docker stop`) exits 143, SIGINT 130: 128 + n.
    if (interrupt.received === 'SIGTERM' && exitCodeOf(error) === EXIT_CODES.interrupted) {
      throw new ExitWith(EXIT_CODES.terminated, (error as Error).message, { cause: error });
    }
    throw error;
  } finally {
    progress.stop();
    interrupt.dispose();
  }
}
