/**
 * The package's errors. Every one has a stable `code`; none ever carries a key or any part of
 * one. Errors from the SDK (`StemeError`) pass through unchanged as `cause`.
 */
import { redactKeys } from './redact.js';

// Config messages are built from a file and an environment that may hold a piece of a key: a
// shorter hex run is masked there than in the CLI's lines (where scan ids must stay readable).
const CONFIG_HEX_RUN = 16;

/** Stable codes of the package's errors. */
export type AphoriaHostedErrorCode =
  | 'config_invalid'
  | 'scan_invalid'
  | 'auth_failed'
  | 'persist_incomplete'
  | 'spool_corrupt'
  | 'invalid_options'
  | 'not_stemedb'
  | 'target_mismatch';

/** Base class of every error this package throws. */
export class AphoriaHostedError extends Error {
  readonly code: AphoriaHostedErrorCode;

  constructor(code: AphoriaHostedErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A mistake in `.aphoria/config.toml` or the environment; the message names the file and the fix. */
export class HostedConfigError extends AphoriaHostedError {
  /** The config file, when one was found. */
  readonly file: string | undefined;
  /** The 1-based line, when the TOML parser gives one. */
  readonly line: number | undefined;

  constructor(
    message: string,
    options: { file?: string | undefined; line?: number | undefined; cause?: unknown } = {},
  ) {
    super('config_invalid', redactKeys(message, CONFIG_HEX_RUN), { cause: options.cause });
    this.file = options.file;
    this.line = options.line;
  }
}

/** One problem in a scan file, at a JSON path such as `findings[3].line`. */
export interface ScanIssue {
  readonly path: string;
  readonly message: string;
}

/** A scan that does not match `ScanSchema`; `issues` names every JSON path at fault. */
export class ScanValidationError extends AphoriaHostedError {
  readonly issues: readonly ScanIssue[];

  constructor(message: string, issues: readonly ScanIssue[], options?: { cause?: unknown }) {
    super('scan_invalid', message, options);
    this.issues = issues;
  }
}

/** StemeDB refused the key (401) or its role (403): never retried, never spooled. */
export class HostedAuthError extends AphoriaHostedError {
  /** 401 or 403. */
  readonly status: 401 | 403;
  /** The environment variable the key came from. */
  readonly apiKeyEnv: string;

  constructor(message: string, options: { status: 401 | 403; apiKeyEnv: string; cause?: unknown }) {
    super('auth_failed', message, { cause: options.cause });
    this.status = options.status;
    this.apiKeyEnv = options.apiKeyEnv;
  }
}

/** With `strict: true`, not every assertion reached StemeDB; `result` says what did. */
export class PersistIncompleteError<R = unknown> extends AphoriaHostedError {
  readonly result: R;

  constructor(message: string, result: R, options?: { cause?: unknown }) {
    super('persist_incomplete', message, options);
    this.result = result;
  }
}

/** A spool file that cannot be read back (beyond a torn last record, which is dropped). */
export class SpoolCorruptError extends AphoriaHostedError {
  readonly file: string;

  constructor(message: string, file: string, options?: { cause?: unknown }) {
    super('spool_corrupt', message, options);
    this.file = file;
  }
}

/** An option of `persistScan`, `flushSpool` or `spoolStatus` is wrong; `field` names it. */
export class AphoriaOptionsError extends AphoriaHostedError {
  /** The offending option, dotted (`clientOptions.retry`), when known. */
  readonly field: string | undefined;

  constructor(message: string, options: { field?: string | undefined; cause?: unknown } = {}) {
    super('invalid_options', message, { cause: options.cause });
    this.field = options.field;
  }
}

/** True for any error of this package, whichever copy of it made the error. */
export function isAphoriaHostedError(value: unknown): value is AphoriaHostedError {
  return value instanceof AphoriaHostedError;
}

/**
 * The configured URL does not answer as StemeDB does: a 404 on `/v1/assert`, `/v1/assertions`
 * or `/v1/health`, or a 2xx whose body is not StemeDB's JSON (a captive portal's HTML, another
 * service). A config error, never an outage: nothing is spooled for it. `url` is the URL.
 */
export class NotStemeDbError extends AphoriaHostedError {
  readonly url: string;

  constructor(message: string, options: { url: string; cause?: unknown }) {
    super('not_stemedb', redactKeys(message, CONFIG_HEX_RUN), { cause: options.cause });
    this.url = options.url;
  }
}

/**
 * A spooled journal was written for another StemeDB (its header's origin) than the one this run
 * sends to: refused unless the run is told to send it there (`--to <url>`, `flushTo`).
 */
export class SpoolTargetError extends AphoriaHostedError {
  /** The origin the journal was written for. */
  readonly journalOrigin: string;
  /** The origin this run sends to. */
  readonly runOrigin: string;

  constructor(message: string, options: { journalOrigin: string; runOrigin: string }) {
    super('target_mismatch', message);
    this.journalOrigin = options.journalOrigin;
    this.runOrigin = options.runOrigin;
  }
}
