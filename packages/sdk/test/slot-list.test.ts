/**
 * src/slot-list.ts: a generated run of adds and deletes against a model Set; each item's slot
 * is its index while listed and -1 after, and the list never holds a removed item.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SlotList } from '../src/slot-list.js';

interface Item {
  readonly id: number;
  slot: number;
}

describe('SlotList', () => {
  it('holds exactly the items added and not deleted, each knowing its slot', () => {
    const op = fc.oneof(
      fc.record({ add: fc.constant(true as const) }),
      fc.record({ del: fc.nat() }),
      fc.record({ stale: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const list = new SlotList<Item>();
        const model = new Set<Item>();
        const gone: Item[] = [];
        let next = 0;
        for (const o of ops) {
          if ('add' in o) {
            const item = { id: next++, slot: -1 };
            list.add(item);
            model.add(item);
          } else if ('del' in o) {
            const items = [...model];
            if (items.length === 0) continue;
            const item = items[o.del % items.length]!;
            expect(list.delete(item)).toBe(true);
            model.delete(item);
            gone.push(item);
          } else if (gone.length > 0) {
            // deleting again, or an item never listed, changes nothing
            expect(list.delete(gone[o.stale % gone.length]!)).toBe(false);
            expect(list.delete({ id: -1, slot: 0 })).toBe(false);
          }
          expect(list.size).toBe(model.size);
          const listed = list.filter(() => true);
          expect(new Set(listed)).toEqual(model);
          expect(listed.map((item) => item.slot)).toEqual(listed.map((_, i) => i));
          for (const item of gone) expect(item.slot).toBe(-1);
        }
        const drained = list.drain();
        expect(new Set(drained)).toEqual(model);
        expect(list.size).toBe(0);
        for (const item of drained) expect(item.slot).toBe(-1);
      }),
    );
  });
});
