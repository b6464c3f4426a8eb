/**
 * The secret stores' one error family (house practice 1).
 *
 * Every failure of a store is a {@link SecretStoreError} with a stable {@link SecretStoreErrorCode}:
 * check `code` (or use {@link isSecretStoreError}, which works across the ESM and CJS builds)
 * rather than `instanceof` alone. A store never puts a secret value into an error: messages name
 * the secret and the store, never what is in it, and every string that came from outside (a
 * server's message, a cause) is redacted on the way in (practice 2).
 */

/** Stable machine-readable codes; new ones may be added, existing ones never change meaning. */
export type SecretStoreErrorCode =
  /** The store spec (`gcp:…`, `k8s:…`, `file:…`, `memory:`) is malformed; `part` names what. */
  | 'invalid_store_spec'
  /** An option passed to `openSecretStore` or a store factory is invalid; `part` names it. */
  | 'invalid_store_options'
  /** A secret name breaks the rule every store shares (lowercase DNS-1123 label-ish). */
  | 'invalid_secret_name'
  /** A secret value is empty or too large for the store. */
  | 'invalid_secret_value'
  /** The file store's file (or its directory) can be read by group or others. */
  | 'insecure_file'
  /** The file store's file is not a store this package wrote (bad JSON, unknown format). */
  | 'corrupt_store'
  /** Another process held the file store's lock for longer than the lock timeout. */
  | 'store_locked'
  /** The run lease was taken over by another run after this one stalled past its expiry. */
  | 'lease_lost'
  /** A filesystem call failed (the `cause` has the errno). */
  | 'io_error'
  /** The backend refused the credentials (gRPC UNAUTHENTICATED, HTTP 401). */
  | 'unauthenticated'
  /** The credentials may not do this (gRPC PERMISSION_DENIED, HTTP 403). */
  | 'permission_denied'
  /** The backend stayed unreachable or overloaded after every retry. */
  | 'unavailable'
  /** The call's deadline passed. */
  | 'timeout'
  /** The caller's `AbortSignal` fired. */
  | 'aborted'
  /** A write lost to a concurrent writer in a way the store could not resolve by itself. */
  | 'conflict'
  /**
   * A Kubernetes Secret of that name exists without the store's label
   * (`app.kubernetes.io/managed-by: stemedb-admin`): left unchanged unless `adopt`.
   */
  | 'unmanaged_secret'
  /** The store was closed before the call. */
  | 'store_closed'
  /** Any other backend failure; `grpcCode` / `httpStatus` say which. */
  | 'store_error';

/** The store kinds, as the spec's scheme names them. */
export type SecretStoreKind = 'gcp' | 'k8s' | 'file' | 'memory';

/** What a {@link SecretStoreError} is built from; only `code` and `message` are required. */
export interface SecretStoreErrorInit {
  code: SecretStoreErrorCode;
  message: string;
  store?: SecretStoreKind | undefined;
  /** The secret the call was about (a name, never a value). */
  secret?: string | undefined;
  /** The store method, e.g. `writeVersion`. */
  operation?: string | undefined;
  /** For spec and option errors: the offending part (`scheme`, `project`, `gcpEndpoint`…). */
  part?: string | undefined;
  /** The gRPC status name, e.g. `PERMISSION_DENIED` (gcp). */
  grpcCode?: string | undefined;
  /** The HTTP status (k8s). */
  httpStatus?: number | undefined;
  attempts?: number | undefined;
  cause?: unknown;
  /** Strings to mask wherever they appear in the message or cause (the value being written). */
  secrets?: readonly string[] | undefined;
}

/** What a redacted secret is replaced with. */
export const REDACTED = '[redacted]';
const MAX_MESSAGE_CHARS = 400;
const BRAND = Symbol.for('stemedb.admin.secret-store-error');
const INSPECT = Symbol.for('nodejs.util.inspect.custom');
// Anything shaped like a StemeDB key is masked, valid or not (as the SDK does).
const KEY_LIKE = /steme_live_[A-Za-z0-9_-]*/g;

/**
 * Masks every key-shaped token in `text`, and every one of `secrets` (plain and base64, since
 * Kubernetes carries values base64-encoded) wherever it appears.
 */
export function redactSecretText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    for (const form of [secret, Buffer.from(secret, 'utf8').toString('base64')]) {
      out = out.split(form).join(REDACTED);
    }
  }
  return out.replace(KEY_LIKE, `steme_live_${REDACTED}`);
}

/** The one error class every store throws. */
export class SecretStoreError extends Error {
  override name = 'SecretStoreError';
  /** A stable code, e.g. `permission_denied` or `invalid_store_spec`. */
  readonly code: SecretStoreErrorCode;
  /** Which kind of store failed, when known. */
  readonly store: SecretStoreKind | undefined;
  /** The secret's name (never its value). */
  readonly secret: string | undefined;
  /** The store method that failed. */
  readonly operation: string | undefined;
  /** For spec/option errors: the offending part. */
  readonly part: string | undefined;
  /** The gRPC status name of the last failure (gcp). */
  readonly grpcCode: string | undefined;
  /** The HTTP status of the last failure (k8s). */
  readonly httpStatus: number | undefined;
  /** How many attempts were made. */
  readonly attempts: number;

  constructor(init: SecretStoreErrorInit) {
    const secrets = init.secrets ?? [];
    const message = truncate(oneLine(redactSecretText(init.message, secrets)));
    const cause = init.cause === undefined ? undefined : redactCause(init.cause, secrets);
    super(message, cause === undefined ? undefined : { cause });
    Object.defineProperty(this, BRAND, { value: true });
    this.code = init.code;
    this.store = init.store;
    this.secret = init.secret;
    this.operation = init.operation;
    this.part = init.part;
    this.grpcCode = init.grpcCode;
    this.httpStatus = init.httpStatus;
    this.attempts = init.attempts ?? 0;
  }

  /** A plain, redacted summary, safe to log or serialise. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {
      name: this.name,
      code: this.code,
      message: this.message,
      store: this.store,
      secret: this.secret,
      operation: this.operation,
      part: this.part,
      grpcCode: this.grpcCode,
      httpStatus: this.httpStatus,
      attempts: this.attempts === 0 ? undefined : this.attempts,
      cause: this.cause === undefined ? undefined : summarise(this.cause),
    };
    for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
    return out;
  }

  override toString(): string {
    return `${this.name} [${this.code}]: ${this.message}`;
  }

  [INSPECT](
    _depth: number,
    options: unknown,
    inspect: (value: unknown, options: unknown) => string,
  ): string {
    const { name: _n, message: _m, ...fields } = this.toJSON();
    const head = (this.stack ?? this.toString()).replace(/^[^\n]*/, this.toString());
    return `${redactSecretText(head)} ${inspect(fields, options)}`;
  }
}

/** True for any {@link SecretStoreError}, from either build of this package. */
export function isSecretStoreError(value: unknown): value is SecretStoreError {
  return typeof value === 'object' && value !== null && BRAND in value;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function truncate(text: string): string {
  return text.length <= MAX_MESSAGE_CHARS ? text : `${text.slice(0, MAX_MESSAGE_CHARS - 1)}…`;
}

// A cause from a client library can carry a server's response (client-node puts the whole body
// in its message, grpc-js the server's details, ...). Keep only a redacted name, message and code,
// so nothing that escaped the library's own redaction reaches a log through `cause`.
function redactCause(cause: unknown, secrets: readonly string[]): unknown {
  if (isSecretStoreError(cause)) return cause;
  if (cause instanceof Error) {
    const copy = new Error(truncate(oneLine(redactSecretText(cause.message, secrets))));
    copy.name = cause.name;
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' || typeof code === 'number') {
      Object.defineProperty(copy, 'code', { value: code, enumerable: true });
    }
    copy.stack = `${copy.name}: ${copy.message}`;
    return copy;
  }
  return truncate(oneLine(redactSecretText(String(cause), secrets)));
}

function summarise(cause: unknown): unknown {
  if (isSecretStoreError(cause)) return cause.toJSON();
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return code === undefined
      ? { name: cause.name, message: cause.message }
      : { name: cause.name, message: cause.message, code };
  }
  return cause;
}
