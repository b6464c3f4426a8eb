/**
 * The cert-manager `Certificate` for the public host. The roadmap asked cert-manager for it with
 * an Ingress annotation; cert-manager's ingress-shim reads Ingresses (and Gateways) only, so an
 * IngressRoute needs the Certificate written out.
 */
import type { ICertificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate';
import type { StemeDeploymentConfig } from '../config/index.js';
import type { ObjectMeta } from './crds.js';
import type { ObjectDescriptor } from './descriptor.js';
import { namespacedMeta, objectNames } from './meta.js';

/** A cert-manager `Certificate` (`cert-manager.io/v1`), as `@kubernetes-models/cert-manager` types it. */
export type CertManagerCertificate = Omit<ICertificate, 'metadata'> & { metadata: ObjectMeta };

/**
 * The certificate of `ingress.host`, stored in `ingress.tlsSecretName` (the secret the
 * IngressRoute serves), issued by `ingress.clusterIssuer`. Undefined without an issuer: the TLS
 * secret then comes from the cluster (validate's `existingSecrets`).
 */
export function buildCertificate(c: StemeDeploymentConfig): CertManagerCertificate | undefined {
  if (!c.ingress.clusterIssuer) return undefined;
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: namespacedMeta(c, objectNames(c).app, 'ingress'),
    spec: {
      secretName: c.ingress.tlsSecretName,
      dnsNames: [c.ingress.host],
      issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: c.ingress.clusterIssuer },
    },
  };
}

/** The Certificate, before the IngressRoute that serves its secret. */
export const certificateObject: ObjectDescriptor = {
  id: 'certificate',
  kind: 'Certificate',
  when: (c) => Boolean(c.ingress.clusterIssuer),
  build: buildCertificate,
  invariants: [],
  docs: {
    object: 'cert-manager Certificate for the public host, stored in `ingress.tlsSecretName`',
    name: '`stemedb-api`',
    when: '`ingress.clusterIssuer` set (default)',
  },
};
