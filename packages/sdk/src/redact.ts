/**
 * Keeping secrets out of messages, snippets, `toJSON` and `inspect` output.
 *
 * Every string the SDK puts into an error or a log-able object passes through
 * {@link redactSecrets} first, so a key echoed by a server (or a proxy's error page) never
 * reaches a log. Practice 2 of the house style; octokit's `request-error` does the same for
 * its headers.
 */

/** What a redacted secret is replaced with. */
export const REDACTED = '[redacted]';

// Anything that starts like a StemeDB key is masked, valid or not: a truncated or mistyped
// key is still a secret. The prefix is kept so that a reader knows what was there.
const KEY_LIKE = /steme_live_[A-Za-z0-9_-]*/g;

/**
 * Masks every key-shaped token in `text`, and every one of the given `secrets` wherever it
 * appears (a client's own key, even if it were not key-shaped).
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length > 0) out = out.split(secret).join(REDACTED);
  }
  return out.replace(KEY_LIKE, `steme_live_${REDACTED}`);
}

/** Collapses runs of whitespace (newlines included) into single spaces and trims. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Cuts `text` to at most `max` characters, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** Drops control characters (but not newlines or tabs) that would garble a terminal. */
export function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point.
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
}
