/**
 * p-limit's default export in both builds: p-limit is ESM-only, and the CJS build `require()`s
 * it and gets its module namespace instead (as the SDK's interop.ts explains).
 */
import pLimitImport from 'p-limit';

/** `pLimit(concurrency)`, the same function in the ESM and the CJS build. */
export const pLimit: typeof pLimitImport =
  (pLimitImport as unknown as { default?: typeof pLimitImport }).default ?? pLimitImport;
