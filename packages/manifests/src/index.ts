/**
 * `@stemedb/manifests`: StemeDB's Kubernetes deployment as typed objects, built from one
 * validated config, rendered as YAML, JSON or a kustomize directory, validated, and applied.
 * The public API, as explicit named exports, sorted by module.
 *
 * @module \@stemedb/manifests
 */

// The bundle: every object from one config, in apply order.
export { buildBundle } from './bundle.js';
// Cluster errors. diff and apply themselves are in `@stemedb/manifests/cluster`
// (src/cluster/index.ts): only that entry point loads @kubernetes/client-node.
export {
  ClusterError,
  type ClusterErrorCode,
  isClusterError,
  type StatusCause,
} from './cluster/errors.js';
export type { ApplyResult } from './cluster/types.js';
// The config: schema, parsing, files, defaults.
export {
  backupOf,
  ConfigError,
  type ConfigIssue,
  configSchema,
  type LonghornBackupConfig,
  loadConfigFile,
  parseConfig,
  type RcloneBackupConfig,
  type StemeDeploymentConfig,
  type StemeDeploymentConfigInput,
} from './config/index.js';
// The config's JSON Schema (`stemedb-manifests schema`) and the starter (`init`).
export {
  CHECKED_BY_VALIDATE_ONLY,
  CONFIG_SCHEMA_ID,
  configJsonSchema,
  type JsonSchema,
} from './config/json-schema.js';
export {
  STARTER_CONFIG_FILE,
  STARTER_PLACEHOLDERS,
  STARTER_SCHEMA_FILE,
  type StarterConfigOptions,
  starterConfig,
} from './config/starter.js';
// Every default (src/defaults.ts).
export {
  CLUSTER_NAMESPACES,
  DEFAULT_ALERT_THRESHOLDS,
  DEFAULT_APP_NAME,
  DEFAULT_BACKUP,
  DEFAULT_BACKUP_IMAGE,
  DEFAULT_BACKUP_MAX_AGE_SECONDS,
  DEFAULT_DATA_SIZE,
  DEFAULT_DB_SIZE,
  DEFAULT_IMAGE_PULL_POLICY,
  DEFAULT_IMAGE_REGISTRY,
  DEFAULT_IMAGE_REPOSITORY,
  DEFAULT_INGRESS,
  DEFAULT_LONGHORN_BACKUP,
  DEFAULT_MONITORING,
  DEFAULT_NAMESPACE,
  DEFAULT_NETWORK_POLICY,
  DEFAULT_PDB,
  DEFAULT_PORT,
  DEFAULT_PROBES,
  DEFAULT_PULL_SECRET,
  DEFAULT_RATE_LIMIT,
  DEFAULT_RCLONE_BACKUP,
  DEFAULT_RESOURCES,
  DEFAULT_ROOT_API_KEY,
  DEFAULT_SECRET_STORE,
  DEFAULT_SECURITY_CONTEXT,
  DEFAULT_SERVER,
  DEFAULT_STORAGE_CLASS,
  DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS,
  DEFAULT_WAL_SIZE,
  defaultRecurringJobGroup,
  defaultStorageClassName,
  METRICS_PATH,
} from './defaults.js';
// One builder per object.
export { backupScript, buildBackupCronJob } from './objects/backup-cronjob.js';
export {
  buildCertificate,
  type CertManagerCertificate,
} from './objects/certificate.js';
export type {
  ExternalSecret,
  Kustomization,
  LonghornRecurringJob,
  LonghornRecurringJobTask,
  PrometheusRule,
  PrometheusRuleRule,
  ServiceMonitor,
  TraefikMiddleware,
} from './objects/crds.js';
export { buildDeployment, serverEnv, serverImage } from './objects/deployment.js';
export {
  buildPullSecretExternalSecret,
  buildRcloneExternalSecret,
  buildRootKeyExternalSecret,
} from './objects/external-secrets.js';
export {
  buildIngressRoute,
  publicMatch,
  type TraefikIngressRoute,
} from './objects/ingress-route.js';
export { assertBundleInvariants, BundleInvariantError } from './objects/invariants.js';
export { buildKustomization, objectFileName } from './objects/kustomization.js';
export { objectLabels, objectNames, selectorLabels } from './objects/meta.js';
export { buildMiddleware, middlewareRef } from './objects/middleware.js';
export { buildNamespace } from './objects/namespace.js';
export {
  buildBackupNetworkPolicy,
  buildServerNetworkPolicy,
  type NetworkPolicy,
} from './objects/network-policy.js';
export { buildPodDisruptionBudget } from './objects/pdb.js';
// The alerts (src/objects/prometheus-rule.ts).
export {
  type AlertThresholds,
  type BackupAlertProps,
  buildPrometheusRule,
  type CronJobBackupAlertProps,
  type LonghornBackupAlertProps,
  type PrometheusRuleObject,
  type PrometheusRuleProps,
  toPromtoolRuleFile,
} from './objects/prometheus-rule.js';
export { buildPvcs, type DataVolume, dataVolumes } from './objects/pvc.js';
export {
  buildRecurringJob,
  longhornPvcLabels,
  RECURRING_JOB_SOURCE_LABEL,
  recurringJobGroupLabel,
  recurringJobLabel,
} from './objects/recurring-job.js';
export {
  backupUrlProblem,
  buildRestoreObjects,
  type RestoreTarget,
  restoreClaimName,
  restoreStorageClassName,
  restoreTargets,
} from './objects/restore.js';
export {
  buildRcloneRestoreObjects,
  type RcloneRestoreSource,
  rcloneRestoreJobName,
  rcloneRestoreScript,
  rcloneRestoreSource,
} from './objects/restore-rclone.js';
export {
  buildSwapObjects,
  type SwapTarget,
  swapTargets,
  swapVolumeName,
} from './objects/restore-swap.js';
export { buildService } from './objects/service.js';
export { buildServiceMonitor } from './objects/service-monitor.js';
export { buildStorageClass, LONGHORN_PROVISIONER } from './objects/storage-class.js';
// Output: objects as text, written to stdout, a file or a kustomize directory (src/output/).
export {
  KUSTOMIZATION_FILE,
  type KustomizeDirResult,
  kustomizeFiles,
  OutputDirError,
  WRITTEN_FILES,
  writeKustomizeDir,
} from './output/kustomize-dir.js';
export {
  PROMETHEUS_RULES_FORMAT,
  prometheusRuleGroups,
  renderPrometheusRules,
  writePrometheusRules,
} from './output/prometheus-rules.js';
export { parseYamlStream, renderJson, renderYaml, renderYamlDocument } from './output/serialize.js';
export {
  type OutputFormat,
  type OutputOptions,
  type OutputResult,
  writeOutput,
} from './output/write.js';
// Helpers shared by the config, the builders and the rules (src/shared/).
export { formatImage, type ImageParts, imageProblem, parseImage } from './shared/image.js';
export { isQuantity, quantityValue } from './shared/quantity.js';
// Shared types.
export { type Finding, type KubeObject, objectRef, type Severity } from './types.js';
// Validation (src/validate/).
export {
  formatReport,
  RULES,
  type ValidateOptions,
  type ValidationReport,
  validate,
} from './validate/index.js';
