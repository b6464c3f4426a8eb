/**
 * Placeholders copied from a template and never filled in: `stemedb.yourdomain.com`,
 * `<REGISTRY>/…`. A placeholder host gets no certificate and no traffic; a placeholder image
 * never pulls. Both fail only after deploy, so they are caught before.
 */
import { PLACEHOLDER_HOST } from '../defaults.js';
import type { KubeObject } from '../types.js';
import { arr, obj } from '../validate/json.js';
import { formatPath, joinPath, type PathSegment } from '../validate/paths.js';
import type { Issue, Rule } from '../validate/rule.js';

/** Template leftovers in any other string. */
const PLACEHOLDER_VALUE =
  /(<[A-Z][A-Z0-9_-]*>|\byour[-_]?(domain|bucket|project|cluster|registry|org|company|email)\b|\bchange[-_]?me\b|\breplace[-_]?me\b|\bTODO\b|\bFIXME\b)/i;

/** Every host name an object routes or requests a certificate for, with its path. */
export function hostsOf(object: KubeObject): { host: string; path: string }[] {
  const spec = obj(object.spec);
  const out: { host: string; path: string }[] = [];
  if (object.kind === 'Ingress') {
    arr(spec.rules).forEach((rule, r) => {
      const host = obj(rule).host;
      if (typeof host === 'string') out.push({ host, path: joinPath('spec', 'rules', r, 'host') });
    });
    arr(spec.tls).forEach((tls, t) => {
      arr(obj(tls).hosts).forEach((host, h) => {
        if (typeof host === 'string')
          out.push({ host, path: joinPath('spec', 'tls', t, 'hosts', h) });
      });
    });
  } else if (object.kind === 'IngressRoute') {
    arr(spec.routes).forEach((route, r) => {
      const match = String(obj(route).match ?? '');
      for (const m of match.matchAll(/Host(?:SNI)?\(([^)]*)\)/g)) {
        for (const host of (m[1] ?? '').matchAll(/`([^`]*)`/g)) {
          out.push({ host: host[1] ?? '', path: joinPath('spec', 'routes', r, 'match') });
        }
      }
    });
  } else if (object.kind === 'Certificate') {
    arr(spec.dnsNames).forEach((host, h) => {
      if (typeof host === 'string') out.push({ host, path: joinPath('spec', 'dnsNames', h) });
    });
  }
  return out;
}

export const policyPlaceholderHost: Rule = {
  id: 'policy/placeholder-host',
  severity: 'error',
  description:
    'No Ingress, IngressRoute or Certificate names a placeholder host (yourdomain.com, example.com, <HOST>).',
  *check(context) {
    for (const object of context.objects) {
      for (const { host, path } of hostsOf(object)) {
        if (!PLACEHOLDER_HOST.test(host)) continue;
        yield {
          object,
          path,
          message: `host "${host}" is a placeholder: no DNS record points it here and no certificate can be issued for it`,
          fix: 'set the real public host name (e.g. stemedb.threesix.ai), the same in the rules and in tls',
        };
      }
    }
  },
};

/** Strings to skip: scripts (they legitimately hold `<`, `$`) and secret templates. */
const SKIP =
  /(^|\.)(command|args)(\[|$)|^spec\.target\.template\.data|^spec\.rules|^spec\.tls|^spec\.routes|^spec\.dnsNames/;

function* strings(
  node: unknown,
  segments: PathSegment[],
): Iterable<{ value: string; path: string }> {
  if (typeof node === 'string') {
    yield { value: node, path: formatPath(segments) };
  } else if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) yield* strings(item, [...segments, i]);
  } else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) yield* strings(value, [...segments, key]);
  }
}

export const policyPlaceholderValue: Rule = {
  id: 'policy/placeholder-value',
  severity: 'error',
  description: 'No value is a template placeholder (<REGISTRY>, your-bucket, changeme, TODO).',
  *check(context) {
    for (const object of context.objects) {
      for (const { value, path } of strings(object, [])) {
        if (SKIP.test(path)) continue;
        const match = PLACEHOLDER_VALUE.exec(value);
        if (!match) continue;
        const issue: Issue = {
          object,
          path,
          message: `"${value}" contains the placeholder "${match[0]}"`,
          fix: 'replace the placeholder with the real value (set it through the deployment config)',
        };
        yield issue;
      }
    }
  },
};
