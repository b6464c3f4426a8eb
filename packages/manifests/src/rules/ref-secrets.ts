/**
 * Every Secret a pod mounts or reads, and every TLS secret an Ingress or IngressRoute serves, is produced by
 * something the bundle emits: a Secret, an ExternalSecret (ESO writes its target), a
 * cert-manager Certificate, or an Ingress that cert-manager issues for. A missing one leaves
 * the pod in ContainerCreating / CreateContainerConfigError, and a backup job that never runs.
 * Keys are checked too, where the producer's keys are known.
 */
import type { KubeObject } from '../types.js';
import type { RuleContext } from '../validate/context.js';
import { namespaceOf } from '../validate/context.js';
import { arr, obj, str } from '../validate/json.js';
import { joinPath } from '../validate/paths.js';
import type { Rule } from '../validate/rule.js';

/** A Secret something in the bundle produces, and its keys when they are known. */
interface Producer {
  by: string;
  keys: Set<string> | undefined;
}

const CERT_MANAGER = ['cert-manager.io/cluster-issuer', 'cert-manager.io/issuer'];

function producers(context: RuleContext): Map<string, Producer> {
  const out = new Map<string, Producer>();
  const add = (namespace: string, name: unknown, producer: Producer) => {
    if (typeof name === 'string' && name !== '') out.set(`${namespace}/${name}`, producer);
  };
  for (const o of context.objects) {
    const spec = obj(o.spec);
    const ns = namespaceOf(o);
    if (o.kind === 'Secret') {
      add(ns, o.metadata.name, {
        by: 'Secret',
        keys: new Set([...Object.keys(obj(o.data)), ...Object.keys(obj(o.stringData))]),
      });
    } else if (o.kind === 'ExternalSecret') {
      const target = obj(spec.target);
      const template = obj(target.template);
      const dataKeys = arr(spec.data)
        .map((d) => str(obj(d).secretKey))
        .filter((k): k is string => !!k);
      const templated = Object.keys(obj(template.data));
      // With a template, the Secret holds the templated keys (plus the data keys only with
      // mergePolicy Merge); dataFrom and templateFrom make the keys unknowable here.
      const unknowable = arr(spec.dataFrom).length > 0 || arr(template.templateFrom).length > 0;
      const keys =
        templated.length > 0
          ? template.mergePolicy === 'Merge'
            ? [...templated, ...dataKeys]
            : templated
          : dataKeys;
      add(ns, target.name ?? o.metadata.name, {
        by: `ExternalSecret ${o.metadata.name}`,
        keys: unknowable ? undefined : new Set(keys),
      });
    } else if (o.kind === 'Certificate') {
      add(ns, spec.secretName, {
        by: `Certificate ${o.metadata.name}`,
        keys: new Set(['tls.crt', 'tls.key', 'ca.crt']),
      });
    } else if (
      o.kind === 'Ingress' &&
      CERT_MANAGER.some((a) => o.metadata.annotations?.[a] !== undefined)
    ) {
      for (const tls of arr(spec.tls)) {
        add(ns, obj(tls).secretName, {
          by: `cert-manager (Ingress ${o.metadata.name})`,
          keys: new Set(['tls.crt', 'tls.key', 'ca.crt']),
        });
      }
    }
  }
  for (const existing of context.options.existingSecrets) {
    out.set(existing.includes('/') ? existing : `*/${existing}`, {
      by: 'the cluster (existingSecrets)',
      keys: undefined,
    });
  }
  return out;
}

/** A reference to a Secret, with the key it needs when it needs one. */
interface SecretUse {
  object: KubeObject;
  namespace: string;
  name: string;
  key: string | undefined;
  path: string;
  what: string;
}

function* uses(context: RuleContext): Iterable<SecretUse> {
  for (const w of context.workloads) {
    const base = { object: w.object, namespace: w.namespace };
    for (const [v, volume] of arr(w.pod.volumes).entries()) {
      const secret = obj(obj(volume).secret);
      if (typeof secret.secretName === 'string' && secret.optional !== true) {
        const path = joinPath(w.podPath, 'volumes', v, 'secret', 'secretName');
        const items = arr(secret.items).map((i) => str(obj(i).key));
        if (items.length === 0)
          yield { ...base, name: secret.secretName, key: undefined, path, what: 'mounts' };
        for (const key of items)
          yield { ...base, name: secret.secretName, key, path, what: 'mounts' };
      }
      for (const [s, source] of arr(obj(obj(volume).projected).sources).entries()) {
        const secretSource = obj(obj(source).secret);
        if (typeof secretSource.name !== 'string' || secretSource.optional === true) continue;
        const path = joinPath(w.podPath, 'volumes', v, 'projected', 'sources', s, 'secret', 'name');
        yield { ...base, name: secretSource.name, key: undefined, path, what: 'mounts' };
      }
    }
    for (const [i, ref] of arr(w.pod.imagePullSecrets).entries()) {
      const name = obj(ref).name;
      if (typeof name === 'string') {
        yield {
          ...base,
          name,
          key: undefined,
          path: joinPath(w.podPath, 'imagePullSecrets', i, 'name'),
          what: 'pulls images with',
        };
      }
    }
    for (const c of w.containers) {
      for (const [e, env] of arr(c.container.env).entries()) {
        const ref = obj(obj(obj(env).valueFrom).secretKeyRef);
        if (typeof ref.name !== 'string' || ref.optional === true) continue;
        const path = joinPath(c.path, 'env', e, 'valueFrom', 'secretKeyRef');
        yield {
          ...base,
          name: ref.name,
          key: str(ref.key),
          path,
          what: `reads (env ${String(obj(env).name)})`,
        };
      }
      for (const [e, from] of arr(c.container.envFrom).entries()) {
        const ref = obj(obj(from).secretRef);
        if (typeof ref.name !== 'string' || ref.optional === true) continue;
        yield {
          ...base,
          name: ref.name,
          key: undefined,
          path: joinPath(c.path, 'envFrom', e, 'secretRef', 'name'),
          what: 'reads (envFrom)',
        };
      }
    }
  }
  for (const ingress of context.ofKind('Ingress', 'networking.k8s.io')) {
    for (const [t, tls] of arr(obj(ingress.spec).tls).entries()) {
      const name = obj(tls).secretName;
      if (typeof name !== 'string') continue;
      const path = joinPath('spec', 'tls', t, 'secretName');
      yield {
        object: ingress,
        namespace: namespaceOf(ingress),
        name,
        key: undefined,
        path,
        what: 'serves TLS from',
      };
    }
  }
  for (const route of context.ofKind('IngressRoute')) {
    const name = obj(obj(route.spec).tls).secretName;
    if (typeof name !== 'string') continue;
    yield {
      object: route,
      namespace: namespaceOf(route),
      name,
      key: undefined,
      path: 'spec.tls.secretName',
      what: 'serves TLS from',
    };
  }
}

function lookup(all: Map<string, Producer>, use: SecretUse): Producer | undefined {
  return all.get(`${use.namespace}/${use.name}`) ?? all.get(`*/${use.name}`);
}

export const refSecretNotProduced: Rule = {
  id: 'ref/secret-not-produced',
  severity: 'error',
  description:
    'Every Secret a pod mounts or reads (and every Ingress TLS secret) is produced by an emitted Secret, ExternalSecret or certificate.',
  *check(context) {
    const all = producers(context);
    const seen = new Set<string>();
    for (const use of uses(context)) {
      if (lookup(all, use)) continue;
      const key = `${use.object.kind}/${use.object.metadata.name}/${use.path}`;
      if (seen.has(key)) continue;
      seen.add(key);
      yield {
        object: use.object,
        path: use.path,
        message: `${use.what} Secret "${use.name}", which nothing in the bundle produces: ${
          use.object.kind === 'Ingress' || use.object.kind === 'IngressRoute'
            ? 'Traefik serves its default self-signed certificate'
            : use.what.startsWith('pulls')
              ? 'image pulls from a private registry fail (ImagePullBackOff)'
              : 'the pod never starts (ContainerCreating / CreateContainerConfigError)'
        }`,
        fix: `emit an ExternalSecret with target.name "${use.name}" (from Secret Manager), or list it in validate's existingSecrets if the cluster provides it`,
      };
    }
  },
};

export const refSecretKeyMissing: Rule = {
  id: 'ref/secret-key-missing',
  severity: 'error',
  description:
    'Every key a pod reads from a Secret is one its producer writes (ExternalSecret data/template keys, Secret data).',
  *check(context) {
    const all = producers(context);
    for (const use of uses(context)) {
      if (use.key === undefined) continue;
      const producer = lookup(all, use);
      if (!producer?.keys || producer.keys.has(use.key)) continue;
      yield {
        object: use.object,
        path: use.path,
        message: `reads key "${use.key}" of Secret "${use.name}", but ${producer.by} writes only ${[...producer.keys].map((k) => `"${k}"`).join(', ') || 'no keys'}: CreateContainerConfigError`,
        fix: `use one of those keys, or add "${use.key}" to ${producer.by}`,
      };
    }
  },
};
