/**
 * Every rule `validate()` runs, in report order within an object: schema first (what the API
 * server would reject), then references between objects, then operational policy, then PromQL.
 */
import type { Rule } from '../validate/rule.js';
import {
  policyBackupRwoAffinity,
  policyBackupUnmonitored,
  policyCronjobConcurrency,
  policyJobDeadline,
} from './policy-backup-jobs.js';
import { policyBackupNotCrashConsistent } from './policy-backup-not-crash-consistent.js';
import {
  policyAllowPrivilegeEscalation,
  policyCapabilitiesNotDropped,
  policyReadOnlyRootFilesystem,
  policySeccompProfile,
} from './policy-container-security.js';
import { policyDoubleScrape } from './policy-double-scrape.js';
import { policyImageLatest, policyImageUntagged } from './policy-image-tag.js';
import { policyCertManagerWithoutTls, policyIngressTlsHost } from './policy-ingress-tls.js';
import { policyNamespaceUnset } from './policy-namespace-unset.js';
import { policyNetworkPolicyDns } from './policy-network-policy-dns.js';
import { policyNodeFailure } from './policy-node-failure.js';
import { policyPdbBlocksEviction } from './policy-pdb-blocks-eviction.js';
import { policyPlaceholderHost, policyPlaceholderValue } from './policy-placeholders.js';
import {
  policyLivenessKillsSlowDatabase,
  policyReadinessProbeMissing,
  policyStartupProbeMissing,
  policyStartupWindowTooShort,
} from './policy-probes.js';
import { policyPublicMetrics } from './policy-public-metrics.js';
import {
  policyMemoryLimitMissing,
  policyMemoryRequestBelowLimit,
  policyResourcesMissing,
} from './policy-resources.js';
import { policyRunAsNonRoot } from './policy-run-as-non-root.js';
import {
  policyFsgroupChangePolicy,
  policyRollingUpdateRwo,
  policyRwoMultipleReplicas,
} from './policy-rwo-volumes.js';
import { policySecretLiteralEnv } from './policy-secret-literal-env.js';
import { policyStemedbAuth } from './policy-stemedb-auth.js';
import {
  promqlAbsentComparison,
  promqlAlertMissingFor,
  promqlRateOfNonCounter,
  promqlThresholdOnSeriesRate,
} from './promql-alerts.js';
import {
  promqlHistogramQuantileUnaggregated,
  promqlHistogramQuantileWithoutLe,
} from './promql-histogram.js';
import { promqlParseError } from './promql-parse.js';
import { promqlRatioWithoutAggregation } from './promql-ratio.js';
import { refIdentityClash } from './ref-identity-clash.js';
import { refIngressMiddleware } from './ref-ingress-middleware.js';
import { refKustomizationFiles } from './ref-kustomization.js';
import { refNamespaceNotEmitted } from './ref-namespace-not-emitted.js';
import { refNetworkPolicyBlocksTraffic } from './ref-network-policy-traffic.js';
import { refPersistentVolumeClaim } from './ref-persistent-volume-claim.js';
import { refProbePort } from './ref-probe-port.js';
import { refRecurringJobVolumes } from './ref-recurring-job-volumes.js';
import { refSecretKeyMissing, refSecretNotProduced } from './ref-secrets.js';
import { refSelectorMatchesNothing, refWorkloadSelector } from './ref-selectors.js';
import { refServicemonitorPort, refServicemonitorSelector } from './ref-service-monitor.js';
import { refIngressBackend, refServiceTargetPort } from './ref-service-ports.js';
import { refConfigmapNotProduced, refPvcNotProduced, refVolumeMount } from './ref-volumes.js';
import { schemaDeprecatedApi, schemaRemovedApi, schemaUnknownKind } from './schema-api-version.js';
import { schemaUnknownField } from './schema-unknown-field.js';
import { schemaEnum, schemaInvalidValue, schemaRequiredField, schemaType } from './schema-value.js';

export const ALL_RULES: readonly Rule[] = [
  // Schema: what the API server rejects.
  schemaUnknownKind,
  schemaRemovedApi,
  schemaDeprecatedApi,
  schemaUnknownField,
  schemaRequiredField,
  schemaType,
  schemaEnum,
  schemaInvalidValue,
  // References between objects.
  refIdentityClash,
  refWorkloadSelector,
  refSelectorMatchesNothing,
  refServiceTargetPort,
  refProbePort,
  refIngressBackend,
  refIngressMiddleware,
  refServicemonitorSelector,
  refServicemonitorPort,
  refSecretNotProduced,
  refSecretKeyMissing,
  refPvcNotProduced,
  refPersistentVolumeClaim,
  refConfigmapNotProduced,
  refVolumeMount,
  refNetworkPolicyBlocksTraffic,
  refNamespaceNotEmitted,
  refRecurringJobVolumes,
  refKustomizationFiles,
  // Policy for a single-replica stateful database on ReadWriteOnce volumes.
  policyNodeFailure,
  policyNamespaceUnset,
  policyPlaceholderHost,
  policyPlaceholderValue,
  policyImageLatest,
  policyImageUntagged,
  policyStemedbAuth,
  policySecretLiteralEnv,
  policyRunAsNonRoot,
  policyAllowPrivilegeEscalation,
  policyCapabilitiesNotDropped,
  policySeccompProfile,
  policyReadOnlyRootFilesystem,
  policyResourcesMissing,
  policyMemoryLimitMissing,
  policyMemoryRequestBelowLimit,
  policyReadinessProbeMissing,
  policyStartupProbeMissing,
  policyStartupWindowTooShort,
  policyLivenessKillsSlowDatabase,
  policyRollingUpdateRwo,
  policyRwoMultipleReplicas,
  policyFsgroupChangePolicy,
  policyPdbBlocksEviction,
  policyNetworkPolicyDns,
  policyIngressTlsHost,
  policyCertManagerWithoutTls,
  policyPublicMetrics,
  policyBackupRwoAffinity,
  policyCronjobConcurrency,
  policyJobDeadline,
  policyBackupUnmonitored,
  policyBackupNotCrashConsistent,
  policyDoubleScrape,
  // PromQL of the alerts.
  promqlParseError,
  promqlRatioWithoutAggregation,
  promqlHistogramQuantileWithoutLe,
  promqlHistogramQuantileUnaggregated,
  promqlAbsentComparison,
  promqlAlertMissingFor,
  promqlThresholdOnSeriesRate,
  promqlRateOfNonCounter,
];
