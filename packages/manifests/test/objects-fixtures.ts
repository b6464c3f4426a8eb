/** Shared fixtures for the config, objects, render and output tests. */
import type { KubeObject, StemeDeploymentConfigInput } from '../src/index.js';

/** The smallest valid config: the two values without a default. */
export const MINIMAL: StemeDeploymentConfigInput = {
  ingress: { host: 'stemedb.threesix.ai' },
  image: { tag: '0.9.0' },
};

/** MINIMAL with some sections replaced (shallow per section). */
export function withConfig(over: Record<string, unknown>): StemeDeploymentConfigInput {
  return { ...MINIMAL, ...over } as StemeDeploymentConfigInput;
}

/** The one object of `kind` (and `name`, if given); throws when there is not exactly one. */
export function pick(objects: readonly KubeObject[], kind: string, name?: string): KubeObject {
  const found = objects.filter((o) => o.kind === kind && (!name || o.metadata.name === name));
  if (found.length !== 1) {
    throw new Error(`expected one ${kind}${name ? `/${name}` : ''}, found ${found.length}`);
  }
  return found[0]!;
}

/** `Kind/name` of every object, in order. */
export function refs(objects: readonly KubeObject[]): string[] {
  return objects.map((o) => `${o.kind}/${o.metadata.name}`);
}

/** The value at a dotted path (`spec.template.spec.containers.0.name`). */
export function at(obj: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], obj);
}
