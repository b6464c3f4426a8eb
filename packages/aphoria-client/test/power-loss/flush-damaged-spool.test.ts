/**
 * Power cuts while a flush recovers a spool that crashes left damaged: a torn last record cut
 * off, an unsealed journal discarded, a damaged one moved aside, then the scan sent and its
 * journal deleted (harness.ts, sweep-tests.ts).
 */
import { flushDamagedSpool } from './scenarios.js';
import { sweepTests } from './sweep-tests.js';

sweepTests(flushDamagedSpool, ['drop', 'torn', 'holes', 'pages']);
