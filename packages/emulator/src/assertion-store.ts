import { randomBytes } from 'node:crypto';
import type { components } from './generated/openapi.js';

export type Assertion = components['schemas']['Assertion'];
export type AssertionInput = components['schemas']['AssertionInput'];

/** A stored assertion: the wire shape plus its insertion sequence, which orders and pages. */
export interface StoredAssertion extends Assertion {
  seq: number;
}

/** Exact-match filters and paging for {@link AssertionStore.page}. */
export interface AssertionQuery {
  subject?: string;
  predicate?: string;
  agent_id?: string;
  limit: number;
  /** Only assertions older than this sequence (decoded from the cursor). */
  beforeSeq?: number;
}

/** One page, newest first; `nextBeforeSeq` is set when more may follow. */
export interface AssertionPageResult {
  items: Assertion[];
  nextBeforeSeq: number | null;
}

/**
 * Assertions in insertion order. Not a database: pages are a linear scan from the newest, which
 * is plenty for development and tests.
 *
 * An added assertion is pending until {@link commit} (once it is durable) and is not served
 * before; {@link discard} takes it back when it cannot be made durable. Commits come in
 * insertion order, so the durable assertions are always a prefix of the list and the pending
 * ones its tail.
 */
export class AssertionStore {
  readonly #items: StoredAssertion[];
  #nextSeq: number;
  #durableSeq: number;
  #durableCount: number;

  constructor(items: readonly StoredAssertion[] = []) {
    this.#items = [...items].sort((a, b) => a.seq - b.seq);
    this.#durableSeq = this.#items.at(-1)?.seq ?? 0;
    this.#durableCount = this.#items.length;
    this.#nextSeq = this.#durableSeq + 1;
  }

  /** Stores one assertion, pending until {@link commit}, and returns it as the read path will. */
  add(input: AssertionInput, now: Date): StoredAssertion {
    const seq = this.#nextSeq++;
    // The sequence keeps ids unique and sortable; the random tail keeps them from being guessed
    // as counters by clients (they are opaque in the contract).
    const id = `ast_${seq.toString(36).padStart(8, '0')}${randomBytes(4).toString('hex')}`;
    const stored: StoredAssertion = {
      seq,
      id,
      subject: input.subject,
      predicate: input.predicate,
      value: input.value,
      agent_id: input.agent_id,
      accepted_at: now.toISOString(),
    };
    this.#items.push(stored);
    return stored;
  }

  /** Marks the assertion `seq` (the oldest pending one) durable: it is served from now on. */
  commit(seq: number): void {
    this.#durableSeq = seq;
    this.#durableCount += 1;
  }

  /** Takes back the pending assertion `seq` (the newest one, as undos run newest first). */
  discard(seq: number): void {
    const index = this.#items.findLastIndex((item) => item.seq === seq);
    if (index >= this.#durableCount) this.#items.splice(index, 1);
  }

  /** Every stored assertion, oldest first, pending ones last (for persistence). */
  all(): readonly StoredAssertion[] {
    return this.#items;
  }

  /** How many of {@link all} are durable (they come first). */
  get durableCount(): number {
    return this.#durableCount;
  }

  /** One page of matches, newest first. */
  page(query: AssertionQuery): AssertionPageResult {
    const items: Assertion[] = [];
    let lastSeq = 0;
    for (let i = this.#items.length - 1; i >= 0; i--) {
      const item = this.#items[i]!;
      if (item.seq > this.#durableSeq) continue;
      if (query.beforeSeq !== undefined && item.seq >= query.beforeSeq) continue;
      if (query.subject !== undefined && item.subject !== query.subject) continue;
      if (query.predicate !== undefined && item.predicate !== query.predicate) continue;
      if (query.agent_id !== undefined && item.agent_id !== query.agent_id) continue;
      if (items.length === query.limit) {
        // One more match exists, so there is a next page starting below the last item returned.
        return { items, nextBeforeSeq: lastSeq };
      }
      const { seq, ...wire } = item;
      lastSeq = seq;
      items.push(wire);
    }
    return { items, nextBeforeSeq: null };
  }
}
