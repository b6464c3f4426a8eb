// The messages the bench's processes exchange: the parent (run.ts) forks one server process
// (server.ts or emulator.ts) and, per measurement, one client process (worker.ts).

/** A server the clients drive: the minimal node:http one or the emulator. */
export type TargetName = 'minimal' | 'emulator';

export interface Target {
  readonly name: TargetName;
  /** Origin, e.g. `http://127.0.0.1:41234`, without a trailing slash. */
  readonly url: string;
  /** The key sent as X-API-Key: the emulator's root key, a well-formed dummy for the minimal one. */
  readonly apiKey: string;
}

/** What a server process sends its parent once it listens. */
export interface ServerReady {
  readonly type: 'ready';
  readonly url: string;
  readonly apiKey: string;
}

/** One measurement: one client, one concurrency, one target, in a fresh process. */
export interface LoadSpec {
  readonly client: string;
  readonly target: Target;
  readonly concurrency: number;
  readonly warmupMs: number;
  readonly durationMs: number;
}

export interface LoadResult {
  readonly client: string;
  readonly target: TargetName;
  readonly concurrency: number;
  /** Requests completed inside the measured window (after warm-up). */
  readonly requests: number;
  readonly elapsedMs: number;
  readonly rps: number;
  /** Per-request latency in ms; null for a batching client (assertMany), which has none. */
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  /**
   * Client CPU (user + system) per request in µs: what the client costs, and the figure least
   * moved by other load on the machine.
   */
  readonly cpuUsPerRequest: number | null;
  /** Peak resident set of the client process, `process.resourceUsage().maxRSS`, in KiB. */
  readonly maxRssKb: number;
}

/** What a worker process sends its parent when it is done. */
export type WorkerMessage =
  | { readonly type: 'result'; readonly result: LoadResult }
  | { readonly type: 'error'; readonly message: string };

/** The one body every client writes, as the roadmap's gate test does. */
export const ASSERTION = Object.freeze({
  subject: 'bench/ping',
  predicate: 'alive',
  value: true,
  agent_id: 'bench',
});

export type AssertionInput = {
  subject: string;
  predicate: string;
  value: unknown;
  agent_id: string;
};

/** Subjects with this prefix are answered 503 once, then 201, by the minimal server. */
export const RETRY_SUBJECT_PREFIX = 'retry/';

/** A well-formed key (`steme_live_` + 48 hex) for the minimal server, which checks none. */
export const DUMMY_API_KEY = `steme_live_${'0'.repeat(48)}`;
