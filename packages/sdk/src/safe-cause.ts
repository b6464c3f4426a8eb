/**
 * What of an error from below the SDK (undici, node:net, node:tls) may hang off a StemeError as
 * its `cause`: a copy with its name, its `code` and its redacted message, and the same of its own
 * causes. Nothing else is kept: undici's `HTTPParserError` holds the raw bytes it failed on in
 * `data` (against a server that echoes the request: the request line and `X-API-Key`), which
 * `JSON.stringify(error.cause)` and `util.inspect(error, { customInspect: false })` would show.
 */
import { redactSecrets } from './redact.js';

/** How many causes down a chain are copied; deeper ones are dropped. */
const MAX_CAUSE_DEPTH = 4;

/** A redacted copy of an error from a lower layer (its name and code are the original's). */
export class LowerLevelError extends Error {
  /** The system or undici code, e.g. `ECONNRESET`, `HPE_INVALID_CONSTANT`. */
  readonly code: string | undefined;

  constructor(name: string, message: string, code: string | undefined, cause: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = name;
    this.code = code;
  }
}

/** A copy of `cause` safe to show anywhere, with `secrets` masked in every form. */
export function safeCause(cause: unknown, secrets: readonly string[], depth = 0): unknown {
  if (cause === undefined || cause === null) return undefined;
  if (!(cause instanceof Error)) return redactSecrets(String(cause), secrets).slice(0, 400);
  const code = (cause as { code?: unknown }).code;
  const copy = new LowerLevelError(
    cause.name,
    redactSecrets(cause.message, secrets).slice(0, 400),
    typeof code === 'string' ? code : undefined,
    depth + 1 < MAX_CAUSE_DEPTH ? safeCause(cause.cause, secrets, depth + 1) : undefined,
  );
  // The original's frames (paths and line numbers only) under the copy's own first line.
  const frames = (cause.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  copy.stack = [
    `${copy.name}: ${copy.message}`,
    ...frames.map((f) => redactSecrets(f, secrets)),
  ].join('\n');
  return copy;
}
