/**
 * The default of `--store-writes-per-minute`, alone in a module without imports so that the
 * CLI's help can show it without loading the limiter (the CLI's start stays light).
 */

/**
 * Write requests a minute a `gcp:` or `k8s:` store sends at most by default: 90 % of Secret
 * Manager's 600 a minute per project (https://cloud.google.com/secret-manager/quotas).
 */
export const DEFAULT_STORE_WRITES_PER_MINUTE = 540;
