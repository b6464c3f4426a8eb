/**
 * The `gcp:` store's `endpoint` option (the CLI's `--gcp-endpoint`): `host:port` of a local
 * Secret Manager spoken to over plaintext. Only loopback addresses are accepted, so that no
 * flag can send secrets unencrypted and unauthenticated across a network.
 */
import { isIP } from 'node:net';
import { SecretStoreError } from './errors.js';

/** A validated loopback endpoint. */
export interface LoopbackEndpoint {
  /** What the gRPC client dials: an IPv4 literal, or `[::1]`. */
  readonly host: string;
  readonly port: number;
}

/**
 * Parses `host:port` (`127.0.0.1:8085`, `localhost:8085`, `[::1]:8085`). Throws
 * `invalid_store_options` (part `endpoint`) for anything else, and for any host that is not
 * loopback. `localhost` is dialled as 127.0.0.1: a name could be made to resolve elsewhere.
 */
export function parseLoopbackEndpoint(text: string, part = 'endpoint'): LoopbackEndpoint {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  if (match === null) {
    throw endpointError(part, `The Secret Manager endpoint "${text}" is not host:port`);
  }
  const host = (match[1] ?? match[2] ?? '').toLowerCase();
  const port = Number(match[3]);
  if (port < 1 || port > 65_535) {
    throw endpointError(part, `The Secret Manager endpoint "${text}" has no valid port (1-65535)`);
  }
  if (host === 'localhost') return { host: '127.0.0.1', port };
  if (isIP(host) === 4 && host.startsWith('127.')) return { host, port };
  if (isIP(host) === 6 && isIpv6Loopback(host)) return { host: '[::1]', port };
  throw endpointError(
    part,
    `The Secret Manager endpoint "${text}" is not a loopback address; a plaintext endpoint is accepted only for 127.0.0.0/8, ::1 or localhost`,
  );
}

function isIpv6Loopback(host: string): boolean {
  return host === '::1' || /^(0{1,4}:){7}0{0,3}1$/.test(host) || host === '::ffff:127.0.0.1';
}

function endpointError(part: string, message: string): SecretStoreError {
  return new SecretStoreError({ code: 'invalid_store_options', store: 'gcp', part, message });
}
