/**
 * A SARIF result's fingerprint: the producer's own when it gives one (`partialFingerprints`,
 * `primaryLocationLineHash` first, then `fingerprints`), else a hash of the rule, the path and
 * the normalised text of the region (or of the message when the producer sent no text), so that
 * moving code down a file keeps its finding: no line number goes into it.
 */
import { createHash } from 'node:crypto';
import type { SarifResult } from './types.js';

/** GitHub's line-hash key, tried first. */
export const PRIMARY_LOCATION_LINE_HASH = 'primaryLocationLineHash';

/**
 * The producer's fingerprint as `<rule>|<key>=<value>`, or `undefined` when it gave none. The
 * rule is part of it because GitHub, too, keys an alert by rule and fingerprint: a line hash
 * alone is shared by every rule that flags the same line.
 */
export function producerFingerprint(result: SarifResult, rule: string): string | undefined {
  for (const bag of [result.partialFingerprints, result.fingerprints]) {
    if (bag === undefined) continue;
    const keys = Object.keys(bag).sort();
    const key = PRIMARY_LOCATION_LINE_HASH in bag ? PRIMARY_LOCATION_LINE_HASH : keys[0];
    if (key !== undefined && typeof bag[key] === 'string' && bag[key] !== '') {
      return `${rule}|${key}=${bag[key]}`;
    }
  }
  return undefined;
}

/** Whitespace-insensitive text: each line trimmed, runs of blanks one space, blank lines gone. */
export function normaliseText(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim().replace(/\s+/g, ' '))
    .filter((line) => line !== '')
    .join('\n');
}

/** `sarif:` + 32 hex of SHA-256 over rule, path and normalised text: no line number in it. */
export function contentFingerprint(rule: string, file: string, text: string): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([rule, file, normaliseText(text)]))
    .digest('hex');
  return `sarif:${digest.slice(0, 32)}`;
}

/**
 * Makes fingerprints unique within a scan by numbering repeats in log order (`…#2`, `…#3`), as
 * GitHub numbers repeated line hashes: two equal lines flagged by one rule in one file are two
 * findings, and each keeps its number while the code around them moves.
 */
export class FingerprintCounter {
  readonly #seen = new Map<string, number>();

  /** `fingerprint` the first time, then `fingerprint#n` for the n-th repeat. */
  unique(fingerprint: string): string {
    const n = (this.#seen.get(fingerprint) ?? 0) + 1;
    this.#seen.set(fingerprint, n);
    return n === 1 ? fingerprint : `${fingerprint}#${n}`;
  }
}
