/**
 * The default export of an ESM-only dependency (p-retry, p-limit), in both builds.
 *
 * The CJS build `require()`s them (require(esm), Node ≥ 20.19), and esbuild's interop then
 * hands over the module namespace rather than its default export; the ESM build gets the
 * export itself. Found when the CJS build threw "pRetry is not a function".
 */
export function esmDefault<T>(imported: T): T {
  const namespace = imported as unknown as { default?: T };
  return typeof imported === 'function' ? imported : (namespace.default ?? imported);
}
