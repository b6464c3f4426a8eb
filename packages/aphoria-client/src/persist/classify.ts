/**
 * The one decision about a failed write or read (practice 14): what a StemeDB error means for
 * the run. The SDK has already retried what it retries (503 and refused connections on 2/4/8 s,
 * a 429 with `Retry-After`), and never an ambiguous failure (`retryAmbiguous: false`); what
 * reaches here is final for that call.
 *
 * | error                                                     | decision      | effect                                                         |
 * | --------------------------------------------------------- | ------------- | -------------------------------------------------------------- |
 * | 401, 403                                                  | `auth`        | the run fails at once (HostedAuthError, exit 3)                 |
 * | 404, or a 2xx whose body is not StemeDB's JSON            | `not-stemedb` | the run fails at once (NotStemeDbError, exit 2); nothing spooled |
 * | 429                                                       | `slow`        | pause (Retry-After), fewer in flight, resend; the deadline ends it |
 * | 400, 413, 422, input refused by the SDK                   | `reject`      | dead-lettered with its finding, never resent                   |
 * | sent, outcome unknown (`ambiguous`: reset or timeout after send, 502, 504) | `ambiguous` | read back; resent only if absent            |
 * | another 5xx (500, 501, 507...) or an unexpected status    | `poison`      | counted in the journal; dead-lettered after N attempts          |
 * | our own abort                                             | `cancelled`   | stays spooled                                                  |
 * | anything else: 503 past its retries, refused, a deadline   | `down`        | StemeDB is down for the run: the rest is spooled at once        |
 */
import {
  isStemeError,
  StemeAuthenticationError,
  type StemeError,
  StemeNotFoundError,
  StemePayloadTooLargeError,
  StemePermissionError,
  StemeRateLimitError,
  StemeValidationError,
} from '@stemedb/sdk';
import { isNotStemeDb } from '../refusals.js';

/** What a failure means for the run. */
export type Decision =
  | 'auth'
  | 'not-stemedb'
  | 'slow'
  | 'reject'
  | 'ambiguous'
  | 'poison'
  | 'cancelled'
  | 'down';

/** Statuses that are an outage (Traefik while StemeDB restarts), never a record's fault. */
const GATEWAY_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

/** Decides on a StemeError; anything else is a bug and is rethrown by the caller. */
export function classify(error: StemeError): Decision {
  const { status } = error;
  if (error instanceof StemeAuthenticationError || error instanceof StemePermissionError) {
    return 'auth';
  }
  if (status === 401 || status === 403) return 'auth';
  if (error instanceof StemeNotFoundError || isNotStemeDb(error)) return 'not-stemedb';
  if (error instanceof StemeRateLimitError || status === 429) return 'slow';
  if (error instanceof StemeValidationError || error instanceof StemePayloadTooLargeError) {
    // A bad option is our bug, not the assertion's: let it surface.
    return error.code === 'invalid_options' ? 'down' : 'reject';
  }
  if (error.code === 'aborted') return 'cancelled';
  if (error.ambiguous) return 'ambiguous';
  if (status !== undefined && !GATEWAY_STATUSES.has(status) && status >= 400) return 'poison';
  return 'down';
}

/**
 * The decision for a read (the read-back): nothing is written, so an ambiguous failure or a
 * 5xx is just StemeDB not answering.
 */
export function classifyRead(error: StemeError): Decision {
  const decision = classify(error);
  return decision === 'ambiguous' || decision === 'poison' || decision === 'reject'
    ? 'down'
    : decision;
}

/** True for errors of the SDK (the only ones `classify` takes). */
export { isStemeError };
