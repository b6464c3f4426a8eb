/**
 * Power cuts while a scan's journal is written in two batches (the first fsynced and sent at
 * once, the last fsynced before the seal), with sends under way: the first 16 steps (the
 * journal's, then ack groups), four models of what a cut leaves of unsynced bytes.
 */
import { persistTwoBatches } from './scenarios.js';
import { sweepTests } from './sweep-tests.js';

sweepTests(persistTwoBatches, ['drop', 'torn', 'holes', 'pages']);
