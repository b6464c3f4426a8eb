/**
 * `@stemedb/manifests/cluster`: diff and apply against a live cluster. The one entry point that
 * loads @kubernetes/client-node, which costs more to load than everything else in the package;
 * the main entry point (`@stemedb/manifests`) never imports it, so rendering and validating stay
 * fast. ClusterError is the same class from either entry point.
 *
 * @module \@stemedb/manifests/cluster
 */

export { type ApplyOptions, type ApplyProgress, applyObjects } from './apply.js';
export {
  APPLYSET_GROUP_KINDS_ANNOTATION,
  APPLYSET_ID_LABEL,
  APPLYSET_NAMESPACES_ANNOTATION,
  APPLYSET_PART_OF_LABEL,
  APPLYSET_TOOLING_ANNOTATION,
  type ApplySetRef,
  applySetId,
  DEFAULT_APPLYSET_NAME,
} from './applyset.js';
export { type DiffOptions, type DiffResult, diffObjects } from './diff.js';
export { ClusterError, type ClusterErrorCode, isClusterError, type StatusCause } from './errors.js';
export { type KubeConfigSource, loadKubeConfig } from './kubeconfig.js';
export type { ClusterOptions } from './session.js';
export type { ApplyResult } from './types.js';
