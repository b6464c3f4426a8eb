/**
 * Power cuts across persist (a one-batch journal), an outage, compaction, a flush that
 * finishes the scan and the deletion of its journal: every step, four models of what a cut
 * leaves of unsynced bytes (harness.ts, sweep-tests.ts). About 3 s a model.
 */
import { persistOutageFlush } from './scenarios.js';
import { sweepTests } from './sweep-tests.js';

sweepTests(persistOutageFlush, ['drop', 'torn', 'holes', 'pages']);
