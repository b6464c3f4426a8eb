/**
 * Traefik middlewares named by an Ingress annotation
 * (`traefik.ingress.kubernetes.io/router.middlewares: <namespace>-<name>@kubernetescrd`) or an
 * IngressRoute must exist as a Middleware Traefik v3 reads (traefik.io). Otherwise Traefik
 * drops the whole router: the site returns 404, and the rate limit it was meant to add is gone.
 */
import type { KubeObject } from '../types.js';
import { apiGroup, namespaceOf } from '../validate/context.js';
import { arr, obj } from '../validate/json.js';
import { joinPath } from '../validate/paths.js';
import type { Rule } from '../validate/rule.js';

export const MIDDLEWARE_ANNOTATION = 'traefik.ingress.kubernetes.io/router.middlewares';

const served = (m: KubeObject) => apiGroup(m.apiVersion) === 'traefik.io';

export const refIngressMiddleware: Rule = {
  id: 'ref/ingress-middleware',
  severity: 'error',
  description:
    'Every Traefik middleware an Ingress or IngressRoute names is an emitted traefik.io Middleware.',
  *check(context) {
    const middlewares = context.ofKind('Middleware');
    const annotationPath = `metadata.annotations["${MIDDLEWARE_ANNOTATION}"]`;
    for (const ingress of context.ofKind('Ingress', 'networking.k8s.io')) {
      const value = ingress.metadata.annotations?.[MIDDLEWARE_ANNOTATION];
      if (typeof value !== 'string') continue;
      for (const raw of value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)) {
        const [ref = '', provider] = raw.split('@');
        if (provider !== undefined && provider !== 'kubernetescrd') continue; // @file etc.: not ours.
        if (provider === undefined) {
          yield {
            object: ingress,
            path: annotationPath,
            message: `middleware "${raw}" has no provider: from an Ingress, Traefik finds CRD middlewares only as <namespace>-<name>@kubernetescrd`,
            fix: `write "${ref}@kubernetescrd"`,
          };
          continue;
        }
        const matches = middlewares.filter((m) => `${namespaceOf(m)}-${m.metadata.name}` === ref);
        if (matches.some(served)) continue;
        const stale = matches[0];
        yield {
          object: ingress,
          path: annotationPath,
          message: stale
            ? `middleware "${raw}" is emitted only as ${stale.apiVersion}, which Traefik v3 does not read: the router is dropped (404)`
            : `middleware "${raw}" names no emitted Middleware (${middlewares.map((m) => `${namespaceOf(m)}-${m.metadata.name}@kubernetescrd`).join(', ') || 'none emitted'}): Traefik drops the router (404)`,
          fix: stale
            ? `emit Middleware ${stale.metadata.name} as apiVersion: traefik.io/v1alpha1`
            : 'emit the Middleware (traefik.io/v1alpha1), or reference it as <namespace>-<name>@kubernetescrd',
        };
      }
    }
    for (const route of context.ofKind('IngressRoute')) {
      for (const [r, rt] of arr(obj(route.spec).routes).entries()) {
        for (const [i, m] of arr(obj(rt).middlewares).entries()) {
          const name = obj(m).name;
          const namespace = (obj(m).namespace as string | undefined) ?? namespaceOf(route);
          if (
            middlewares.some(
              (mw) => served(mw) && mw.metadata.name === name && namespaceOf(mw) === namespace,
            )
          )
            continue;
          yield {
            object: route,
            path: joinPath('spec', 'routes', r, 'middlewares', i),
            message: `middleware ${namespace}/${String(name)} is not emitted as a traefik.io Middleware`,
            fix: 'emit it (traefik.io/v1alpha1) or fix the name and namespace',
          };
        }
      }
    }
  },
};
