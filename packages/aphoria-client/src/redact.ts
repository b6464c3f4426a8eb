/**
 * The one key redaction of the package (issue 21): defence in depth for every message it
 * prints or throws. The messages are written never to quote a key; this catches a slip.
 */

/** A StemeDB key's hex tail is 48 characters; a run this long is masked wherever it appears. */
export const KEY_TAIL_HEX = 48;

/**
 * Masks anything key-shaped in `text`: `steme_live_` and what follows it (not the bare prefix, which messages name), and any run of at
 * least `minHex` hex characters (a key's bare tail). The default, a whole tail, keeps scan ids
 * (32 hex) readable; config messages, built from a file and an environment that may hold a
 * piece of a key, pass a shorter run (16).
 */
export function redactKeys(text: string, minHex: number = KEY_TAIL_HEX): string {
  return text
    .replace(/steme[_-]?live[_-]?[A-Za-z0-9]+/gi, 'steme_live_[redacted]')
    .replace(new RegExp(`[0-9a-f]{${minHex},}`, 'gi'), '[redacted]');
}
