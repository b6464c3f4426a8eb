/**
 * Volumes a pod needs: each volumeMount names a volume of the pod (the API server rejects it
 * otherwise), and each PersistentVolumeClaim or ConfigMap a volume names is emitted (the pod
 * otherwise waits in Pending / ContainerCreating).
 */
import { namespaceOf } from '../validate/context.js';
import { arr, obj } from '../validate/json.js';
import { joinPath } from '../validate/paths.js';
import type { Rule } from '../validate/rule.js';
import { claimVolumes } from '../validate/workloads.js';

export const refVolumeMount: Rule = {
  id: 'ref/volume-mount',
  severity: 'error',
  description: "Every container volumeMount names one of the pod's volumes.",
  *check(context) {
    for (const w of context.workloads) {
      const names = new Set(arr(w.pod.volumes).map((v) => obj(v).name));
      for (const c of w.containers) {
        for (const [m, mount] of arr(c.container.volumeMounts).entries()) {
          const name = obj(mount).name;
          if (names.has(name)) continue;
          yield {
            object: w.object,
            path: joinPath(c.path, 'volumeMounts', m, 'name'),
            message: `mounts volume "${String(name)}", which the pod does not define`,
            fix: `add it to ${joinPath(w.podPath, 'volumes')} or fix the name (volumes: ${[...names].map(String).join(', ') || 'none'})`,
          };
        }
      }
    }
  },
};

export const refPvcNotProduced: Rule = {
  id: 'ref/pvc-not-produced',
  severity: 'error',
  description:
    'Every PersistentVolumeClaim a pod mounts is emitted in its namespace, or declared existing (existingClaims).',
  *check(context) {
    const existing = new Set(context.options.existingClaims);
    for (const w of context.workloads) {
      for (const claim of claimVolumes(w)) {
        if (context.find('PersistentVolumeClaim', w.namespace, claim.claimName)) continue;
        // Declared to exist already (a claim taken over): only that way may one be missing.
        if (existing.has(`${w.namespace}/${claim.claimName}`) || existing.has(claim.claimName)) {
          continue;
        }
        yield {
          object: w.object,
          path: claim.path,
          message: `mounts PersistentVolumeClaim "${claim.claimName}", which the bundle does not emit in namespace ${w.namespace}: the pod stays Pending`,
          fix: 'emit the PersistentVolumeClaim, fix claimName, or declare it existing (storage.volumes.existingClaim; lint --existing-claim)',
        };
      }
    }
  },
};

export const refConfigmapNotProduced: Rule = {
  id: 'ref/configmap-not-produced',
  severity: 'error',
  description:
    'Every ConfigMap a pod mounts or reads (unless optional) is emitted in its namespace.',
  *check(context) {
    for (const w of context.workloads) {
      const refs: { name: unknown; path: string }[] = [];
      arr(w.pod.volumes).forEach((v, i) => {
        const cm = obj(obj(v).configMap);
        if (cm.name !== undefined && cm.optional !== true)
          refs.push({
            name: cm.name,
            path: joinPath(w.podPath, 'volumes', i, 'configMap', 'name'),
          });
      });
      for (const c of w.containers) {
        arr(c.container.env).forEach((e, i) => {
          const ref = obj(obj(obj(e).valueFrom).configMapKeyRef);
          if (ref.name !== undefined && ref.optional !== true)
            refs.push({
              name: ref.name,
              path: joinPath(c.path, 'env', i, 'valueFrom', 'configMapKeyRef', 'name'),
            });
        });
        arr(c.container.envFrom).forEach((e, i) => {
          const ref = obj(obj(e).configMapRef);
          if (ref.name !== undefined && ref.optional !== true)
            refs.push({
              name: ref.name,
              path: joinPath(c.path, 'envFrom', i, 'configMapRef', 'name'),
            });
        });
      }
      for (const ref of refs) {
        if (
          typeof ref.name !== 'string' ||
          context.find('ConfigMap', namespaceOf(w.object), ref.name)
        )
          continue;
        yield {
          object: w.object,
          path: ref.path,
          message: `uses ConfigMap "${ref.name}", which the bundle does not emit: the pod cannot start`,
          fix: 'emit the ConfigMap, fix the name, or mark the reference optional',
        };
      }
    }
  },
};
