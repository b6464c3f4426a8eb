/**
 * The one decision about a failed write or read (practice 14): what a StemeDB error means for
 * the run. The SDK has already retried what it retries (502/503 and refusals on 2/4/8 s, a
 * 429 with `Retry-After`); what reaches here is final for that call.
 *
 * | error                                  | decision   | effect                                  |
 * | -------------------------------------- | ---------- | --------------------------------------- |
 * | 401, 403                               | `auth`     | the run fails at once (HostedAuthError) |
 * | 429                                    | `slow`     | pause (Retry-After), fewer in flight, resend |
 * | 400, 413, 422, input refused by the SDK | `reject`   | reported with its finding, never resent |
 * | our own abort                          | `cancelled`| stays spooled                           |
 * | anything else: retries exhausted, other network errors, timeouts, other statuses | `down` | StemeDB is down for the run: the rest is spooled at once |
 */
import {
  isStemeError,
  StemeAuthenticationError,
  type StemeError,
  StemePayloadTooLargeError,
  StemePermissionError,
  StemeRateLimitError,
  StemeValidationError,
} from '@stemedb/sdk';

/** What a failure means for the run. */
export type Decision = 'auth' | 'slow' | 'reject' | 'cancelled' | 'down';

/** Decides on a StemeError; anything else is a bug and is rethrown by the caller. */
export function classify(error: StemeError): Decision {
  if (error instanceof StemeAuthenticationError || error instanceof StemePermissionError) {
    return 'auth';
  }
  if (error.status === 401 || error.status === 403) return 'auth';
  if (error instanceof StemeRateLimitError || error.status === 429) return 'slow';
  if (error instanceof StemeValidationError || error instanceof StemePayloadTooLargeError) {
    // A bad option is our bug, not the assertion's: let it surface.
    return error.code === 'invalid_options' ? 'down' : 'reject';
  }
  if (error.code === 'aborted') return 'cancelled';
  return 'down';
}

/** True for errors of the SDK (the only ones `classify` takes). */
export { isStemeError };
