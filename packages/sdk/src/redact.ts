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

// Anything that starts like a StemeDB key is masked, valid or not, in any case: a truncated or
// mistyped key is still a secret. The prefix is kept so that a reader knows what was there.
const KEY_LIKE = /steme_live_[A-Za-z0-9_-]+/gi;

/**
 * Masks every key-shaped token in `text`, and every one of the given `secrets` (the client's
 * own key) in every form a server or proxy may echo it in: as is or upper-cased, its bare
 * 48-hex tail, wrapped across lines or split by HTML tags, with characters written as JSON
 * `\u` escapes or HTML entities, and base64 or base64url encoded at any alignment.
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  // The client's own key first, whole: masking a key-shaped prefix first would leave the rest
  // of a key that is split across lines for nothing to match.
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= MIN_SECRET_CHARS) out = out.replace(secretPattern(secret), REDACTED);
  }
  return out.replace(KEY_LIKE, `steme_live_${REDACTED}`);
}

// Shorter secrets would mask ordinary words; keys are 59 characters.
const MIN_SECRET_CHARS = 16;
const patterns = new Map<string, RegExp>();

// One regex per secret, built once: its tail spelt character by character, any character as
// itself or escaped, with whitespace or tags allowed between characters; or one of its
// base64 spellings.
function secretPattern(secret: string): RegExp {
  let pattern = patterns.get(secret);
  if (pattern === undefined) {
    // The part after `steme_live_` is the secret; the prefix is public (and masked anyway).
    const core = secret.startsWith('steme_live_') ? secret.slice('steme_live_'.length) : secret;
    const between = String.raw`(?:\s|\\[nrt]|<[^<>]{0,64}>)*`;
    const spelt = [...core].map(spellings).join(between);
    const encoded = base64Cores(secret).map(escapeRegExp);
    pattern = new RegExp([spelt, ...encoded].join('|'), 'gi');
    if (patterns.size > 64) patterns.clear(); // a process with many clients: stay bounded
    patterns.set(secret, pattern);
  }
  pattern.lastIndex = 0;
  return pattern;
}

// A character as itself, a JSON `\u` escape, or a decimal or hex HTML entity.
function spellings(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  const hex = code.toString(16);
  return String.raw`(?:${escapeRegExp(char)}|\\u0*${hex}|&#0*${code};|&#x0*${hex};)`;
}

// The base64 and base64url text that `secret`'s bytes always encode to, wherever they sit in
// the encoded data: for each of the three alignments, the characters that depend only on them.
function base64Cores(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const cores: string[] = [];
  for (const pad of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(pad), bytes]).toString('base64');
    const whole = Math.floor((pad + bytes.length) / 3) * 4;
    const core = encoded.slice([0, 2, 3][pad], whole);
    cores.push(core, core.replaceAll('+', '-').replaceAll('/', '_'));
  }
  return [...new Set(cores)];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
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
