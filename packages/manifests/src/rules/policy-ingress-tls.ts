/**
 * TLS of an Ingress. A rule host no TLS entry covers is served with Traefik's default
 * self-signed certificate (clients fail the handshake); a cert-manager issuer annotation without
 * a `tls` section (or without a secretName) requests no certificate at all.
 */
import { arr, obj, str } from '../validate/json.js';
import { joinPath } from '../validate/paths.js';
import type { Rule } from '../validate/rule.js';

/** Does TLS host `pattern` (possibly `*.domain`) cover `host`? */
export function covers(pattern: string, host: string): boolean {
  if (pattern === host) return true;
  if (pattern.startsWith('*.')) {
    const suffix = pattern.slice(1);
    return host.endsWith(suffix) && !host.slice(0, -suffix.length).includes('.');
  }
  return false;
}

export const policyIngressTlsHost: Rule = {
  id: 'policy/ingress-tls-host',
  severity: 'error',
  description:
    'Every host an Ingress with TLS routes is covered by one of its TLS entries, and every TLS host is routed.',
  *check(context) {
    for (const ingress of context.ofKind('Ingress', 'networking.k8s.io')) {
      const spec = obj(ingress.spec);
      const tls = arr(spec.tls);
      if (tls.length === 0) continue;
      const tlsHosts = tls
        .flatMap((t) => arr(obj(t).hosts))
        .filter((h): h is string => typeof h === 'string');
      const ruleHosts: string[] = [];
      for (const [r, rule] of arr(spec.rules).entries()) {
        const host = str(obj(rule).host);
        if (!host) continue;
        ruleHosts.push(host);
        if (tlsHosts.some((p) => covers(p, host))) continue;
        yield {
          object: ingress,
          path: joinPath('spec', 'rules', r, 'host'),
          message: `host "${host}" is routed but no tls entry covers it (tls hosts: ${tlsHosts.join(', ') || 'none'}): it is served with Traefik's default self-signed certificate`,
          fix: `add "${host}" to spec.tls[*].hosts (the same spelling as the rule)`,
        };
      }
      for (const [t, entry] of tls.entries()) {
        for (const [h, host] of arr(obj(entry).hosts).entries()) {
          if (typeof host !== 'string' || ruleHosts.some((r) => covers(host, r))) continue;
          yield {
            object: ingress,
            path: joinPath('spec', 'tls', t, 'hosts', h),
            message: `tls host "${host}" matches no rule host (${ruleHosts.join(', ') || 'none'}): a certificate is requested for a name that is never served`,
            fix: 'use the same host in spec.rules[*].host and spec.tls[*].hosts',
          };
        }
      }
    }
  },
};

const ISSUER_ANNOTATIONS = ['cert-manager.io/cluster-issuer', 'cert-manager.io/issuer'];

export const policyCertManagerWithoutTls: Rule = {
  id: 'policy/cert-manager-without-tls',
  severity: 'error',
  description:
    'An Ingress annotated for cert-manager has a tls section with hosts and a secretName, or cert-manager requests no certificate.',
  *check(context) {
    for (const ingress of context.ofKind('Ingress', 'networking.k8s.io')) {
      const annotations = ingress.metadata.annotations ?? {};
      const annotation = ISSUER_ANNOTATIONS.find((a) => annotations[a] !== undefined);
      if (!annotation) continue;
      const tls = arr(obj(ingress.spec).tls);
      if (tls.length === 0) {
        yield {
          object: ingress,
          path: 'spec.tls',
          message: `annotated ${annotation}: ${annotations[annotation]} but has no tls section: cert-manager requests no certificate and HTTPS uses Traefik's default one`,
          fix: 'add spec.tls: [{ hosts: [<the rule host>], secretName: <name> }]',
        };
        continue;
      }
      for (const [t, entry] of tls.entries()) {
        const e = obj(entry);
        if (typeof e.secretName === 'string' && e.secretName !== '' && arr(e.hosts).length > 0)
          continue;
        yield {
          object: ingress,
          path: joinPath(
            'spec',
            'tls',
            t,
            typeof e.secretName === 'string' ? 'hosts' : 'secretName',
          ),
          message:
            'a tls entry without hosts or secretName: cert-manager needs both to issue and store the certificate',
          fix: `set ${joinPath('spec', 'tls', t)}.hosts and .secretName`,
        };
      }
    }
  },
};
