import { AfterApplyFault, type AfterApplyOptions } from './after-apply.js';
import { codeForStatus, errorBody } from './errors.js';
import type { Reply } from './reply.js';
import type { Faults } from './types.js';

/** How the server stops and restarts listening for a `refuse` outage. */
export interface RefuseControl {
  /** Stop listening now and drop open connections. */
  suspend(): void;
  /** Listen again on the same port. */
  resume(): void;
}

/** What the server must do with a request, if a fault applies to it. */
export type FaultDecision = { kind: 'reset' } | { kind: 'reply'; reply: Reply } | undefined;

type OutageMode = 502 | 503 | 'refuse' | 'reset';

interface Outage {
  mode: OutageMode;
  untilMs: number;
  retryAfterSeconds?: number;
}

interface PendingFailures {
  remaining: number;
  status: number;
  retryAfterSeconds?: number;
  body?: string;
  contentType?: string;
}

// Traefik's own bodies while the single replica restarts (roadmap, Aphoria retry logic).
const TRAEFIK_BODIES: Record<number, string> = { 502: 'Bad Gateway', 503: 'Service Unavailable' };

/**
 * Scripted faults. An injected answer stands for what Traefik (or the network) does while
 * StemeDB is down, so it is not counted in StemeDB's own request metric.
 */
export class FaultInjector implements Faults {
  #outage: Outage | undefined;
  #refusing = false;
  #timer: NodeJS.Timeout | undefined;
  #failures: PendingFailures | undefined;
  #latencyMs = 0;
  #afterApply: AfterApplyFault | undefined;

  constructor(
    private readonly control: RefuseControl,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  outage(opts: { ms: number; mode: OutageMode; retryAfterSeconds?: number }): void {
    requireNumber('ms', opts.ms, { min: 1 });
    if (![502, 503, 'refuse', 'reset'].includes(opts.mode)) {
      throw new RangeError(`outage mode must be 502, 503, 'refuse' or 'reset'`);
    }
    if (opts.retryAfterSeconds !== undefined) {
      requireNumber('retryAfterSeconds', opts.retryAfterSeconds, { min: 0, integer: true });
    }
    this.#endOutage();
    this.#outage = { ...opts, untilMs: this.nowMs() + opts.ms };
    if (opts.mode === 'refuse') {
      this.#refusing = true;
      this.control.suspend();
    }
    // Timers are unref'd so an outage never keeps a test process alive.
    this.#timer = setTimeout(() => this.#endOutage(), opts.ms).unref();
  }

  failNext(
    n: number,
    status: number,
    opts: { retryAfterSeconds?: number; body?: string; contentType?: string } = {},
  ): void {
    requireNumber('n', n, { min: 0, integer: true });
    requireNumber('status', status, { min: 200, max: 599, integer: true });
    if (opts.retryAfterSeconds !== undefined) {
      requireNumber('retryAfterSeconds', opts.retryAfterSeconds, { min: 0, integer: true });
    }
    this.#failures = n === 0 ? undefined : { ...opts, remaining: n, status };
  }

  afterApply(opts: AfterApplyOptions): void {
    const fault = new AfterApplyFault(opts); // throws before anything changes
    this.#afterApply = fault.armed ? fault : undefined;
  }

  latency(ms: number): void {
    requireNumber('ms', ms, { min: 0 });
    this.#latencyMs = ms;
  }

  clear(): void {
    this.#endOutage();
    this.#failures = undefined;
    this.#latencyMs = 0;
    this.#afterApply = undefined;
  }

  /** The delay to add before answering. */
  get delayMs(): number {
    return this.#latencyMs;
  }

  /** Decides whether a fault answers this request; consumes one `failNext` if so. */
  intercept(): FaultDecision {
    const outage = this.#outage;
    if (outage && this.nowMs() < outage.untilMs) {
      if (outage.mode === 'reset') return { kind: 'reset' };
      // 'refuse' normally never gets here: the server is not listening. A request already parsed
      // on a connection that raced the stop is reset instead.
      if (outage.mode === 'refuse') return { kind: 'reset' };
      return { kind: 'reply', reply: injectedReply(outage.mode, outage) };
    }
    const failures = this.#failures;
    if (!failures) return undefined;
    failures.remaining -= 1;
    if (failures.remaining <= 0) this.#failures = undefined;
    return { kind: 'reply', reply: injectedReply(failures.status, failures) };
  }

  /**
   * Called after a state-changing request succeeded (applied, and durable with a data dir):
   * whether its answer is lost, and how. Consumes one `afterApply` count if so.
   */
  interceptApplied(): FaultDecision {
    const fault = this.#afterApply;
    if (!fault?.fires()) return undefined;
    if (!fault.armed) this.#afterApply = undefined;
    return fault.mode === 'reset'
      ? { kind: 'reset' }
      : { kind: 'reply', reply: injectedReply(502, {}) };
  }

  /** Cancels timers without listening again; for close(). */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#outage = undefined;
    this.#refusing = false;
  }

  #endOutage(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#outage = undefined;
    if (this.#refusing) {
      this.#refusing = false;
      this.control.resume();
    }
  }
}

function injectedReply(
  status: number,
  opts: { retryAfterSeconds?: number; body?: string; contentType?: string },
): Reply {
  const headers: Record<string, string> = {};
  if (opts.retryAfterSeconds !== undefined) headers['Retry-After'] = String(opts.retryAfterSeconds);
  const traefik = TRAEFIK_BODIES[status];
  if (opts.body !== undefined) {
    return { status, body: opts.body, contentType: opts.contentType ?? 'text/plain', headers };
  }
  if (traefik !== undefined) {
    return { status, body: traefik, contentType: opts.contentType ?? 'text/plain', headers };
  }
  const body = errorBody(codeForStatus(status), `Injected failure (status ${status})`);
  return { status, body, contentType: 'application/json', headers };
}

function requireNumber(
  name: string,
  value: number,
  bounds: { min: number; max?: number; integer?: boolean },
): void {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value >= bounds.min &&
    (bounds.max === undefined || value <= bounds.max) &&
    (!bounds.integer || Number.isInteger(value));
  if (!ok) {
    const range = bounds.max === undefined ? `>= ${bounds.min}` : `${bounds.min}..${bounds.max}`;
    throw new RangeError(`${name} must be ${bounds.integer ? 'an integer' : 'a number'} ${range}`);
  }
}
