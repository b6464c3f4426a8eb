/** NetworkPolicies for the server (roadmap network-policy.yaml) and the backup job. */
import type {
  V1NetworkPolicy,
  V1NetworkPolicyEgressRule,
  V1NetworkPolicyIngressRule,
  V1NetworkPolicyPeer,
  V1NetworkPolicySpec,
} from '@kubernetes/client-node';
import type { StemeDeploymentConfig } from '../config/index.js';
import { refSelectorMatchesNothing } from '../rules/ref-selectors.js';
import { backupMethod, type ObjectDescriptor } from './descriptor.js';
import { type Built, namespacedMeta, objectLabels, objectNames, selectorLabels } from './meta.js';

/**
 * client-node's model calls the ingress rule's `from` field `_from` (its serializer renames it);
 * our objects are plain JSON, so the wire name is typed back in.
 */
type IngressRule = Omit<V1NetworkPolicyIngressRule, '_from'> & { from?: V1NetworkPolicyPeer[] };

/** A NetworkPolicy as JSON: the client-node model with wire-named ingress rules. */
export type NetworkPolicy = Built<
  Omit<V1NetworkPolicy, 'spec'> & {
    spec: Omit<V1NetworkPolicySpec, 'ingress'> & { ingress?: IngressRule[] };
  }
>;

/**
 * DNS to the cluster's resolver only. The roadmap allows `port: 53` without a protocol, which
 * means TCP alone: lookups go over UDP and would all be dropped. Both protocols are allowed, to
 * CoreDNS pods (`k8s-app: kube-dns` on k3s) in kube-system rather than to any address.
 */
export function dnsEgress(): V1NetworkPolicyEgressRule {
  return {
    to: [
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
        podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      },
    ],
    ports: [
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ],
  };
}

/** HTTPS to anywhere (GCS, Secret Manager): a port, no destination, as in the roadmap. */
export function httpsEgress(): V1NetworkPolicyEgressRule {
  return { ports: [{ protocol: 'TCP', port: 443 }] };
}

const namespaceNamed = (name: string) => ({
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } },
});

/**
 * The server accepts its port from Traefik's and Prometheus's namespaces only, and reaches DNS.
 * The roadmap also opens 443 "for GCP APIs (backup, secrets)", but the server makes neither
 * call: the backup pod and the External Secrets controller do. `networkPolicy.allowHttpsEgress`
 * opens it if a future server version needs it.
 */
export function buildServerNetworkPolicy(c: StemeDeploymentConfig): NetworkPolicy {
  const egress = [dnsEgress()];
  if (c.networkPolicy.allowHttpsEgress) egress.push(httpsEgress());
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: namespacedMeta(c, objectNames(c).app, 'server'),
    spec: {
      podSelector: { matchLabels: selectorLabels(c) },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          from: [
            namespaceNamed(c.networkPolicy.traefikNamespace),
            namespaceNamed(c.monitoring.prometheusNamespace),
          ],
          ports: [{ protocol: 'TCP', port: c.port }],
        },
      ],
      egress,
    },
  };
}

/**
 * The backup pods, which the roadmap leaves unrestricted: no ingress at all; egress to DNS and
 * HTTPS (GCS).
 */
export function buildBackupNetworkPolicy(c: StemeDeploymentConfig): NetworkPolicy {
  const name = objectNames(c).backup;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: namespacedMeta(c, name, 'backup', { labels: objectLabels(c, 'backup', name) }),
    spec: {
      podSelector: { matchLabels: { 'app.kubernetes.io/name': name } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [],
      egress: [dnsEgress(), httpsEgress()],
    },
  };
}

/** The server's NetworkPolicy, before the pods: no pod ever runs unrestricted. */
export const serverNetworkPolicyObject: ObjectDescriptor = {
  id: 'network-policy/server',
  kind: 'NetworkPolicy',
  when: (c) => c.networkPolicy.enabled,
  build: buildServerNetworkPolicy,
  invariants: [refSelectorMatchesNothing],
  docs: {
    object: 'NetworkPolicy for the server',
    name: '`stemedb-api`',
    when: '`networkPolicy.enabled`',
  },
};

/** The backup pods' NetworkPolicy, with the rclone backup. */
export const backupNetworkPolicyObject: ObjectDescriptor = {
  id: 'network-policy/backup',
  kind: 'NetworkPolicy',
  when: (c) => c.networkPolicy.enabled && backupMethod(c) === 'rclone',
  build: buildBackupNetworkPolicy,
  invariants: [refSelectorMatchesNothing],
  docs: {
    object: 'NetworkPolicy for the backup pods',
    name: '`stemedb-backup`',
    when: '`networkPolicy.enabled`, `backup.enabled`, method `rclone`',
  },
};
