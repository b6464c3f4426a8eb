/**
 * A list of items added and removed all the time, each removal O(1) by swapping the last item
 * into the hole; each item carries its own index (`slot`).
 *
 * Why not a `Set`: a Set that is added to and deleted from on every call rehashes into a fresh
 * table every few calls, and V8 links each outgrown table to its successor (for iterators
 * still walking it). Once one table had reached the old generation, that link kept the next
 * table, and every item in it with all it pointed to, alive through young collections:
 * bench/aphoria-persist.ts promoted about 40 KB per young collection through each such Set,
 * garbage that stayed until the next full collection and raised the peak RSS
 * (bench/README.md, "Where persist's peak RSS went"). An array is one store, grown to the
 * most items listed at once and reused in place, that holds no item after its removal.
 */

/** What a {@link SlotList} item carries: its index while listed, else -1. */
export interface Slotted {
  slot: number;
}

/** Items in no particular order, each added and removed in O(1). */
export class SlotList<T extends Slotted> {
  readonly #items: T[] = [];

  /** How many items are listed. */
  get size(): number {
    return this.#items.length;
  }

  /** Lists `item` (which must not be listed already). */
  add(item: T): void {
    item.slot = this.#items.length;
    this.#items.push(item);
  }

  /** Unlists `item`; false when it was not in this list. */
  delete(item: T): boolean {
    const slot = item.slot;
    if (slot < 0 || this.#items[slot] !== item) return false;
    const last = this.#items.pop() as T;
    if (last !== item) {
      this.#items[slot] = last;
      last.slot = slot;
    }
    item.slot = -1;
    return true;
  }

  /** The listed items matching `test`, as a new array (safe to remove them while walking it). */
  filter(test: (item: T) => boolean): T[] {
    return this.#items.filter(test);
  }

  /** Unlists every item and returns them. */
  drain(): T[] {
    const items = this.#items.splice(0);
    for (const item of items) item.slot = -1;
    return items;
  }
}
