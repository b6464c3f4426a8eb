/**
 * The server a journal is bound to: its origin, and a fingerprint of the key it was written
 * with (the first 16 hex of the key's SHA-256: enough to tell two keys apart, useless to an
 * attacker, and never the key). `flushSpool` refuses to send a journal towards another origin
 * unless told to (`--to`): a staging spool must never reach production by accident.
 */
import { createHash } from 'node:crypto';
import type { HostedConfig } from '../types.js';

/** Where a journal's records are meant to go. */
export interface JournalTarget {
  /** `new URL(url).origin`, e.g. `https://stemedb.example.com`. */
  readonly origin: string;
  /** The first 16 hex of the SHA-256 of the API key. */
  readonly key: string;
}

/** The target of a run with `config`. */
export function targetOf(config: Pick<HostedConfig, 'url' | 'apiKey'>): JournalTarget {
  return { origin: originOf(config.url), key: keyFingerprint(config.apiKey) };
}

/** The origin of a URL (scheme, host and port). */
export function originOf(url: string): string {
  return new URL(url).origin;
}

/** The first 16 hex of the SHA-256 of `apiKey`. */
export function keyFingerprint(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex').slice(0, 16);
}
