/**
 * The checks shared by {@link loadHostedConfig} and {@link createHostedConfig}. Each returns
 * a problem (a sentence fragment) or undefined; callers add where and the fix. No message ever
 * quotes a key or any part of one.
 */
import { API_KEY_PREFIX, isApiKey, isLoopbackHost } from '@stemedb/sdk';

/** A portable environment variable name. */
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/**
 * Anything that looks like a key, or a key's 48-hex tail, in a text. Looser than
 * API_KEY_PATTERN on purpose: a key with a typo or a different case is still a key in a file.
 */
const KEY_LIKE = /steme[_-]?live|(?:^|[^0-9a-f])[0-9a-f]{48}(?:[^0-9a-f]|$)/i;

/** True when `text` contains something that looks like an API key or its tail. */
export function looksLikeKey(text: string): boolean {
  return KEY_LIKE.test(text);
}

/** Why `url` cannot be StemeDB's base URL, or undefined. Names the host, never the URL's userinfo. */
export function checkUrl(url: unknown): string | undefined {
  if (typeof url !== 'string' || url.trim() === '') {
    return 'must be a non-empty string such as "https://stemedb.example.com"';
  }
  if (looksLikeKey(url))
    return 'contains what looks like an API key: keys belong in the env var only';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not an absolute URL (write it like "https://stemedb.example.com")';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return `must start with https:// (not ${parsed.protocol.slice(0, 20)}//)`;
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return 'must not carry a user name or password: the key comes from the env var';
  }
  if (parsed.search !== '' || parsed.hash !== '')
    return 'must not have a query (?…) or a fragment (#…)';
  if (parsed.protocol === 'http:' && !isLoopbackHost(parsed.hostname)) {
    return `uses http:// to ${parsed.host}, which is not loopback, so the API key would cross the network in clear; use https://${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  }
  return undefined;
}

/** Why `name` cannot name the key's env var, or undefined. */
export function checkApiKeyEnv(name: unknown): string | undefined {
  if (typeof name !== 'string') return 'must be a string naming an environment variable';
  if (looksLikeKey(name))
    return 'holds what looks like an API key; it must name the env var that holds the key';
  if (!ENV_NAME_PATTERN.test(name)) {
    return 'must be an environment variable name (letters, digits and _, not starting with a digit), e.g. "STEMEDB_API_KEY"';
  }
  return undefined;
}

/**
 * Why `value` is not a key, or undefined. Hints at the usual slips (whitespace from `echo`,
 * quotes, case) without quoting any of it.
 */
export function checkApiKey(value: unknown): string | undefined {
  if (isApiKey(value)) return undefined;
  const expected = `expected ${API_KEY_PREFIX} + 48 lowercase hex characters`;
  if (typeof value !== 'string') return `must be a string (${expected})`;
  if (value !== value.trim())
    return `has leading or trailing whitespace or a newline (${expected})`;
  if (/^["']|["']$/.test(value)) return `is wrapped in quotes (${expected})`;
  if (isApiKey(value.toLowerCase())) return `has uppercase letters (${expected})`;
  if (!value.startsWith(API_KEY_PREFIX)) return `is not a StemeDB key (${expected})`;
  return `is not a complete StemeDB key (${expected}; it has ${value.length} characters, a key has ${API_KEY_PREFIX.length + 48})`;
}
