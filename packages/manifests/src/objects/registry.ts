/**
 * Every object of the bundle, in the order `buildBundle` emits them, which is the order they
 * are applied in from a rendered file or a kustomize directory (`sortOptions: fifo`): what
 * others depend on comes first (namespace, storage, secrets, volumes, network policy), then the
 * workload, then what routes to and watches it. A new object is its config section, its module
 * (builder, condition, invariants, docs row, in one descriptor) and its line here.
 */
import { backupCronJobObject } from './backup-cronjob.js';
import { certificateObject } from './certificate.js';
import { deploymentObject } from './deployment.js';
import type { ObjectDescriptor } from './descriptor.js';
import {
  pullSecretExternalSecretObject,
  rcloneExternalSecretObject,
  rootKeyExternalSecretObject,
} from './external-secrets.js';
import { ingressRouteObject } from './ingress-route.js';
import { middlewareObject } from './middleware.js';
import { namespaceObject } from './namespace.js';
import { backupNetworkPolicyObject, serverNetworkPolicyObject } from './network-policy.js';
import { podDisruptionBudgetObject } from './pdb.js';
import { prometheusRuleObject } from './prometheus-rule-object.js';
import { pvcObjects } from './pvc.js';
import { recurringJobObject } from './recurring-job.js';
import { serviceObject } from './service.js';
import { serviceMonitorObject } from './service-monitor.js';
import { storageClassObject } from './storage-class.js';

/** The bundle's objects in apply order. */
export const OBJECT_REGISTRY: readonly ObjectDescriptor[] = [
  namespaceObject,
  storageClassObject,
  rootKeyExternalSecretObject,
  pullSecretExternalSecretObject,
  rcloneExternalSecretObject,
  pvcObjects,
  // Policies before pods, so no pod ever runs unrestricted.
  serverNetworkPolicyObject,
  backupNetworkPolicyObject,
  serviceObject,
  deploymentObject,
  podDisruptionBudgetObject,
  // The certificate and the Middleware before the IngressRoute that refers to them.
  certificateObject,
  middlewareObject,
  ingressRouteObject,
  backupCronJobObject,
  recurringJobObject,
  serviceMonitorObject,
  prometheusRuleObject,
];
