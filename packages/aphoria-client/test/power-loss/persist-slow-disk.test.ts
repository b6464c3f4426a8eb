/**
 * Power cuts across persist on a slow disk: writes reach the server while the journal's later
 * fsyncs still run, so only its first fsyncs (the batch, then its directory entry) tell the
 * next run what is already stored (harness.ts, sweep-tests.ts).
 */
import { persistSlowDisk } from './scenarios.js';
import { sweepTests } from './sweep-tests.js';

sweepTests(persistSlowDisk, ['drop', 'holes']);
