/**
 * Validating store options once, with zod (house practice 6): unknown keys throw, and the error
 * names the option, never its value (an option may hold a credential or a kubeconfig).
 */
import type { z } from 'zod';
import { SecretStoreError, type SecretStoreKind } from './errors.js';

/** Parses `value` with `schema` or throws `invalid_store_options` naming the first bad option. */
export function parseStoreOptions<S extends z.ZodType>(
  schema: S,
  value: unknown,
  store: SecretStoreKind | undefined,
): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  if (issue?.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const part = path === '' ? key : `${path}.${key}`;
    throw new SecretStoreError({
      code: 'invalid_store_options',
      store,
      part,
      message: `Unknown secret store option "${part}"`,
    });
  }
  throw new SecretStoreError({
    code: 'invalid_store_options',
    store,
    part: path === '' ? undefined : path,
    message: `Invalid secret store option${path === '' ? '' : ` ${path}`}: ${issue?.message ?? 'invalid'}`,
  });
}
