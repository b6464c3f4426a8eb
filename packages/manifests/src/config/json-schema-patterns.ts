/**
 * JSON Schema patterns have no flags (ECMA-262 without `i`), so a case-insensitive regex of the
 * config is spelt out letter by letter for `stemedb-manifests schema`: `latest` → `[Ll][Aa]…`.
 */

/**
 * The source of `pattern` (a word, or a regex whose only flag is `i`) with every ASCII letter
 * outside a character class made `[Xx]`. Classes, escapes and groups are kept as they are, so
 * only patterns whose letters all sit outside classes and escapes are supported: it is meant for
 * the config's own short word lists, and throws on anything it cannot convert faithfully.
 */
export function caseInsensitivePattern(pattern: string | RegExp): string {
  const source = typeof pattern === 'string' ? pattern : pattern.source;
  if (typeof pattern !== 'string' && pattern.flags.replace('i', '') !== '') {
    throw new Error(`caseInsensitivePattern: unsupported flags /${pattern.flags}`);
  }
  if (/[[\\]/.test(source)) {
    throw new Error(`caseInsensitivePattern: classes and escapes are not supported: ${source}`);
  }
  const body = source.replace(/^\^/, '').replace(/\$$/, '');
  return body.replace(/[a-z]/gi, (c) => `[${c.toUpperCase()}${c.toLowerCase()}]`);
}
