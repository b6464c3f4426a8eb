/**
 * @stemedb/manifests: StemeDB's Kubernetes deployment as typed objects, built from one
 * validated config, rendered as YAML, JSON or a kustomize directory, validated, and applied.
 * The public API, as explicit named exports, sorted by module.
 */

// The bundle: every object from one config, in apply order.
export { buildBundle } from './bundle.js';
// Cluster operations (src/cluster/).
export { type ApplyOptions, type ApplyResult, applyObjects } from './cluster/apply.js';
export { type DiffOptions, type DiffResult, diffObjects } from './cluster/diff.js';
export { ClusterError, type ClusterErrorCode, isClusterError } from './cluster/errors.js';
export { type KubeConfigSource, loadKubeConfig } from './cluster/kubeconfig.js';
export type { ClusterOptions } from './cluster/session.js';
// The config: schema, parsing, files, defaults.
export {
  ConfigError,
  type ConfigIssue,
  configSchema,
  loadConfigFile,
  parseConfig,
  type StemeDeploymentConfig,
  type StemeDeploymentConfigInput,
} from './config.js';
export * from './defaults.js';
// One builder per object.
export { backupScript, buildBackupCronJob } from './objects/backup-cronjob.js';
export type {
  ExternalSecret,
  Kustomization,
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
export { formatImage, type ImageParts, imageProblem, parseImage } from './objects/image.js';
export { buildIngress } from './objects/ingress.js';
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
  DEFAULT_ALERT_THRESHOLDS,
  DEFAULT_BACKUP_MAX_AGE_SECONDS,
  type PrometheusRuleObject,
  type PrometheusRuleProps,
  toPromtoolRuleFile,
} from './objects/prometheus-rule.js';
export { buildPvcs, type DataVolume, dataVolumes } from './objects/pvc.js';
export { isQuantity, quantityValue } from './objects/quantity.js';
export { buildService } from './objects/service.js';
export { buildServiceMonitor } from './objects/service-monitor.js';
export { buildStorageClass, LONGHORN_PROVISIONER } from './objects/storage-class.js';
// Output: stdout, a file or a kustomize directory.
export {
  KUSTOMIZATION_FILE,
  type KustomizeDirResult,
  kustomizeFiles,
  type OutputFormat,
  type OutputOptions,
  type OutputResult,
  writeKustomizeDir,
  writeOutput,
} from './output/index.js';
// Rendering as text.
export { parseYamlStream, renderJson, renderYaml, renderYamlDocument } from './render.js';
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
