/**
 * Interleavings of provision, rotate and revoke with crashes (issue 22, "Done when"; the
 * harness and its invariants are in ../support/interleave.ts) against the k8s store through the
 * Kubernetes API double: Secrets by server-side apply, the run lease a coordination.k8s.io
 * Lease. A file of its own, so that each file stays well within the time a test file may take.
 */
import { interleavingSuite } from '../support/interleave.js';

interleavingSuite(['k8s']);
