/**
 * API versions the target cluster no longer serves, or serves only as deprecated. The target is
 * Kubernetes 1.31–1.33 (k3s) with Traefik v3, External Secrets Operator ≥ 0.16 and
 * prometheus-operator; the oldest release in that range decides what is removed.
 * Sources: https://kubernetes.io/docs/reference/using-api/deprecation-guide/,
 * https://doc.traefik.io/traefik/migration/v2-to-v3/, ESO v0.17.0 release notes
 * ("v0.17.0 stops serving v1beta1 apis").
 */

/** Why an apiVersion must not be used. */
export interface ApiVersionProblem {
  status: 'removed' | 'deprecated';
  /** When, in words: "Kubernetes 1.25", "Traefik v3". */
  since: string;
  /** The apiVersion to use instead. */
  replacement: string;
}

interface Entry extends ApiVersionProblem {
  apiVersion: string;
  /** The kinds it applies to; every kind of the group version when absent. */
  kinds?: readonly string[];
}

const k8s = (apiVersion: string, since: string, replacement: string, kinds?: string[]): Entry => ({
  apiVersion,
  status: 'removed',
  since: `Kubernetes ${since}`,
  replacement,
  ...(kinds ? { kinds } : {}),
});

const TABLE: readonly Entry[] = [
  k8s('extensions/v1beta1', '1.22', 'apps/v1 or networking.k8s.io/v1'),
  k8s('apps/v1beta1', '1.16', 'apps/v1'),
  k8s('apps/v1beta2', '1.16', 'apps/v1'),
  k8s('networking.k8s.io/v1beta1', '1.22', 'networking.k8s.io/v1', ['Ingress', 'IngressClass']),
  k8s('policy/v1beta1', '1.25', 'policy/v1'),
  k8s('batch/v1beta1', '1.25', 'batch/v1'),
  k8s('autoscaling/v2beta1', '1.25', 'autoscaling/v2'),
  k8s('autoscaling/v2beta2', '1.26', 'autoscaling/v2'),
  k8s('discovery.k8s.io/v1beta1', '1.25', 'discovery.k8s.io/v1'),
  k8s('events.k8s.io/v1beta1', '1.25', 'events.k8s.io/v1'),
  k8s('node.k8s.io/v1beta1', '1.25', 'node.k8s.io/v1'),
  k8s('rbac.authorization.k8s.io/v1beta1', '1.22', 'rbac.authorization.k8s.io/v1'),
  k8s('admissionregistration.k8s.io/v1beta1', '1.22', 'admissionregistration.k8s.io/v1', [
    'MutatingWebhookConfiguration',
    'ValidatingWebhookConfiguration',
  ]),
  k8s('apiextensions.k8s.io/v1beta1', '1.22', 'apiextensions.k8s.io/v1'),
  k8s('apiregistration.k8s.io/v1beta1', '1.22', 'apiregistration.k8s.io/v1'),
  k8s('certificates.k8s.io/v1beta1', '1.22', 'certificates.k8s.io/v1', [
    'CertificateSigningRequest',
  ]),
  k8s('coordination.k8s.io/v1beta1', '1.22', 'coordination.k8s.io/v1', ['Lease']),
  k8s('scheduling.k8s.io/v1beta1', '1.22', 'scheduling.k8s.io/v1'),
  k8s('storage.k8s.io/v1beta1', '1.27', 'storage.k8s.io/v1', [
    'CSIDriver',
    'CSINode',
    'StorageClass',
    'VolumeAttachment',
    'CSIStorageCapacity',
  ]),
  k8s('flowcontrol.apiserver.k8s.io/v1beta1', '1.26', 'flowcontrol.apiserver.k8s.io/v1'),
  k8s('flowcontrol.apiserver.k8s.io/v1beta2', '1.29', 'flowcontrol.apiserver.k8s.io/v1'),
  k8s('flowcontrol.apiserver.k8s.io/v1beta3', '1.32', 'flowcontrol.apiserver.k8s.io/v1'),
  {
    apiVersion: 'traefik.containo.us/v1alpha1',
    status: 'removed',
    since: 'Traefik v3 (deprecated in v2.10; v3 reads only traefik.io)',
    replacement: 'traefik.io/v1alpha1',
  },
  {
    apiVersion: 'external-secrets.io/v1alpha1',
    status: 'removed',
    since: 'External Secrets Operator v0.16',
    replacement: 'external-secrets.io/v1',
  },
  {
    apiVersion: 'external-secrets.io/v1beta1',
    status: 'deprecated',
    since: 'External Secrets Operator v0.16, and no longer served from v0.17',
    replacement: 'external-secrets.io/v1',
  },
];

/** The problem with `apiVersion`/`kind` on the target cluster, if any. */
export function apiVersionProblem(apiVersion: string, kind: string): ApiVersionProblem | undefined {
  const entry = TABLE.find(
    (e) => e.apiVersion === apiVersion && (!e.kinds || e.kinds.includes(kind)),
  );
  if (!entry) return undefined;
  return { status: entry.status, since: entry.since, replacement: entry.replacement };
}
