/**
 * How a failed Kubernetes API call becomes a {@link SecretStoreError}: which failures are
 * transient (retried by retry.ts), and one table from HTTP status to code and hint.
 */
import { SecretStoreError, type SecretStoreErrorCode } from './errors.js';

/** HTTP statuses retried with backoff. */
export const TRANSIENT_HTTP_STATUSES: readonly number[] = [429, 500, 502, 503, 504];
// Node's and undici's network error codes worth another attempt (undici's: the socket closed
// mid-exchange, the connect timed out).
const TRANSIENT_NETWORK_CODES = [
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
];

/**
 * The network failure under `error`. client-node 2 sends through undici's `fetch`, which rejects
 * with `TypeError('fetch failed')` and puts the system or undici error (the one with a `code`)
 * in `cause`; node-fetch (client-node 1) threw that error itself.
 */
function networkCauseOf(error: unknown): { code?: unknown; errno?: unknown; message?: unknown } {
  const outer = error as { code?: unknown; cause?: unknown } | null;
  if (outer?.code === undefined && typeof outer?.cause === 'object' && outer.cause !== null) {
    return outer.cause as { code?: unknown; errno?: unknown; message?: unknown };
  }
  return outer ?? {};
}

/** The HTTP status of a client-node `ApiException`, or undefined for other failures. */
export function httpStatusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' && code >= 100 && code < 600 ? code : undefined;
}

/** True for a per-attempt timeout (fetch's AbortError or TimeoutError on our timeout signal). */
export function isTimeout(error: unknown): boolean {
  return (
    (error as { name?: unknown } | null)?.name === 'AbortError' ||
    (error as { name?: unknown } | null)?.name === 'TimeoutError'
  );
}

/** True for a failure worth another attempt. */
export function isTransientK8sError(error: unknown): boolean {
  const status = httpStatusOf(error);
  if (status !== undefined) return TRANSIENT_HTTP_STATUSES.includes(status);
  if (isTimeout(error)) return true;
  const { code, errno } = networkCauseOf(error);
  return (
    TRANSIENT_NETWORK_CODES.includes(String(code)) ||
    TRANSIENT_NETWORK_CODES.includes(String(errno))
  );
}

/** Where a failed call was going. */
export interface K8sCallContext {
  readonly namespace: string;
  readonly operation: string;
  readonly secret?: string | undefined;
  readonly secrets?: readonly string[] | undefined;
}

/** The `Status` reason and message of an error response, when the body is one. */
export function statusOf(error: unknown): { reason: string; message: string; kind: string } {
  const body = (error as { body?: unknown } | null)?.body;
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
  }
  const status = (parsed ?? {}) as {
    reason?: unknown;
    message?: unknown;
    details?: { kind?: unknown };
  };
  return {
    reason: typeof status.reason === 'string' ? status.reason : '',
    message: typeof status.message === 'string' ? status.message : '',
    kind: typeof status.details?.kind === 'string' ? status.details.kind : '',
  };
}

/** The error for a final failure after `attempts` attempts. */
export function k8sError(
  error: unknown,
  context: K8sCallContext,
  attempts: number,
): SecretStoreError {
  const status = httpStatusOf(error);
  const what = `${context.operation}${context.secret === undefined ? '' : ` of ${context.secret}`}`;
  const where = `Kubernetes (namespace ${context.namespace})`;
  const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
  const base = {
    store: 'k8s' as const,
    operation: context.operation,
    secret: context.secret,
    attempts,
    cause: error,
    secrets: context.secrets,
  };
  if (status === undefined) {
    const timeout = isTimeout(error);
    const cause = networkCauseOf(error);
    // "fetch failed" says nothing: the cause's message names the code and address.
    const reason =
      typeof cause.message === 'string' && cause !== error
        ? cause.message
        : error instanceof Error
          ? error.message
          : String(error);
    return new SecretStoreError({
      ...base,
      code: timeout ? 'timeout' : isTransientK8sError(error) ? 'unavailable' : 'store_error',
      message: timeout
        ? `${what} on ${where} timed out${tries}`
        : `${what} on ${where} failed${tries}: ${reason.split('\n')[0]}`,
    });
  }
  const { reason, message, kind } = statusOf(error);
  const mapped = hintFor(status, kind, context.namespace);
  const detail = message === '' ? '' : ` (${message})`;
  return new SecretStoreError({
    ...base,
    code: mapped.code,
    httpStatus: status,
    message: `${what} on ${where} failed with HTTP ${status}${reason === '' ? '' : ` ${reason}`}${tries}; ${mapped.hint}${detail}`,
  });
}

function hintFor(
  status: number,
  kind: string,
  namespace: string,
): { code: SecretStoreErrorCode; hint: string } {
  if (status === 401) {
    return {
      code: 'unauthenticated',
      hint: 'the cluster refused the credentials; check the kubeconfig user or token',
    };
  }
  if (status === 403) {
    return {
      code: 'permission_denied',
      hint: `the user needs get, list, create, update and delete on secrets in namespace ${namespace} (a Role and RoleBinding; see docs/stores.md)`,
    };
  }
  if (status === 404 && kind === 'namespaces') {
    return {
      code: 'store_error',
      hint: `the namespace ${namespace} does not exist; create it or fix the store spec`,
    };
  }
  if (status === 409) return { code: 'conflict', hint: 'a concurrent writer kept winning' };
  if (status === 429 || status >= 500)
    return { code: 'unavailable', hint: 'the API server stayed unavailable' };
  return { code: 'store_error', hint: 'the API server refused the request' };
}
