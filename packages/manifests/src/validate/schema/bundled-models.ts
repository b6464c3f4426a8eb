/**
 * The kubernetes-models modules of the kinds `render` emits, required by literal path so that
 * esbuild can carry them in the CLI build (issue #3 §6, cold `render` under 500 ms): loaded one
 * by one from node_modules they cost hundreds of file resolutions, reads and compiles (~100 ms).
 * The same generated validators run either way; only where their code is read from changes.
 *
 * The CLI and library builds define `__STEMEDB_CLI_BUNDLE__` as true (tsup.config.ts), so both
 * carry these validators: the packages are ES modules exported under `import` only, which a
 * loader that compiles required ES modules itself (tsx) cannot resolve at run time. Under tests
 * (source run as is) it is undefined. Without the table, models.ts requires each kind by path
 * from node_modules, as it does for every kind not listed here.
 */
declare const __STEMEDB_CLI_BUNDLE__: boolean | undefined;

/** Module loaders keyed `apiVersion kind`, or undefined when run from source. */
export const bundledModels: Readonly<Record<string, () => unknown>> | undefined =
  typeof __STEMEDB_CLI_BUNDLE__ !== 'undefined' && __STEMEDB_CLI_BUNDLE__
    ? {
        'v1 ConfigMap': () => require('kubernetes-models/v1/ConfigMap'),
        'v1 Namespace': () => require('kubernetes-models/v1/Namespace'),
        'v1 PersistentVolumeClaim': () => require('kubernetes-models/v1/PersistentVolumeClaim'),
        'v1 Service': () => require('kubernetes-models/v1/Service'),
        'apps/v1 Deployment': () => require('kubernetes-models/apps/v1/Deployment'),
        'batch/v1 CronJob': () => require('kubernetes-models/batch/v1/CronJob'),
        'networking.k8s.io/v1 Ingress': () =>
          require('kubernetes-models/networking.k8s.io/v1/Ingress'),
        'networking.k8s.io/v1 NetworkPolicy': () =>
          require('kubernetes-models/networking.k8s.io/v1/NetworkPolicy'),
        'policy/v1 PodDisruptionBudget': () =>
          require('kubernetes-models/policy/v1/PodDisruptionBudget'),
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
      }
    : undefined;
