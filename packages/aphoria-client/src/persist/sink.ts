/**
 * Where the delivery loop sends to: StemeDB, through the run's client (issue 21, "the house":
 * `deliver(journal, sink)` knows nothing of files, the journal nothing of HTTP). A write, and
 * the read-backs that tell an assertion whose fate is unknown (sent, then a kill, an outage or
 * a lost answer) from one never stored, and a scan persisted before (a CI retry on a fresh
 * runner) from a new one.
 */
import { isStemeError, type StemeClient, type StemeError } from '@stemedb/sdk';
import { type HostedAuthError, NotStemeDbError } from '../errors.js';
import { assertionIdentity } from '../mapping.js';
import { authError, notStemeDbMessage } from '../refusals.js';
import type { AssertionRecord } from '../spool/record.js';
import { SCAN_PREDICATE } from '../subjects.js';
import type { HostedConfig } from '../types.js';
import { classifyRead } from './classify.js';
import type { Sender } from './sender.js';

/** A scan's assertions on the server. */
export interface Present {
  /** `assertionIdentity` of each. */
  readonly ids: ReadonlySet<string>;
  /** True when its summary is there: it is sent last, so the whole scan is. */
  readonly summary: boolean;
}

const PAGE = 1000; // the largest page the contract allows

/** What the delivery loop needs of a server. */
export interface Sink {
  /** The run's send window, and its shared state (down, fatal, 429 pause, deadline). */
  readonly window: Sender;
  /** Writes one record; throws the SDK's error. The key names the write across runs. */
  send(record: AssertionRecord, idempotencyKey: string): Promise<void>;
  /** The scan with `agentId` on the server; `undefined` when the run stopped meanwhile. */
  present(agentId: string): Promise<Present | undefined>;
  /** Whether the server holds `record`; `undefined` when the run stopped meanwhile. */
  holds(record: AssertionRecord): Promise<boolean | undefined>;
  /** The error that ends the run for a 401/403. */
  authError(error: StemeError): HostedAuthError;
  /** The error that ends the run for a URL that does not answer as StemeDB. */
  notStemeDbError(error: StemeError): NotStemeDbError;
}

/** StemeDB as a {@link Sink}. */
export class StemeSink implements Sink {
  readonly window: Sender;
  readonly #client: StemeClient;
  readonly #config: Pick<HostedConfig, 'url' | 'apiKeyEnv' | 'configPath'>;

  constructor(
    client: StemeClient,
    window: Sender,
    config: Pick<HostedConfig, 'url' | 'apiKeyEnv' | 'configPath'>,
  ) {
    this.#client = client;
    this.window = window;
    this.#config = config;
  }

  async send(record: AssertionRecord, idempotencyKey: string): Promise<void> {
    await this.#client.assert(record.in, { signal: this.window.signal, idempotencyKey });
  }

  present(agentId: string): Promise<Present | undefined> {
    return this.#readBack(async () => {
      const ids = new Set<string>();
      let summary = false;
      for await (const item of this.#client.iterateAssertions(
        { agent_id: agentId, limit: PAGE },
        { signal: this.window.signal },
      )) {
        ids.add(assertionIdentity(item));
        if (item.predicate === SCAN_PREDICATE) summary = true;
      }
      return { ids, summary };
    });
  }

  // By its subject and the scan's agent id, then its predicate: the check after an ambiguous
  // write, before anything is resent.
  holds(record: AssertionRecord): Promise<boolean | undefined> {
    const want = assertionIdentity(record.in);
    return this.#readBack(async () => {
      for await (const item of this.#client.iterateAssertions(
        { subject: record.in.subject, agent_id: record.in.agent_id, limit: PAGE },
        { signal: this.window.signal },
      )) {
        if (assertionIdentity(item) === want) return true;
      }
      return false;
    });
  }

  authError(error: StemeError): HostedAuthError {
    return authError(error, this.#config.apiKeyEnv);
  }

  notStemeDbError(error: StemeError): NotStemeDbError {
    const { url, configPath } = this.#config;
    return new NotStemeDbError(notStemeDbMessage(url, error, configPath), { url, cause: error });
  }

  /**
   * One read-back, whole, through the run's gate: a 429 pauses the run and reads again from the
   * start; anything else that stops the read stops the run (its decision made by
   * `classifyRead`) and resolves `undefined`.
   */
  async #readBack<T>(read: () => Promise<T>): Promise<T | undefined> {
    const window = this.window;
    for (;;) {
      if (window.stopped) return undefined;
      await window.gate();
      try {
        return await read();
      } catch (error) {
        if (!isStemeError(error)) throw error;
        switch (classifyRead(error)) {
          case 'auth':
            window.fail(this.authError(error));
            return undefined;
          case 'not-stemedb':
            window.fail(this.notStemeDbError(error));
            return undefined;
          case 'slow':
            window.slowDown(error.retryAfter?.ms);
            continue; // read again from the start, after the pause
          case 'cancelled':
            return undefined;
          default:
            window.markDown(error);
            return undefined;
        }
      }
    }
  }
}
