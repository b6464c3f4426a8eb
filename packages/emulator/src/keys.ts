import { createHash, randomBytes } from 'node:crypto';

/**
 * Key format and identity. Private to the emulator on purpose: the SDK owns the public
 * generateApiKey/hashApiKey, and the emulator must not depend on the SDK (its tests use us).
 */

/** `steme_live_` + 48 lowercase hex (roadmap, pre-deploy checklist). */
export const API_KEY_PATTERN = /^steme_live_[0-9a-f]{48}$/;

/** A key's identity: lowercase hex SHA-256 (`components.schemas.KeyHash`). */
export const KEY_HASH_PATTERN = /^[0-9a-f]{64}$/;

/** A fresh key: 24 random bytes as hex after the prefix. */
export function generateApiKey(): string {
  return `steme_live_${randomBytes(24).toString('hex')}`;
}

/** The lowercase hex SHA-256 of the full key string (the `:hash` of the admin paths). */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Whether a string has the key format. */
export function isApiKey(value: string): boolean {
  return API_KEY_PATTERN.test(value);
}
