/**
 * Test support: stores that misbehave on purpose, wrapped around a real one. Test-only; the
 * production code knows nothing of them.
 */
import type { SecretStore } from '../../src/stores/types.js';

type Method = 'readLatest' | 'writeVersion' | 'writeIfAbsent' | 'list' | 'delete';

/**
 * Wraps `inner`; before each call of `method`, `before(name, n)` runs (n counts from 1) and may
 * throw (the call fails) or start a fault elsewhere.
 */
export function interceptStore(
  inner: SecretStore,
  method: Method,
  before: (name: string, n: number) => void | Promise<void>,
): SecretStore {
  let n = 0;
  const wrapped = { ...inner, spec: inner.spec } as SecretStore;
  const original = inner[method].bind(inner) as (...args: unknown[]) => Promise<unknown>;
  (wrapped as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
    n += 1;
    await before(String(args[0]), n);
    return original(...args);
  };
  for (const m of [
    'readLatest',
    'writeVersion',
    'writeIfAbsent',
    'list',
    'listVersions',
    'delete',
    'acquireLease',
    'preflight',
    'close',
  ] as const) {
    if (m !== method)
      (wrapped as unknown as Record<string, unknown>)[m] = (
        inner[m] as (...a: unknown[]) => unknown
      ).bind(inner);
  }
  return wrapped;
}
