/**
 * What the server already holds of a scan: every assertion with the scan's agent id, read back
 * through `iterateAssertions`. This is how an assertion whose fate is unknown (sent, then a
 * kill or an outage before the answer) is told apart from one never stored, and how a scan
 * persisted before (a CI retry on a fresh runner) stores nothing twice.
 */
import { isStemeError } from '@stemedb/sdk';
import { assertionIdentity } from '../mapping.js';
import type { AssertionRecord } from '../spool/record.js';
import { SCAN_PREDICATE } from '../subjects.js';
import { classifyRead } from './classify.js';
import { authError, notStemeDbError, type Run } from './run.js';

/** The scan's assertions on the server. */
export interface Present {
  /** `assertionIdentity` of each. */
  readonly ids: ReadonlySet<string>;
  /** True when its summary is there: it is sent last, so the whole scan is. */
  readonly summary: boolean;
}

const PAGE = 1000; // the largest page the contract allows

/**
 * Reads back the scan with `agentId`. Resolves `undefined` when the run stopped meanwhile
 * (StemeDB down, a 401/403, an abort): the caller then sends nothing.
 */
export function readPresent(run: Run, agentId: string): Promise<Present | undefined> {
  return readBack(run, async () => {
    const ids = new Set<string>();
    let summary = false;
    for await (const item of run.client.iterateAssertions(
      { agent_id: agentId, limit: PAGE },
      { signal: run.sender.signal },
    )) {
      ids.add(assertionIdentity(item));
      if (item.predicate === SCAN_PREDICATE) summary = true;
    }
    return { ids, summary };
  });
}

/**
 * Whether the server holds one record (by its subject and the scan's agent id, then its
 * predicate): the check after an ambiguous write, before anything is resent. Resolves
 * `undefined` when the run stopped meanwhile (the record then stays spooled, and the next run
 * reads the whole scan back).
 */
export function holds(run: Run, record: AssertionRecord): Promise<boolean | undefined> {
  const want = assertionIdentity(record.in);
  return readBack(run, async () => {
    for await (const item of run.client.iterateAssertions(
      { subject: record.in.subject, agent_id: record.in.agent_id, limit: PAGE },
      { signal: run.sender.signal },
    )) {
      if (assertionIdentity(item) === want) return true;
    }
    return false;
  });
}

/**
 * One read-back, whole, through the run's gate: a 429 pauses the run and reads again from the
 * start; anything else that stops the read stops the run (its decision made by `classifyRead`)
 * and resolves `undefined`.
 */
async function readBack<T>(run: Run, read: () => Promise<T>): Promise<T | undefined> {
  const { sender } = run;
  for (;;) {
    if (sender.stopped) return undefined;
    await sender.gate();
    try {
      return await read();
    } catch (error) {
      if (!isStemeError(error)) throw error;
      switch (classifyRead(error)) {
        case 'auth':
          sender.fail(authError(run, error));
          return undefined;
        case 'not-stemedb':
          sender.fail(notStemeDbError(run, error));
          return undefined;
        case 'slow':
          sender.slowDown(error.retryAfter?.ms);
          continue; // read again from the start, after the pause
        case 'cancelled':
          return undefined;
        default:
          sender.markDown(error);
          return undefined;
      }
    }
  }
}
