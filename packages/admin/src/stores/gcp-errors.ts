/**
 * How a gRPC failure from Secret Manager becomes a {@link SecretStoreError}: one table from
 * status to code and hint, one function that builds the error. The retry loop (gcp-retry.ts)
 * calls it once, with the final failure.
 */
import { SecretStoreError, type SecretStoreErrorCode } from './errors.js';

/** The gRPC codes retried with backoff; every other code fails the call at once. */
export const TRANSIENT_GRPC_CODES: readonly string[] = [
  'UNAVAILABLE',
  'DEADLINE_EXCEEDED',
  'RESOURCE_EXHAUSTED',
];

const BY_STATUS: Readonly<Record<string, { code: SecretStoreErrorCode; hint: string }>> = {
  UNAUTHENTICATED: {
    code: 'unauthenticated',
    hint: 'the credentials were refused; run `gcloud auth application-default login` or set GOOGLE_APPLICATION_CREDENTIALS to a service account key',
  },
  PERMISSION_DENIED: {
    code: 'permission_denied',
    hint: 'the credentials lack a Secret Manager role on the project (roles/secretmanager.admin, or see docs/stores.md for narrower roles), or the Secret Manager API is not enabled',
  },
  UNAVAILABLE: { code: 'unavailable', hint: 'Secret Manager stayed unavailable' },
  RESOURCE_EXHAUSTED: {
    code: 'unavailable',
    hint: 'Secret Manager kept refusing for quota; lower --concurrency or raise the quota',
  },
  DEADLINE_EXCEEDED: { code: 'timeout', hint: 'Secret Manager did not answer in time' },
  ABORTED: { code: 'conflict', hint: 'a concurrent change won' },
  CANCELLED: { code: 'aborted', hint: 'the call was cancelled' },
};

// https://grpc.github.io/grpc/core/md_doc_statuscodes.html, by number (not imported from
// grpc-js, which this module must not load: see gcp-client.ts).
const STATUS_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

/** The status name of a gax/grpc-js error (`PERMISSION_DENIED`), or undefined for others. */
export function grpcCodeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'number') return undefined;
  return STATUS_NAMES[code];
}

/** Where a failed call was going, for the message. */
export interface GcpCallContext {
  readonly project: string;
  readonly operation: string;
  readonly secret?: string | undefined;
  /** Strings to redact from anything the server said (the value being written). */
  readonly secrets?: readonly string[] | undefined;
}

/** The error for a final failure after `attempts` attempts. */
export function gcpError(
  error: unknown,
  context: GcpCallContext,
  attempts: number,
): SecretStoreError {
  const grpcCode = grpcCodeOf(error);
  const what = `${context.operation}${context.secret === undefined ? '' : ` of ${context.secret}`}`;
  const where = `Secret Manager (project ${context.project})`;
  const details = detailsOf(error);
  if (grpcCode === undefined) {
    return new SecretStoreError({
      code: 'store_error',
      store: 'gcp',
      operation: context.operation,
      secret: context.secret,
      attempts,
      cause: error,
      secrets: context.secrets,
      message: `${what} on ${where} failed: ${details}`,
    });
  }
  const mapped = BY_STATUS[grpcCode];
  const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
  const hint = mapped === undefined ? '' : `; ${mapped.hint}`;
  return new SecretStoreError({
    code: mapped?.code ?? 'store_error',
    store: 'gcp',
    operation: context.operation,
    secret: context.secret,
    grpcCode,
    attempts,
    cause: error,
    secrets: context.secrets,
    message: `${what} on ${where} failed with ${grpcCode}${tries}${hint}${details === '' ? '' : ` (${details})`}`,
  });
}

function detailsOf(error: unknown): string {
  const details = (error as { details?: unknown } | null)?.details;
  if (typeof details === 'string') return details;
  return error instanceof Error ? error.message : String(error);
}
