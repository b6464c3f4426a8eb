/**
 * kubernetes-models classes, loaded one kind at a time. Importing the packages' root modules
 * loads every schema of every API group (3–4 s); a bundle needs about a dozen kinds (0.4 s).
 *
 * The packages (kubernetes-models 5, @kubernetes-models/* 2+) are ES modules only, exported under
 * the `import` condition alone. Loading stays synchronous (`validate()` is), so each kind's ES
 * module is loaded with `require()` by file path below the package's root (Node 22.12+ loads an
 * ES module without top-level await that way): `require` resolves with the `require` condition,
 * which their `exports` maps do not offer, but `package.json` is exported to both. The `require`
 * is made for this module: from `__filename` in the CommonJS build, from `import.meta.url` in
 * the ES module build (a bare `require` would become esbuild's throwing `__require` shim there).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { isObject } from '../json.js';
import type { ModelClass } from './ajv.js';
import { bundledModel } from './bundled.js';

const load = createRequire(typeof __filename === 'string' ? __filename : import.meta.url);

/** Which package holds the models of an API group. */
function packageOf(group: string): string {
  if (group === 'monitoring.coreos.com') return '@kubernetes-models/prometheus-operator';
  // @kubernetes-models/traefik 2 has traefik.io only (traefik.containo.us left with Traefik 3).
  if (group === 'traefik.io') return '@kubernetes-models/traefik';
  if (group.endsWith('external-secrets.io')) return '@kubernetes-models/external-secrets';
  if (group.endsWith('cert-manager.io')) return '@kubernetes-models/cert-manager';
  return 'kubernetes-models';
}

const roots = new Map<string, string>();

/** The directory of an installed package, found through its exported `package.json`. */
function rootOf(pkg: string): string {
  let root = roots.get(pkg);
  if (root === undefined) {
    root = dirname(load.resolve(`${pkg}/package.json`));
    roots.set(pkg, root);
  }
  return root;
}

/** Requires `file` (a path below the package's root, without `.js`) of package `pkg`. */
function loadFile(pkg: string, file: string): unknown {
  return load(join(rootOf(pkg), `${file}.js`));
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
  const file = `${group === '' ? '' : `${group}/`}${version}/${kind}`;
  try {
    // The builds carry the kinds the bundle holds (bundled-models.ts); others come by path.
    const bundled = bundledModel(`${apiVersion} ${kind}`);
    const loaded = bundled ? bundled() : loadFile(packageOf(group!), file);
    const model = (loaded as Record<string, unknown>)[kind];
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
    '@kubernetes-models/cert-manager',
  ]) {
    collect(loadFile(pkg, 'index'), 0);
  }
  all = found;
  return found;
}
