/**
 * The flags of every command that changes keys (`provision`, `rotate`, `revoke`), parsed into
 * the library's {@link RunOptions}: `--lock-timeout <duration>` for the run lease.
 */
import type { RunOptions } from '../commands/context.js';
import { type Io, PROGRAM, UsageError } from './io.js';

/** The flags, as commander names them. */
export interface RunFlags {
  lockTimeout?: string;
}

/** The flags of the commands that mint keys (`provision`, `rotate`). */
export interface GraceFlags {
  grace?: string;
}

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * A duration flag: a whole number with a unit (`500ms`, `90s`, `5m`, `2h`), or `0`. Returns
 * milliseconds; throws a usage error naming the flag.
 */
export function durationFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d{1,9})(ms|s|m|h)?$/.exec(value.trim());
  const unit = match?.[2];
  if (match === null || (unit === undefined && match[1] !== '0')) {
    throw new UsageError(
      `--${name} must be a duration such as 30s, 5m or 2h (or 0), not ${JSON.stringify(value)}`,
    );
  }
  return Number(match[1]) * (UNITS[unit ?? 'ms'] ?? 1);
}

/** The {@link RunOptions} the flags give; a wait for the lease is said on `io`'s stderr. */
export function runOptionsOf(flags: RunFlags, io: Io): RunOptions {
  const lockTimeoutMs = durationFlag('lock-timeout', flags.lockTimeout);
  const onLeaseWait = (message: string) => {
    io.stderr.write(`${PROGRAM}: ${message}\n`);
  };
  return lockTimeoutMs === undefined ? { onLeaseWait } : { lockTimeoutMs, onLeaseWait };
}

/** `--grace <duration>` in milliseconds, when given. */
export function graceOf(flags: GraceFlags): { graceMs?: number } {
  const graceMs = durationFlag('grace', flags.grace);
  return graceMs === undefined ? {} : { graceMs };
}
