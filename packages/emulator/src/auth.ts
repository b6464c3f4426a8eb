import type { IncomingMessage } from 'node:http';
import { HttpError } from './errors.js';
import type { KeyStore, Role } from './key-store.js';
import { hashApiKey, isApiKey } from './keys.js';

/** Who is calling: the key's hash (never the key) and its role. */
export interface Principal {
  keyHash?: string;
  role: Role;
}

/** The `X-API-Key` header (roadmap gate test), hashed at once so the plaintext goes no further. */
export function presentedKeyHash(req: IncomingMessage): string | undefined {
  const header = req.headers['x-api-key'];
  const key = Array.isArray(header) ? header.join(',') : header;
  return key ? hashApiKey(key) : undefined;
}

/**
 * Resolves the caller. With auth off every caller acts as admin, like the real server with
 * `STEMEDB_AUTH_ENABLED=false`. With auth on, a missing, malformed, unknown or revoked key is 401.
 */
export function authenticate(
  req: IncomingMessage,
  keys: KeyStore,
  authEnabled: boolean,
): Principal {
  const keyHash = presentedKeyHash(req);
  if (!authEnabled) return keyHash ? { keyHash, role: 'admin' } : { role: 'admin' };
  const header = req.headers['x-api-key'];
  if (header === undefined || header === '') {
    throw new HttpError(401, 'unauthorized', 'An X-API-Key header is required');
  }
  // A malformed key gets the same answer as an unknown one: nothing to learn by probing.
  const record = typeof header === 'string' && isApiKey(header) ? keys.active(keyHash!) : undefined;
  if (!record) throw new HttpError(401, 'unauthorized', 'The API key is not valid');
  return { keyHash: record.hash, role: record.role };
}

/** Which roles may call a route; `public` needs no key at all (health, metrics). */
export type Access = 'public' | readonly Role[];

/** Roles that may read assertions (every role). */
export const READERS: readonly Role[] = ['admin', 'write_agent', 'read_agent'];
/** Roles that may write assertions. */
export const WRITERS: readonly Role[] = ['admin', 'write_agent'];
/** Roles that may manage keys. */
export const ADMINS: readonly Role[] = ['admin'];

/** Throws 403 when the principal's role may not use the route. */
export function authorize(principal: Principal, access: readonly Role[]): void {
  if (!access.includes(principal.role)) {
    throw new HttpError(403, 'forbidden', `The ${principal.role} role may not do this`);
  }
}
