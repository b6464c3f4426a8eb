/**
 * TLS of the public routes. An Ingress rule host no TLS entry covers is served with Traefik's
 * default self-signed certificate (clients fail the handshake); a cert-manager issuer annotation
 * without a `tls` section (or without a secretName) requests no certificate at all. A Traefik
 * IngressRoute names only a TLS secret: when a cert-manager Certificate writes that secret, its
 * dnsNames must cover every `Host(...)` the routes match, or those hosts get a certificate for
 * another name.
 */
import type { KubeObject } from '../types.js';
import { apiGroup, namespaceOf, type RuleContext } from '../validate/context.js';
import { arr, obj, str } from '../validate/json.js';
import { joinPath } from '../validate/paths.js';
import type { Issue, Rule } from '../validate/rule.js';
import { ruleHosts } from '../validate/traefik-rule.js';

/** Does TLS host `pattern` (possibly `*.domain`) cover `host`? */
export function covers(pattern: string, host: string): boolean {
  if (pattern === host) return true;
  if (pattern.startsWith('*.')) {
    const suffix = pattern.slice(1);
    return host.endsWith(suffix) && !host.slice(0, -suffix.length).includes('.');
  }
  return false;
}

/** The names a cert-manager Certificate is issued for: its dnsNames and commonName. */
function certificateNames(certificate: KubeObject): string[] {
  const spec = obj(certificate.spec);
  return [...arr(spec.dnsNames), spec.commonName].filter((n): n is string => typeof n === 'string');
}

/**
 * The IngressRoutes whose TLS secret a cert-manager Certificate of the bundle writes: each
 * routed host the Certificate does not cover, and each of its dnsNames no route serves. A secret
 * no Certificate writes comes from the cluster; there is nothing to compare it with.
 */
function* ingressRouteTlsIssues(context: RuleContext): Iterable<Issue> {
  const certificates = context.ofKind('Certificate', 'cert-manager.io');
  const routes = context
    .ofKind('IngressRoute')
    .filter((route) => apiGroup(route.apiVersion) === 'traefik.io');
  const writers = (route: KubeObject, secretName: string) =>
    certificates.filter(
      (c) => namespaceOf(c) === namespaceOf(route) && obj(c.spec).secretName === secretName,
    );
  // Per Certificate, the hosts the routes that serve its secret match (undefined: unreadable).
  const served = new Map<KubeObject, string[] | undefined>();
  for (const route of routes) {
    const spec = obj(route.spec);
    const secretName = str(obj(spec.tls).secretName);
    if (!secretName) continue;
    const certs = writers(route, secretName);
    if (certs.length === 0) continue;
    const names = certs.flatMap(certificateNames);
    for (const [r, rt] of arr(spec.routes).entries()) {
      const hosts = ruleHosts(str(obj(rt).match) ?? '');
      for (const cert of certs) {
        const known = served.has(cert) ? served.get(cert) : [];
        served.set(cert, hosts && known ? [...known, ...hosts] : undefined);
      }
      for (const host of hosts ?? []) {
        if (names.some((pattern) => covers(pattern, host))) continue;
        yield {
          object: route,
          path: joinPath('spec', 'routes', r, 'match'),
          message: `host "${host}" is served with TLS secret "${secretName}", which Certificate ${certs.map((c) => c.metadata.name).join(', ')} writes for ${names.join(', ') || 'no name'}: clients get a certificate for another name and fail the handshake`,
          fix: `add "${host}" to spec.dnsNames of Certificate ${certs[0]!.metadata.name}`,
        };
      }
    }
  }
  for (const [cert, hosts] of served) {
    if (!hosts) continue;
    for (const [i, name] of arr(obj(cert.spec).dnsNames).entries()) {
      if (typeof name !== 'string' || hosts.some((host) => covers(name, host))) continue;
      yield {
        object: cert,
        path: joinPath('spec', 'dnsNames', i),
        message: `dnsName "${name}" matches no Host() of the IngressRoutes that serve secret ${String(obj(cert.spec).secretName)} (${hosts.join(', ') || 'none'}): a certificate is requested for a name that is never served`,
        fix: 'use the same host in the IngressRoute match and the Certificate dnsNames',
      };
    }
  }
}

export const policyIngressTlsHost: Rule = {
  id: 'policy/ingress-tls-host',
  severity: 'error',
  description:
    "Every host an Ingress with TLS routes is covered by one of its TLS entries, and every TLS host is routed; every Host() an IngressRoute's TLS secret serves is in the dnsNames of the Certificate that writes the secret, and every dnsName is routed.",
  *check(context) {
    yield* ingressRouteTlsIssues(context);
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
