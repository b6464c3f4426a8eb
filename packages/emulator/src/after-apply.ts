/**
 * "The answer is lost after the write was applied": the fault that makes a blind resend store a
 * write twice. A state-changing request that succeeded (its change stored, and durable with a
 * data dir) loses its answer, either as Toxiproxy's `reset_peer` does (the socket is reset, no
 * response at all) or as Traefik answers when the upstream dies after applying it (502 "Bad
 * Gateway"). Every other fault fires before StemeDB sees the request; this one fires after.
 *
 * By count (the next N successful writes) or by ratio (each successful write with that
 * probability, drawn from a seeded PRNG so that a run can be replayed exactly).
 */

/** How the answer is lost. */
export type AfterApplyMode = 'reset' | 502;

/** Options of `faults.afterApply`: `mode` and exactly one of `count` or `ratio`. */
export interface AfterApplyOptions {
  /** `'reset'`: the socket is reset with no response; `502`: Traefik's 502 replaces the answer. */
  mode: AfterApplyMode;
  /** The next `count` successful writes lose their answer; `0` turns the fault off. */
  count?: number;
  /** Each successful write loses its answer with this probability (0..1). */
  ratio?: number;
  /** The PRNG's seed for `ratio` (an integer 0..2^32-1). @default DEFAULT_AFTER_APPLY_SEED */
  seed?: number;
}

/** The seed `ratio` draws from unless told otherwise: fixed, so a run replays as it ran. */
export const DEFAULT_AFTER_APPLY_SEED = 0x5eed;

const KEYS = new Set(['mode', 'count', 'ratio', 'seed']);

/** One armed after-apply fault. */
export class AfterApplyFault {
  readonly mode: AfterApplyMode;
  #remaining: number;
  readonly #ratio: number | undefined;
  readonly #random: () => number;

  /** @throws RangeError on bad options (like the other faults). */
  constructor(opts: AfterApplyOptions) {
    if (typeof opts !== 'object' || opts === null)
      throw new RangeError('options must be an object');
    for (const key of Object.keys(opts)) {
      if (!KEYS.has(key)) throw new RangeError(`unknown afterApply option ${key}`);
    }
    if (opts.mode !== 'reset' && opts.mode !== 502) {
      throw new RangeError(`afterApply mode must be 'reset' or 502`);
    }
    const hasCount = opts.count !== undefined;
    const hasRatio = opts.ratio !== undefined;
    if (hasCount === hasRatio)
      throw new RangeError('afterApply takes exactly one of count or ratio');
    if (hasCount && !(Number.isSafeInteger(opts.count) && (opts.count as number) >= 0)) {
      throw new RangeError('count must be an integer >= 0');
    }
    const ratio = opts.ratio;
    if (hasRatio && !(typeof ratio === 'number' && ratio >= 0 && ratio <= 1)) {
      throw new RangeError('ratio must be a number 0..1');
    }
    if (hasCount && opts.seed !== undefined) throw new RangeError('seed goes with ratio only');
    const seed = opts.seed ?? DEFAULT_AFTER_APPLY_SEED;
    if (!(Number.isInteger(seed) && seed >= 0 && seed <= 0xffff_ffff)) {
      throw new RangeError('seed must be an integer 0..4294967295');
    }
    this.mode = opts.mode;
    this.#remaining = hasCount ? (opts.count as number) : Number.POSITIVE_INFINITY;
    this.#ratio = ratio;
    this.#random = mulberry32(seed);
  }

  /** False once a count is used up. */
  get armed(): boolean {
    return this.#remaining > 0;
  }

  /** Called once per successful write: whether this one loses its answer. */
  fires(): boolean {
    if (this.#remaining <= 0) return false;
    if (this.#ratio !== undefined) return this.#random() < this.#ratio;
    this.#remaining -= 1;
    return true;
  }
}

// mulberry32: a small, well-known 32-bit PRNG; enough to spread faults, and replayable.
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
