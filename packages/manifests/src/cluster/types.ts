/**
 * Types that more than one cluster module needs: what an apply returns is both `applyObjects`'s
 * result and what a ClusterError says was done before it, so neither module imports the other.
 */
import type { KubeObject } from '../types.js';

/** One object applied: what `applyObjects` returns per object, in apply order. */
export interface ApplyResult {
  /** `Kind/namespace/name`. */
  ref: string;
  /**
   * `created` when the apply made the object (HTTP 201), else `configured`; `pruned` for a
   * member of the ApplySet deleted because it is no longer rendered.
   */
  action: 'created' | 'configured' | 'pruned';
  dryRun: boolean;
  /** The object as the server returned it (pruned: as it was listed before the delete). */
  object: KubeObject;
}
