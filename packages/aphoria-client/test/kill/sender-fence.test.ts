/**
 * The send window's lock check (`Sender.gate`), at the moment a stalled run wakes: the clock
 * has jumped, the first write to ask starts a check of the lock, and every other write that
 * asks while that check is out must wait for its answer, not slip through because a check
 * "just started". stall-fence.test.ts makes the stall real; there the lock library's own
 * refresh and the journal's fence also stop the run, so this is what shows the gate alone holds.
 */
import { describe, expect, it } from 'vitest';
import { Sender } from '../../src/persist/sender.js';
import { FENCE_EVERY_MS, LockLostError } from '../../src/spool/lock.js';

describe('the send gate after a stall', () => {
  it('lets no write through while the first check of the lock is out, and none after it failed', async () => {
    let now = 1_000_000;
    const sender = new Sender(
      8,
      async () => {},
      () => now,
    );
    let lost = false;
    let answer: (() => void) | undefined;
    let checks = 0;
    sender.fence = () => {
      checks += 1;
      if (!lost) return Promise.resolve();
      // The check of a woken run: a stat of the lock that takes a while to come back.
      return new Promise<void>((_resolve, reject) => {
        answer = () => reject(new LockLostError('taken over'));
      });
    };
    await sender.gate(); // a check before the stall: the lock was ours
    expect(sender.stopped).toBe(false);

    now += 5 * FENCE_EVERY_MS * 20; // the run stalled; meanwhile another run took the lock
    lost = true;
    const through: number[] = [];
    const gates = Array.from({ length: 8 }, (_, i) =>
      sender.gate().then(() => {
        if (!sender.stopped) through.push(i); // this write would now be sent
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(through).toEqual([]); // nobody passed while the check is out
    answer?.();
    await Promise.all(gates);
    expect(through).toEqual([]);
    expect(sender.fatal).toBeInstanceOf(LockLostError);
    expect(checks).toBe(2); // one check shared by the eight writes, not eight stats
    sender.dispose();
  });

  it('checks again once FENCE_EVERY_MS passed since the last check answered', async () => {
    let now = 0;
    const sender = new Sender(
      4,
      async () => {},
      () => now,
    );
    let checks = 0;
    sender.fence = async () => {
      checks += 1;
    };
    await sender.gate();
    now += FENCE_EVERY_MS - 1;
    await sender.gate();
    expect(checks).toBe(1);
    now += 1;
    await sender.gate();
    expect(checks).toBe(2);
    sender.dispose();
  });
});
