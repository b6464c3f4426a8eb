/**
 * kubernetes-models classes, loaded one kind at a time. Importing the packages' root modules
 * loads every schema of every API group (3–4 s); a bundle needs about a dozen kinds (0.4 s).
 * Loading is synchronous (`validate()` is), so it goes through a `require` made for this
 * module: from `__filename` in the CommonJS build, from `import.meta.url` in the ES module build
 * (a bare `require` would become esbuild's throwing `__require` shim there).
 */
import { createRequire } from 'node:module';
import { isObject } from '../json.js';
import type { ModelClass } from './ajv.js';
import { bundledModels } from './bundled-models.js';

const load = createRequire(typeof __filename === 'string' ? __filename : import.meta.url);

/** Which package holds the models of an API group. */
function packageOf(group: string): string {
  if (group === 'monitoring.coreos.com') return '@kubernetes-models/prometheus-operator';
  if (group === 'traefik.io' || group === 'traefik.containo.us')
    return '@kubernetes-models/traefik';
  if (group.endsWith('external-secrets.io')) return '@kubernetes-models/external-secrets';
  return 'kubernetes-models';
}

const GROUP = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;
const VERSION = /^v\d+(?:(alpha|beta)\d+)?$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;

function isModelClass(value: unknown): value is ModelClass {
  if (typeof value !== 'function') return false;
  const candidate = value as unknown as Partial<ModelClass>;
  return (
    typeof candidate.apiVersion === 'string' &&
    typeof candidate.kind === 'string' &&
    typeof candidate.prototype?.validate === 'function'
  );
}

/** The model class of `apiVersion`/`kind`, or undefined when no package has one. */
export function loadModel(apiVersion: string, kind: string): ModelClass | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  if ((group !== '' && !GROUP.test(group!)) || !VERSION.test(version ?? '') || !KIND.test(kind))
    return undefined;
  const path = `${packageOf(group!)}/${group === '' ? '' : `${group}/`}${version}/${kind}`;
  try {
    // The CLI build carries the kinds `render` emits (bundled-models.ts); others come by path.
    const bundled = bundledModels?.[`${apiVersion} ${kind}`];
    const model = ((bundled ? bundled() : load(path)) as Record<string, unknown>)[kind];
    return isModelClass(model) && model.apiVersion === apiVersion && model.kind === kind
      ? model
      : undefined;
  } catch {
    return undefined; // No such module: an apiVersion/kind no package knows.
  }
}

let all: Map<string, ModelClass> | undefined;

/** Every model of every package, keyed `apiVersion kind`. Slow (seconds): for hints only. */
export function allModels(): Map<string, ModelClass> {
  if (all) return all;
  const found = new Map<string, ModelClass>();
  const collect = (namespace: unknown, depth: number): void => {
    if (depth > 4 || !isObject(namespace)) return;
    for (const value of Object.values(namespace)) {
      if (isModelClass(value)) found.set(`${value.apiVersion} ${value.kind}`, value);
      else collect(value, depth + 1);
    }
  };
  for (const pkg of [
    'kubernetes-models',
    '@kubernetes-models/prometheus-operator',
    '@kubernetes-models/traefik',
    '@kubernetes-models/external-secrets',
  ]) {
    collect(load(pkg), 0);
  }
  all = found;
  return found;
}
