/**
 * A PersistentVolume reserved for a claim (`spec.claimRef`), as the restore's claim swap
 * writes them, binds only if the claim exists and fits it: the same class, no more storage
 * than the PV has, access modes the PV offers, and no `volumeName` naming another PV.
 * Otherwise the PV stays Available and the claim stays Pending, or, worse, is given a new,
 * empty volume by its class's provisioner while the restored data waits unbound. And one
 * backing volume under two PVs would be attached and written by two claims.
 */
import { isQuantity, quantityValue } from '../shared/quantity.js';
import type { KubeObject } from '../types.js';
import { namespaceOf } from '../validate/context.js';
import { arr, obj, str } from '../validate/json.js';
import type { Issue, Rule } from '../validate/rule.js';

const storageOf = (value: unknown): number | undefined => {
  const text = str(value);
  return text !== undefined && isQuantity(text) ? quantityValue(text) : undefined;
};

export const refPersistentVolumeClaim: Rule = {
  id: 'ref/persistent-volume-claim',
  severity: 'error',
  description:
    "A PersistentVolume's claimRef names an emitted PVC that fits it (class, size, access modes, volumeName), a PVC's volumeName names a PV reserved for it or for no claim, and no two PVs share a claim or a backing volume.",
  *check(context) {
    const pvs = context.ofKind('PersistentVolume', '');
    const pvcs = context.ofKind('PersistentVolumeClaim', '');
    const claimed = new Map<string, string>();
    const handles = new Map<string, string>();
    for (const pv of pvs) {
      const spec = obj(pv.spec);
      const csi = obj(spec.csi);
      const handle = str(csi.volumeHandle);
      if (handle !== undefined) {
        const key = `${String(csi.driver)} ${handle}`;
        const twin = handles.get(key);
        if (twin) {
          yield {
            object: pv,
            path: 'spec.csi.volumeHandle',
            message: `volume ${handle} is also the volume of PersistentVolume ${twin}: two claims would attach and write one volume`,
            fix: 'give each PersistentVolume its own volume, or drop one of them',
          };
        } else handles.set(key, pv.metadata.name);
      }
      if (spec.claimRef === undefined) continue;
      yield* claimIssues(pv, pvcs, claimed, context.find.bind(context));
    }
    for (const pvc of pvcs) {
      const volumeName = str(obj(pvc.spec).volumeName);
      const pv =
        volumeName === undefined ? undefined : pvs.find((p) => p.metadata.name === volumeName);
      const ref = obj(obj(pv?.spec).claimRef);
      if (!pv || obj(pv.spec).claimRef === undefined) continue;
      if (ref.name === pvc.metadata.name && ref.namespace === namespaceOf(pvc)) continue;
      yield {
        object: pvc,
        path: 'spec.volumeName',
        message: `names PersistentVolume ${volumeName}, which is reserved for claim ${String(ref.namespace)}/${String(ref.name)}: the claim stays Pending`,
        fix: `point ${volumeName}'s spec.claimRef at ${namespaceOf(pvc)}/${pvc.metadata.name}, or fix volumeName`,
      };
    }
  },
};

/** What keeps `pv` from binding to the claim its claimRef names. */
function* claimIssues(
  pv: KubeObject,
  pvcs: readonly KubeObject[],
  claimed: Map<string, string>,
  find: (kind: string, namespace: string, name: string) => KubeObject | undefined,
): Iterable<Issue> {
  const spec = obj(pv.spec);
  const ref = obj(spec.claimRef);
  const namespace = str(ref.namespace);
  const name = str(ref.name);
  if (namespace === undefined || name === undefined) {
    yield {
      object: pv,
      path: `spec.claimRef.${namespace === undefined ? 'namespace' : 'name'}`,
      message: `claimRef has no ${namespace === undefined ? 'namespace' : 'name'}: it reserves the volume for no claim that can exist`,
      fix: 'set spec.claimRef.namespace and spec.claimRef.name to the claim that should bind it',
    };
    return;
  }
  const key = `${namespace}/${name}`;
  const twin = claimed.get(key);
  if (twin) {
    yield {
      object: pv,
      path: 'spec.claimRef',
      message: `is reserved for claim ${key}, as PersistentVolume ${twin} is: a claim binds one volume, the other stays Available`,
      fix: 'reserve each PersistentVolume for its own claim',
    };
    return;
  }
  claimed.set(key, pv.metadata.name);
  const pvc = find('PersistentVolumeClaim', namespace, name);
  if (!pvc) {
    // Linted alone (no claim in sight), the PV cannot be judged: the claims are elsewhere.
    if (pvcs.length === 0) return;
    yield {
      object: pv,
      path: 'spec.claimRef.name',
      message: `is reserved for claim ${key}, which the bundle does not emit: the volume stays Available and bound to nothing`,
      fix: `emit PersistentVolumeClaim ${name} in ${namespace}, or fix spec.claimRef (claims: ${pvcs.map((p) => `${namespaceOf(p)}/${p.metadata.name}`).join(', ')})`,
    };
    return;
  }
  const claim = obj(pvc.spec);
  const claimClass = str(claim.storageClassName);
  const volumeClass = str(spec.storageClassName);
  if (claimClass !== undefined && claimClass !== (volumeClass ?? '')) {
    yield {
      object: pv,
      path: 'spec.storageClassName',
      message: `has class ${volumeClass ?? '(none)'}, claim ${key} asks for ${claimClass}: they never bind, and the claim's class may provision it a new, empty volume`,
      fix: `set spec.storageClassName: ${claimClass}`,
    };
  }
  const has = storageOf(obj(spec.capacity).storage);
  const wants = storageOf(obj(obj(claim.resources).requests).storage);
  if (has !== undefined && wants !== undefined && has < wants) {
    yield {
      object: pv,
      path: 'spec.capacity.storage',
      message: `holds ${String(obj(spec.capacity).storage)}, less than the ${String(obj(obj(claim.resources).requests).storage)} claim ${key} requests: they never bind`,
      fix: "give the PersistentVolume the claim's size (the volume's real size)",
    };
  }
  const offered = arr(spec.accessModes);
  const missing = arr(claim.accessModes).filter((m) => !offered.includes(m));
  if (missing.length > 0) {
    yield {
      object: pv,
      path: 'spec.accessModes',
      message: `does not offer ${missing.map(String).join(', ')}, which claim ${key} asks for: they never bind`,
      fix: `add ${missing.map(String).join(', ')} to spec.accessModes`,
    };
  }
  const volumeName = str(claim.volumeName);
  if (volumeName !== undefined && volumeName !== pv.metadata.name) {
    yield {
      object: pv,
      path: 'spec.claimRef',
      message: `is reserved for claim ${key}, whose spec.volumeName is ${volumeName}: the claim binds that one, this volume stays Available`,
      fix: `set the claim's spec.volumeName to ${pv.metadata.name}, or fix spec.claimRef`,
    };
  }
}
