/**
 * A NetworkPolicy that restricts egress must let DNS out, over UDP (and TCP, for large
 * answers). Port 53 without a protocol means TCP only: lookups, which go over UDP, time out,
 * and the pod cannot resolve the Secret Manager or backup endpoints it needs.
 */
import type { KubeObject } from '../types.js';
import { arr, isObject, obj } from '../validate/json.js';
import { joinPath } from '../validate/paths.js';
import type { Issue, Rule } from '../validate/rule.js';

/** Does the port entry admit `port`/`protocol`? (`port` absent means every port.) */
function admits(entry: unknown, port: number, protocol: string): boolean {
  const e = obj(entry);
  if ((e.protocol ?? 'TCP') !== protocol) return false;
  if (e.port === undefined) return true;
  if (typeof e.port === 'string') return e.port === 'dns' || e.port === 'domain';
  if (typeof e.port !== 'number') return false;
  const end = typeof e.endPort === 'number' ? e.endPort : e.port;
  return e.port <= port && port <= end;
}

/** Does an egress rule let DNS over `protocol` out? (A rule without ports admits all.) */
function ruleAdmits(rule: unknown, protocol: string): boolean {
  const ports = obj(rule).ports;
  return (
    ports === undefined ||
    arr(ports).length === 0 ||
    arr(ports).some((p) => admits(p, 53, protocol))
  );
}

function restrictsEgress(policy: KubeObject): boolean {
  const spec = obj(policy.spec);
  const types = arr(spec.policyTypes);
  return types.includes('Egress') || (types.length === 0 && spec.egress !== undefined);
}

export const policyNetworkPolicyDns: Rule = {
  id: 'policy/network-policy-dns',
  severity: 'error',
  description:
    'A NetworkPolicy that restricts egress allows DNS (port 53) over UDP as well as TCP.',
  *check(context) {
    for (const policy of context.ofKind('NetworkPolicy', 'networking.k8s.io')) {
      if (!restrictsEgress(policy)) continue;
      const rules = arr(obj(policy.spec).egress);
      if (rules.some((r) => ruleAdmits(r, 'UDP'))) continue;
      const tcpOnly: Issue[] = [];
      rules.forEach((rule, r) => {
        arr(obj(rule).ports).forEach((entry, p) => {
          if (isObject(entry) && admits(entry, 53, 'TCP')) {
            tcpOnly.push({
              object: policy,
              path: joinPath('spec', 'egress', r, 'ports', p),
              message:
                'egress to port 53 has no protocol, which means TCP only: DNS queries go over UDP, so every lookup times out',
              fix: `allow both: ports: [{ port: 53, protocol: UDP }, { port: 53, protocol: TCP }] (and restrict "to" to kube-dns: namespaceSelector kubernetes.io/metadata.name: kube-system, podSelector k8s-app: kube-dns)`,
            });
          }
        });
      });
      if (tcpOnly.length > 0) {
        yield* tcpOnly;
        continue;
      }
      yield {
        object: policy,
        path: 'spec.egress',
        message:
          'egress is restricted and no rule allows DNS (port 53/UDP): every name lookup fails',
        fix: 'add an egress rule to kube-dns with ports [{ port: 53, protocol: UDP }, { port: 53, protocol: TCP }]',
      };
    }
  },
};
