/**
 * `@stemedb/admin`: StemeDB key administration. Everything not exported here is private.
 *
 * @module \@stemedb/admin
 */

// Commands, each a library function with the CLI's options (issue 8 §2).
export { ADMIN_KEY_ENV, type AdminKeySource, resolveAdminKey } from './admin-key.js';
export { type BootstrapOptions, type BootstrapResult, bootstrap } from './commands/bootstrap.js';
export {
  type ClientOptions,
  DEFAULT_CONCURRENCY,
  DEFAULT_READ_CONCURRENCY,
  MAX_CONCURRENCY,
  type RunOptions,
  type ServerOptions,
} from './commands/context.js';
export { DEFAULT_BACKUP_MAX_AGE_SECONDS } from './commands/gate/backup-freshness.js';
export { BUNDLE_ALERTS, POD_NOT_RUNNING_ALERT } from './commands/gate/bundle-alerts.js';
export { type GateOptions, type GateResult, gate } from './commands/gate/gate.js';
export { DEFAULT_KILL_SLACK_MS } from './commands/gate/kill-test.js';
export type { Phase2Options } from './commands/gate/phase2.js';
export { DEFAULT_GATE_PROJECTS, DEFAULT_RATE_LIMIT_REQUESTS } from './commands/gate/phase3.js';
export {
  DEFAULT_READY_TIMEOUT_MS,
  DEFAULT_RESTART_TIMEOUT_MS,
} from './commands/gate/restart.js';
export { type GateCheck, type GatePhase, PING } from './commands/gate/types.js';
export {
  type ListedKey,
  type ListedSecret,
  type ListOptions,
  type ListResult,
  list,
} from './commands/list.js';
export { DEFAULT_MAX_REVOKE } from './commands/mass-revoke.js';
export { OFFBOARDED_SECRET_PREFIX, offboardedSecret } from './commands/offboarded.js';
export {
  API_KEY_ENV,
  fetchCommand,
  type OnboardOptions,
  type OnboardResult,
  onboard,
} from './commands/onboard.js';
export {
  applyProvision,
  applySavedPlan,
  type ProvisionOptions,
  type ProvisionRun,
  planProvision,
  provision,
  savePlan,
} from './commands/provision.js';
export type {
  ProjectHashes,
  ProjectResult,
  ProvisionResult,
} from './commands/provision-apply.js';
export {
  DEFAULT_GRACE_MS,
  type ProjectPlan,
  type ProvisionPlan,
  type StoreReads,
} from './commands/provision-plan.js';
export type { PrunedProject } from './commands/prune.js';
export {
  type Intent,
  type ObservedKey,
  type ObservedProject,
  type PlanAction,
  type ProjectDecision,
  type ReconcilePolicy,
  reconcileProject,
  type SparedKey,
  type StoredState,
} from './commands/reconcile.js';
export {
  RETIRING_SECRET_PREFIX,
  type RetiringRecord,
  retiringSecret,
} from './commands/retiring.js';
export { type RevokeOptions, type RevokeResult, revoke } from './commands/revoke.js';
export { type RotateOptions, rotate } from './commands/rotate.js';
export {
  DEFAULT_LEASE_DURATION_MS,
  DEFAULT_RUN_LOCK_TIMEOUT_MS,
} from './commands/run-lease.js';
export {
  parseSavedPlan,
  SAVED_PLAN_FORMAT,
  SAVED_PLAN_VERSION,
  type SavedPlan,
  type SavedProject,
} from './commands/saved-plan.js';
export { PROJECT_KEY_ROLE } from './commands/server-keys.js';
// Errors and exit codes.
export {
  AdminError,
  type AdminErrorCode,
  type AdminErrorInit,
  EXIT_CODES,
  type InputIssue,
  isAdminError,
  redactKeys,
} from './errors.js';
// The projects file.
export {
  checkProjectName,
  MAX_PROJECT_NAME_LENGTH,
  PROJECT_NAME_PATTERN,
  parseProjectsFile,
  projectNameProblem,
  readProjectsFile,
} from './projects-file.js';
// Secret stores.
export {
  isSecretStoreError,
  REDACTED,
  redactSecretText,
  SecretStoreError,
  type SecretStoreErrorCode,
  type SecretStoreErrorInit,
  type SecretStoreKind,
} from './stores/errors.js';
export { createFileSecretStore, type FileSecretStoreOptions } from './stores/file.js';
export { FILE_STORE_FORMAT } from './stores/file-format.js';
export { FILE_MODE, type FileStoreFs } from './stores/file-io.js';
export { DEFAULT_LOCK_TIMEOUT_MS, DEFAULT_STALE_LOCK_MS } from './stores/file-lock.js';
export {
  createGcpSecretStore,
  DEFAULT_GCP_TIMEOUT_MS,
  type GcpSecretStoreOptions,
} from './stores/gcp.js';
export { DEFAULT_CLAIM_TIMEOUT_MS } from './stores/gcp-claim.js';
export { TRANSIENT_GRPC_CODES } from './stores/gcp-errors.js';

export {
  createK8sSecretStore,
  DEFAULT_K8S_TIMEOUT_MS,
  type K8sSecretStoreOptions,
} from './stores/k8s.js';
export type { K8sConnectionOptions } from './stores/k8s-connection.js';
export { TRANSIENT_HTTP_STATUSES } from './stores/k8s-errors.js';
export {
  DEFAULT_MAX_VERSIONS,
  MANAGED_BY_LABEL,
  VALUE_KEY,
  VERSIONS_ANNOTATION,
} from './stores/k8s-format.js';
export { GCP_LEASE_SECRET } from './stores/lease-gcp.js';
export { K8S_LEASE_NAME } from './stores/lease-k8s.js';
export type {
  LeaseAttempt,
  LeaseHolder,
  LeaseOptions,
  LeaseRecord,
  SecretStoreLeases,
  StoreLease,
} from './stores/lease-types.js';
export { createMemorySecretStore, type MemorySecretStoreOptions } from './stores/memory.js';
export {
  PROJECT_KEY_SECRET_PREFIX,
  projectKeyLabel,
  projectKeySecret,
  ROOT_KEY_SECRET,
} from './stores/names.js';
export { type OpenSecretStoreOptions, openSecretStore } from './stores/open.js';
export { DEFAULT_STORE_RETRY, type StoreRetryOptions } from './stores/retry.js';
export {
  assertSecretName,
  isSecretName,
  MAX_SECRET_NAME_LENGTH,
  MAX_SECRET_VALUE_BYTES,
} from './stores/secret-name.js';
export {
  formatStoreSpec,
  type ParseStoreSpecOptions,
  parseStoreSpec,
  STORE_SCHEMES,
  type StoreSpec,
} from './stores/spec.js';
export type {
  PreflightOptions,
  SecretStore,
  SecretVersionInfo,
  StoreCallOptions,
  StoreOperation,
  WriteIfAbsentResult,
  WrittenVersion,
} from './stores/types.js';
export {
  DEFAULT_STORE_WRITES_PER_MINUTE,
  type StoreWriteLimit,
} from './stores/write-limit.js';
