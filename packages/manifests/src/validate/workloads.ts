/**
 * Every pod template in a bundle, wherever its kind keeps it, so that pod rules are written
 * once: Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job and CronJob.
 */
import type { KubeObject } from '../types.js';
import { arr, at, isObject, type Json, obj, str, strMap } from './json.js';
import { joinPath } from './paths.js';

/** One container of a pod template. */
export interface ContainerRef {
  container: Json;
  name: string;
  /** Path of the container, e.g. `spec.template.spec.containers[0]`. */
  path: string;
  init: boolean;
}

/** One pod template and the object that holds it. */
export interface Workload {
  object: KubeObject;
  kind: string;
  namespace: string;
  /** Path of the pod spec, e.g. `spec.template.spec`. */
  podPath: string;
  pod: Json;
  /** Labels of the pods it makes. */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Pods it keeps running (1 when unset); undefined for Jobs and DaemonSets. */
  replicas: number | undefined;
  containers: ContainerRef[];
}

/** A PVC a pod template mounts. */
export interface ClaimVolume {
  volumeName: string;
  claimName: string;
  /** Path of the volume entry. */
  path: string;
  readOnly: boolean;
}

const TEMPLATE_PATHS: Record<string, readonly string[]> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

const REPLICATED = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController']);

/** The pod template of `object`, if its kind has one. */
export function workloadOf(object: KubeObject): Workload | undefined {
  const namespace = object.metadata?.namespace ?? 'default';
  let templateSegments: readonly string[];
  let template: Json;
  if (object.kind === 'Pod') {
    templateSegments = [];
    template = object as Json;
  } else {
    const segments = TEMPLATE_PATHS[object.kind];
    if (!segments || !isObject(at(object, segments))) return undefined;
    templateSegments = segments;
    template = obj(at(object, segments));
  }
  const podPath = joinPath('', ...templateSegments, 'spec');
  const pod = obj(template.spec);
  const meta = obj(template.metadata);
  const containers: ContainerRef[] = [];
  for (const [field, init] of [
    ['initContainers', true],
    ['containers', false],
  ] as const) {
    arr(pod[field]).forEach((container, index) => {
      if (!isObject(container)) return;
      containers.push({
        container,
        name: str(container.name) ?? `#${index}`,
        path: joinPath(podPath, field, index),
        init,
      });
    });
  }
  const spec = obj(object.spec);
  return {
    object,
    kind: object.kind,
    namespace,
    podPath,
    pod,
    labels: strMap(meta.labels),
    annotations: strMap(meta.annotations),
    replicas: REPLICATED.has(object.kind)
      ? typeof spec.replicas === 'number'
        ? spec.replicas
        : 1
      : undefined,
    containers,
  };
}

/** The PVCs a pod template mounts (volumes of type `persistentVolumeClaim`). */
export function claimVolumes(workload: Workload): ClaimVolume[] {
  const out: ClaimVolume[] = [];
  arr(workload.pod.volumes).forEach((volume, index) => {
    const v = obj(volume);
    const claim = obj(v.persistentVolumeClaim);
    const claimName = str(claim.claimName);
    if (!claimName) return;
    out.push({
      volumeName: str(v.name) ?? '',
      claimName,
      path: joinPath(workload.podPath, 'volumes', index, 'persistentVolumeClaim', 'claimName'),
      readOnly: claim.readOnly === true,
    });
  });
  return out;
}

/** The value of env var `name` on a container, when set literally. */
export function envValue(container: Json, name: string): string | undefined {
  for (const entry of arr(container.env)) {
    const e = obj(entry);
    if (e.name === name) return str(e.value);
  }
  return undefined;
}
