/**
 * Interleavings of provision, rotate and revoke with crashes (issue 22, "Done when"; the
 * harness and its invariants are in ../support/interleave.ts) against the k8s store through the
 * Kubernetes API double: Secrets by server-side apply, the run lease a coordination.k8s.io
 * Lease. A file of its own, so that each file stays well within the time a test file may take.
 */
import { interleavingSuite } from '../support/interleave.js';

// More runs than the other stores' 6 (twice as many): a run here costs about what a gcp run does now that the
// invariant reads the API double's state directly, and the file's fixed cost (loading
// client-node) is paid once.
interleavingSuite(['k8s'], 12);
