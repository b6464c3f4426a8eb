/**
 * Interleavings of provision, rotate and revoke with crashes (issue 22, "Done when"; the
 * harness and its invariants are in ../support/interleave.ts) against the memory and file
 * stores and the gcp store through the local Secret Manager.
 */
import { interleavingSuite } from '../support/interleave.js';

interleavingSuite(['memory', 'file', 'gcp']);
