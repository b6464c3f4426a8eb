/**
 * The package's one error family (STYLE.md practice 1): {@link AdminError} with a stable `code`,
 * from which the CLI's exit code follows ({@link exitCodeOf}). Messages are redacted: nothing
 * shaped like a StemeDB key ever reaches a message, `toJSON` or `inspect` output (practice 2).
 */

/** Stable machine-readable codes; new ones may be added, existing ones never change meaning. */
export type AdminErrorCode =
  /** Bad options or arguments (a library call or the command line). */
  | 'invalid_options'
  /** The projects file is unreadable or has bad lines (`issues` names each line). */
  | 'invalid_projects_file'
  /** A project name breaks Secret Manager's or the label's rules. */
  | 'invalid_project_name'
  /** No admin key was given (STEMEDB_ADMIN_KEY, --admin-key-stdin, --admin-key-from-store). */
  | 'admin_key_missing'
  /** What was given as the admin key is not shaped like a StemeDB key. */
  | 'admin_key_malformed'
  /** The server refused the admin key (401). */
  | 'unauthorized'
  /** The key may not use admin routes (403). */
  | 'forbidden'
  /** No stored secret and no live key for the project. */
  | 'project_not_found'
  /** bootstrap --check: no root key is stored. */
  | 'root_key_missing'
  /** Some projects failed while the others completed (provision, rotate). */
  | 'projects_failed'
  /** Some gate checks failed. */
  | 'checks_failed'
  /** The server could not be reached or kept failing after retries. */
  | 'server_failed'
  /** The secret store failed. */
  | 'store_failed'
  /** Another run held the store's run lease past `--lock-timeout` (the message names it). */
  | 'lease_held'
  /** This run lost its lease (it stalled past expiry and another run took over). */
  | 'lease_lost'
  /** The plan would revoke the live keys of more projects than `--max-revoke` allows. */
  | 'mass_revoke_refused'
  /** A saved plan file is not one (bad JSON, another format version, edited decisions). */
  | 'invalid_plan'
  /** A saved plan no longer fits: the observed state changed, or another store or server. */
  | 'plan_stale'
  /** Interrupted (SIGINT or SIGTERM) while waiting for the run lease: nothing was changed. */
  | 'interrupted';

/** Exit codes of the CLI; also documented in the README and every command's `--help`. */
export const EXIT_CODES = Object.freeze({
  /** Everything asked for was done (or nothing needed doing). */
  ok: 0,
  /** Some project or check failed, or the server or the store failed. */
  failed: 1,
  /** Usage, input or configuration error: nothing was changed. */
  usage: 2,
  /** The server refused the admin key (401) or its role (403). */
  auth: 3,
  /** Interrupted by SIGINT or SIGTERM (128 + SIGINT, as a shell reports Ctrl-C). */
  interrupted: 130,
});

const EXIT_BY_CODE: Readonly<Record<AdminErrorCode, number>> = {
  invalid_options: EXIT_CODES.usage,
  invalid_projects_file: EXIT_CODES.usage,
  invalid_project_name: EXIT_CODES.usage,
  admin_key_missing: EXIT_CODES.usage,
  admin_key_malformed: EXIT_CODES.usage,
  project_not_found: EXIT_CODES.usage,
  unauthorized: EXIT_CODES.auth,
  forbidden: EXIT_CODES.auth,
  root_key_missing: EXIT_CODES.failed,
  projects_failed: EXIT_CODES.failed,
  checks_failed: EXIT_CODES.failed,
  server_failed: EXIT_CODES.failed,
  store_failed: EXIT_CODES.failed,
  lease_held: EXIT_CODES.failed,
  lease_lost: EXIT_CODES.failed,
  mass_revoke_refused: EXIT_CODES.failed,
  invalid_plan: EXIT_CODES.usage,
  plan_stale: EXIT_CODES.failed,
  interrupted: EXIT_CODES.interrupted,
};

/** One problem found in an input, e.g. a line of the projects file. */
export interface InputIssue {
  /** 1-based line number, when the input is a file. */
  line?: number | undefined;
  message: string;
}

/** What an {@link AdminError} is built from. */
export interface AdminErrorInit {
  code: AdminErrorCode;
  message: string;
  /** Every problem when there were several (each already in `message`). */
  issues?: readonly InputIssue[] | undefined;
  cause?: unknown;
}

const BRAND = Symbol.for('stemedb.admin.error');
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** Every failure of `@stemedb/admin`'s commands. Check `code`, or use {@link isAdminError}. */
export class AdminError extends Error {
  override name = 'AdminError';
  readonly code: AdminErrorCode;
  readonly issues: readonly InputIssue[];

  constructor(init: AdminErrorInit) {
    super(redactKeys(init.message), init.cause === undefined ? undefined : { cause: init.cause });
    Object.defineProperty(this, BRAND, { value: true });
    this.code = init.code;
    this.issues = (init.issues ?? []).map((i) => ({ ...i, message: redactKeys(i.message) }));
  }

  /** The CLI's exit code for this error. */
  get exitCode(): number {
    return EXIT_BY_CODE[this.code];
  }

  /** A plain, redacted summary, safe to log. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(this.issues.length > 0 ? { issues: this.issues } : {}),
    };
  }

  [INSPECT](): string {
    return `${this.name} [${this.code}]: ${this.message}`;
  }
}

/** True for an error of this package, whichever copy (ESM or CJS) made it. */
export function isAdminError(value: unknown): value is AdminError {
  return (
    value instanceof AdminError ||
    (typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[BRAND] === true)
  );
}

// Anything that starts like a key is masked, valid or not (a truncated key is still a secret);
// the same rule as the SDK's redaction, so the two agree on what a key looks like.
const KEY_LIKE = /steme_live_[A-Za-z0-9_-]*/g;

/** Masks every key-shaped token in `text`. */
export function redactKeys(text: string): string {
  return text.replace(KEY_LIKE, 'steme_live_[redacted]');
}

/**
 * A one-line, redacted description of any failure, for reports and per-project errors:
 * the error's code (when it has one) and its message.
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const prefix = typeof code === 'string' && code !== '' ? `${code}: ` : '';
    return redactKeys(`${prefix}${error.message}`.replace(/\s+/g, ' ').trim());
  }
  return redactKeys(String(error));
}
