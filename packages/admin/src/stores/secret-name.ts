/**
 * The one rule for secret names, shared by every store.
 *
 * Secret Manager allows `[A-Za-z0-9_-]{1,255}`; Kubernetes Secret names are DNS-1123 subdomains
 * (lowercase letters, digits, `-` and `.`, at most 253). The intersection, lowercase letters,
 * digits and hyphens starting and ending with a letter or digit, at most 253 characters, is
 * what every store accepts, so that a name tried with `file:` also works with `gcp:` and `k8s:`.
 */
import { SecretStoreError, type SecretStoreKind } from './errors.js';

/** Longest secret name, in characters (Kubernetes' limit for an object name). */
export const MAX_SECRET_NAME_LENGTH = 253;
/** Largest secret value, in bytes (Kubernetes' 1 MiB less room for the object around it). */
export const MAX_SECRET_VALUE_BYTES = 64 * 1024;

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** True when `name` is a valid secret name in every store. */
export function isSecretName(name: unknown): name is string {
  return typeof name === 'string' && name.length <= MAX_SECRET_NAME_LENGTH && NAME.test(name);
}

/** Throws `invalid_secret_name` unless `name` is valid. */
export function assertSecretName(
  name: unknown,
  store: SecretStoreKind,
  operation: string,
): asserts name is string {
  if (isSecretName(name)) return;
  const shown = typeof name === 'string' ? `"${name.slice(0, 80)}"` : typeof name;
  throw new SecretStoreError({
    code: 'invalid_secret_name',
    store,
    operation,
    message: `Invalid secret name ${shown}: use at most ${MAX_SECRET_NAME_LENGTH} lowercase letters, digits or hyphens, starting and ending with a letter or digit`,
  });
}

/** Prefixes for `list` follow the same alphabet (an empty prefix lists everything). */
export function assertSecretPrefix(
  prefix: unknown,
  store: SecretStoreKind,
): asserts prefix is string {
  if (
    typeof prefix === 'string' &&
    prefix.length <= MAX_SECRET_NAME_LENGTH &&
    /^[-a-z0-9]*$/.test(prefix)
  ) {
    return;
  }
  throw new SecretStoreError({
    code: 'invalid_secret_name',
    store,
    operation: 'list',
    message: 'Invalid secret name prefix: use lowercase letters, digits or hyphens',
  });
}

/** Throws `invalid_secret_value` unless `value` is a non-empty string within the size limit. */
export function assertSecretValue(
  value: unknown,
  store: SecretStoreKind,
  operation: string,
  name: string,
): asserts value is string {
  if (
    typeof value === 'string' &&
    value.length > 0 &&
    Buffer.byteLength(value, 'utf8') <= MAX_SECRET_VALUE_BYTES
  ) {
    return;
  }
  // Never describe the value beyond its type and size: it is a secret.
  throw new SecretStoreError({
    code: 'invalid_secret_value',
    store,
    operation,
    secret: name,
    message: `Invalid value for secret ${name}: it must be a non-empty string of at most ${MAX_SECRET_VALUE_BYTES} bytes`,
  });
}
