/**
 * The one table of network error codes (system and undici) the SDK knows: where in a request
 * each happens, and whether an attempt that failed with it is tried again.
 *
 * - `connect`: the connection failed before any byte of the request left; a retry is always
 *   safe, even for an operation that must not be repeated.
 * - `exchange`: it broke during the exchange; the server may have acted, so the operation's
 *   `replay` decides (see wire.ts).
 *
 * A code not listed counts as `exchange` and is not retried.
 */
import type { NetworkPhase } from './errors.js';

/** What the SDK knows of one network error code. */
export interface NetworkCodeInfo {
  readonly phase: NetworkPhase;
  /** Retried on the schedule (when `retryOnNetworkErrors`): a restart or a blip, not a typo. */
  readonly retried: boolean;
}

export const NETWORK_CODES: Readonly<Record<string, NetworkCodeInfo>> = Object.freeze({
  // Nothing was sent.
  ECONNREFUSED: { phase: 'connect', retried: true }, // a restarting server
  EHOSTUNREACH: { phase: 'connect', retried: true },
  ENETUNREACH: { phase: 'connect', retried: true },
  EAI_AGAIN: { phase: 'connect', retried: true }, // DNS, temporarily
  UND_ERR_CONNECT_TIMEOUT: { phase: 'connect', retried: true },
  ENOTFOUND: { phase: 'connect', retried: false }, // DNS says no such host: a wrong URL
  // The request may have reached the server.
  ETIMEDOUT: { phase: 'exchange', retried: true },
  ECONNRESET: { phase: 'exchange', retried: true },
  ECONNABORTED: { phase: 'exchange', retried: true },
  EPIPE: { phase: 'exchange', retried: true },
  UND_ERR_SOCKET: { phase: 'exchange', retried: true },
});

const UNKNOWN: NetworkCodeInfo = Object.freeze({ phase: 'exchange', retried: false });

/** What the table says of `code` (an unknown or missing code: exchange, not retried). */
export function networkCodeInfo(code: string | undefined): NetworkCodeInfo {
  return (
    (code !== undefined && Object.hasOwn(NETWORK_CODES, code) && NETWORK_CODES[code]) || UNKNOWN
  );
}
