/**
 * API keys: make one, hash one, recognise one.
 *
 * The format is a fact (roadmap pre-deploy checklist; `components.schemas.ApiKey` in the yaml):
 * `steme_live_` + 48 lowercase hex characters, i.e. 24 random bytes. A key's identity on the
 * server (`{hash}` in the admin paths) is assumed to be the lowercase hex SHA-256 of the full
 * key string (`components.schemas.KeyHash`, x-assumed). The contract test checks these patterns
 * against the yaml.
 */
import { createHash, randomBytes } from 'node:crypto';
import { StemeValidationError } from './errors.js';

/** Every key starts with this. */
export const API_KEY_PREFIX = 'steme_live_';

/** `components.schemas.ApiKey.pattern` of the yaml. */
export const API_KEY_PATTERN = /^steme_live_[0-9a-f]{48}$/;

/** `components.schemas.KeyHash.pattern` of the yaml. */
export const KEY_HASH_PATTERN = /^[0-9a-f]{64}$/;

/** A new random key: `steme_live_` + 24 random bytes as lowercase hex. */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(24).toString('hex');
}

/**
 * The key's identity on the server: the lowercase hex SHA-256 of the full key string. Lets a
 * client name a key (to rotate or revoke it) without sending the key itself.
 *
 * @throws StemeValidationError when `key` is not a StemeDB key (the message never quotes it)
 */
export function hashApiKey(key: string): string {
  if (!isApiKey(key)) {
    throw new StemeValidationError({
      code: 'invalid_input',
      field: 'key',
      message: `key is not a StemeDB API key (expected ${API_KEY_PREFIX} + 48 lowercase hex characters)`,
    });
  }
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** True when `value` has the form of a StemeDB API key. */
export function isApiKey(value: unknown): value is string {
  return typeof value === 'string' && API_KEY_PATTERN.test(value);
}

/** True when `value` has the form of a key hash (64 lowercase hex characters). */
export function isKeyHash(value: unknown): value is string {
  return typeof value === 'string' && KEY_HASH_PATTERN.test(value);
}
