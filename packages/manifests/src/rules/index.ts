/**
 * Every rule `validate()` runs, in report order within an object: schema first (what the API
 * server would reject), then references between objects, then operational policy, then PromQL.
 */
import type { Rule } from '../validate/rule.js';
import {
  backupRwoAffinity,
  backupUnmonitored,
  cronJobConcurrency,
  jobDeadline,
} from './backup-jobs.js';
import {
  allowPrivilegeEscalation,
  capabilitiesNotDropped,
  readOnlyRootFilesystem,
  seccompProfile,
} from './container-security.js';
import { doubleScrape } from './double-scrape.js';
import { imageLatest, imageUntagged } from './image-tag.js';
import { certManagerWithoutTls, ingressTlsHost } from './ingress-tls.js';
import { namespaceNotEmitted, namespaceUnset } from './namespaces.js';
import { networkPolicyDns } from './network-policy-dns.js';
import { pdbBlocksEviction } from './pdb-blocks-eviction.js';
import { placeholderHost, placeholderValue } from './placeholders.js';
import { readinessProbeMissing, startupProbeMissing, startupWindowTooShort } from './probes.js';
import {
  absentComparison,
  alertMissingFor,
  rateOfGauge,
  thresholdOnSeriesRate,
} from './promql-alerts.js';
import { histogramQuantileUnaggregated, histogramQuantileWithoutLe } from './promql-histogram.js';
import { promqlParse } from './promql-parse.js';
import { promqlRatio } from './promql-ratio.js';
import { ingressMiddleware } from './ref-ingress-middleware.js';
import { kustomizationFiles } from './ref-kustomization.js';
import { networkPolicyBlocksTraffic } from './ref-network-policy-traffic.js';
import { probePort } from './ref-probe-port.js';
import { secretKeyMissing, secretNotProduced } from './ref-secrets.js';
import { selectorMatchesNothing, workloadSelector } from './ref-selectors.js';
import { serviceMonitorPort, serviceMonitorSelector } from './ref-service-monitor.js';
import { ingressBackend, serviceTargetPort } from './ref-service-ports.js';
import { claimNotProduced, configMapNotProduced, volumeMountUnknown } from './ref-volumes.js';
import { memoryLimitMissing, memoryRequestBelowLimit, resourcesMissing } from './resources.js';
import { runAsNonRoot } from './run-as-non-root.js';
import { fsGroupChangePolicy, rollingUpdateRwo, rwoMultipleReplicas } from './rwo-volumes.js';
import { deprecatedApi, removedApi, unknownKind } from './schema-api-version.js';
import { unknownField } from './schema-unknown-field.js';
import { invalidValue, notInEnum, requiredField, wrongType } from './schema-value.js';
import { secretLiteralEnv } from './secret-literal-env.js';
import { stemedbAuth } from './stemedb-auth.js';

export const ALL_RULES: readonly Rule[] = [
  // Schema: what the API server rejects.
  unknownKind,
  removedApi,
  deprecatedApi,
  unknownField,
  requiredField,
  wrongType,
  notInEnum,
  invalidValue,
  // References between objects.
  workloadSelector,
  selectorMatchesNothing,
  serviceTargetPort,
  probePort,
  ingressBackend,
  ingressMiddleware,
  serviceMonitorSelector,
  serviceMonitorPort,
  secretNotProduced,
  secretKeyMissing,
  claimNotProduced,
  configMapNotProduced,
  volumeMountUnknown,
  networkPolicyBlocksTraffic,
  namespaceNotEmitted,
  kustomizationFiles,
  // Policy for a single-replica stateful database on ReadWriteOnce volumes.
  namespaceUnset,
  placeholderHost,
  placeholderValue,
  imageLatest,
  imageUntagged,
  stemedbAuth,
  secretLiteralEnv,
  runAsNonRoot,
  allowPrivilegeEscalation,
  capabilitiesNotDropped,
  seccompProfile,
  readOnlyRootFilesystem,
  resourcesMissing,
  memoryLimitMissing,
  memoryRequestBelowLimit,
  readinessProbeMissing,
  startupProbeMissing,
  startupWindowTooShort,
  rollingUpdateRwo,
  rwoMultipleReplicas,
  fsGroupChangePolicy,
  pdbBlocksEviction,
  networkPolicyDns,
  ingressTlsHost,
  certManagerWithoutTls,
  backupRwoAffinity,
  cronJobConcurrency,
  jobDeadline,
  backupUnmonitored,
  doubleScrape,
  // PromQL of the alerts.
  promqlParse,
  promqlRatio,
  histogramQuantileWithoutLe,
  histogramQuantileUnaggregated,
  absentComparison,
  alertMissingFor,
  thresholdOnSeriesRate,
  rateOfGauge,
];
