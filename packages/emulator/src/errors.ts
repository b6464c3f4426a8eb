import type { components } from './generated/openapi.js';

type ErrorBody = components['schemas']['ErrorBody'];

/**
 * Stable codes for the ErrorBody the emulator gives; the yaml's ErrorBody description lists the
 * first nine. `method_not_allowed` and `internal` cover what the yaml does not describe.
 */
export type ErrorCode =
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'invalid_request'
  | 'idempotency_error'
  | 'payload_too_large'
  | 'rate_limited'
  | 'unavailable'
  | 'method_not_allowed'
  | 'internal';

/** The code for a status, for injected failures that name only a status. */
export function codeForStatus(status: number): string {
  const codes: Record<number, ErrorCode> = {
    400: 'invalid_request',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'not_found',
    405: 'method_not_allowed',
    409: 'conflict',
    413: 'payload_too_large',
    429: 'rate_limited',
    503: 'unavailable',
  };
  return codes[status] ?? (status >= 500 ? 'internal' : 'error');
}

/** An error that a handler throws to answer with a status and an ErrorBody. */
export class HttpError extends Error {
  override readonly name = 'HttpError';

  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    /** Extra response headers, e.g. `Retry-After` or `Allow`. */
    readonly headers: Readonly<Record<string, string>> = {},
    /** Close the connection after answering (413: the rest of the body is not read). */
    readonly closeConnection = false,
  ) {
    super(message);
  }
}

/** The JSON error body (`components.schemas.ErrorBody`). */
export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}
