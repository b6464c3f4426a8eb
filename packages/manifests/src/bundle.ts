/**
 * Every object of the deployment, built from one config: the registered objects
 * (objects/registry.ts) whose condition holds, in the registry's apply order.
 */
import {
  parseConfig,
  type StemeDeploymentConfig,
  type StemeDeploymentConfigInput,
} from './config/index.js';
import { CLUSTER_NAMESPACES } from './defaults.js';
import type { EmittedObject } from './objects/descriptor.js';
import { assertBundleInvariants } from './objects/invariants.js';
import { toKubeObject } from './objects/meta.js';
import { dataVolumes } from './objects/pvc.js';
import { OBJECT_REGISTRY } from './objects/registry.js';
import type { KubeObject } from './types.js';

/**
 * Builds every object from a config (validated here, so a hand-written object is checked
 * too; parsing an already parsed config changes nothing). Throws `ConfigError` for a bad
 * config and `BundleInvariantError` if the objects do not fit together.
 */
export function buildBundle(
  input: StemeDeploymentConfig | StemeDeploymentConfigInput,
): KubeObject[] {
  const c = parseConfig(input);
  const objects: KubeObject[] = [];
  for (const descriptor of OBJECT_REGISTRY) {
    if (!descriptor.when(c)) continue;
    const built = descriptor.build(c);
    if (built === undefined) continue;
    objects.push(...([] as EmittedObject[]).concat(built).map((o) => toKubeObject(o)));
  }
  // The RecurringJob lives in Longhorn's namespace, whatever the install calls it.
  const longhorn = c.backup.enabled && c.backup.method === 'longhorn';
  const elsewhere = longhorn ? [...CLUSTER_NAMESPACES, c.backup.longhorn.namespace] : [];
  const existing = dataVolumes(c).flatMap((v) => (v.existing ? [v.claimName] : []));
  assertBundleInvariants(objects, c.namespace, elsewhere, existing);
  return objects;
}
