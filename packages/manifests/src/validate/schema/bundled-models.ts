/**
 * The kubernetes-models modules of the kinds the bundle holds, required by literal path so that
 * esbuild carries them (tsup.config.ts builds this file alone into `dist/bundled-models.cjs`):
 * loaded one by one from node_modules they cost hundreds of file resolutions, reads and
 * compiles. The same generated validators run either way; only where their code is read from
 * changes.
 *
 * A file of its own, required by bundled.ts when the first object is validated, not part of the
 * library's entry chunk: it is half of that chunk's code (about 1 MB), which every
 * `require('@stemedb/manifests')` would otherwise compile, validation or not (the README's speed
 * section: a cold load within 2.5x a bare node start). Run from source (tests), nothing loads it.
 */

/** Module loaders keyed `apiVersion kind`. */
export const bundledModels: Readonly<Record<string, () => unknown>> = {
  'v1 ConfigMap': () => require('kubernetes-models/v1/ConfigMap'),
  'v1 Namespace': () => require('kubernetes-models/v1/Namespace'),
  'v1 PersistentVolumeClaim': () => require('kubernetes-models/v1/PersistentVolumeClaim'),
  'v1 Service': () => require('kubernetes-models/v1/Service'),
  'apps/v1 Deployment': () => require('kubernetes-models/apps/v1/Deployment'),
  'batch/v1 CronJob': () => require('kubernetes-models/batch/v1/CronJob'),
  'networking.k8s.io/v1 Ingress': () => require('kubernetes-models/networking.k8s.io/v1/Ingress'),
  'networking.k8s.io/v1 NetworkPolicy': () =>
    require('kubernetes-models/networking.k8s.io/v1/NetworkPolicy'),
  'policy/v1 PodDisruptionBudget': () => require('kubernetes-models/policy/v1/PodDisruptionBudget'),
  'storage.k8s.io/v1 StorageClass': () =>
    require('kubernetes-models/storage.k8s.io/v1/StorageClass'),
  'external-secrets.io/v1 ExternalSecret': () =>
    require('@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret'),
  'longhorn.io/v1beta2 RecurringJob': () =>
    require('../../generated/longhorn/_schemas/LonghornIoV1beta2RecurringJob.js'),
  'traefik.io/v1alpha1 IngressRoute': () =>
    require('@kubernetes-models/traefik/traefik.io/v1alpha1/IngressRoute'),
  'cert-manager.io/v1 Certificate': () =>
    require('@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate'),
  'traefik.io/v1alpha1 Middleware': () =>
    require('@kubernetes-models/traefik/traefik.io/v1alpha1/Middleware'),
  'monitoring.coreos.com/v1 ServiceMonitor': () =>
    require('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor'),
};
