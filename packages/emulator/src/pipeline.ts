import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { authenticate, authorize, presentedKeyHash } from './auth.js';
import { HttpError } from './errors.js';
import type { FaultInjector } from './faults.js';
import type { IdempotencyStore } from './idempotency.js';
import type { KeyStore } from './key-store.js';
import { type EmulatorMetrics, UNMATCHED_ROUTE } from './metrics.js';
import type { RateLimiter } from './rate-limit.js';
import { errorReply, type Reply, writeReply } from './reply.js';
import type { RouteMatch, Router } from './router.js';
import type { RecordedRequest } from './types.js';

/**
 * How much of a path `requests()` keeps: the log holds 10,000 entries, and whole 15 KB targets
 * kept about 150 MiB alive (issue 11, item 12). Longer paths end in `…`.
 */
export const MAX_RECORDED_PATH_LENGTH = 1_024;

/** What the request pipeline needs from the emulator. */
export interface PipelineDeps {
  router: Router;
  faults: FaultInjector;
  keys: KeyStore;
  authEnabled: boolean;
  limiter: RateLimiter | undefined;
  metrics: EmulatorMetrics;
  /** Answers kept for `Idempotency-Key` replays; undefined when the header is ignored. */
  idempotency: IdempotencyStore | undefined;
  /** The body limit, for bodies read before their route (to fingerprint them). */
  bodyLimitBytes: number;
  record(request: RecordedRequest): void;
}

/**
 * The order every request goes through: request id, latency, faults (as Traefik would answer,
 * before StemeDB sees anything), routing (404/405), then for keyed routes authentication (401),
 * the key's rate limit (429) and its role (403), for writes the `Idempotency-Key` (a replay, or
 * 400 for a key reused with another request), and last the handler.
 */
export function createRequestHandler(deps: PipelineDeps) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    handle(deps, req, res).catch((err: unknown) => {
      // Handlers' errors become replies in dispatch(); this guards the pipeline itself.
      process.stderr.write(`stemedb-emulator: internal error: ${String(err)}\n`);
      writeReply(res, errorReply(new HttpError(500, 'internal', 'Internal emulator error')));
    });
  };
}

async function handle(deps: PipelineDeps, req: IncomingMessage, res: ServerResponse) {
  const at = new Date();
  const method = req.method ?? 'GET';
  const url = req.url ?? '/';
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const keyHash = presentedKeyHash(req);
  const recordedPath =
    path.length > MAX_RECORDED_PATH_LENGTH
      ? detached(`${path.slice(0, MAX_RECORDED_PATH_LENGTH)}…`)
      : path === url
        ? url // the whole request target, at most MAX_RECORDED_PATH_LENGTH: nothing else kept
        : detached(path);
  const idempotencyKey = recordedIdempotencyKey(req);
  const record = (status: number) =>
    deps.record({
      method,
      path: recordedPath,
      status,
      at,
      ...(keyHash ? { keyHash } : {}),
      ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
    });
  res.setHeader('X-Request-Id', randomUUID());

  if (deps.faults.delayMs > 0) await sleep(deps.faults.delayMs, undefined, { ref: false });
  const fault = deps.faults.intercept();
  if (fault?.kind === 'reset') {
    record(0);
    // An RST, not a FIN: the client sees ECONNRESET (undici: UND_ERR_SOCKET) mid-request.
    req.socket.resetAndDestroy();
    return;
  }
  if (fault) {
    record(fault.reply.status);
    writeReply(res, fault.reply);
    return;
  }

  const match = deps.router.match(method, path);
  const reply = await dispatch(deps, req, url, match);
  // Applied, and then the answer is lost: the proxy's (or the network's) doing, so, like the
  // faults above, it is not counted as StemeDB's answer.
  const lost = appliedWrite(method, reply) ? deps.faults.interceptApplied() : undefined;
  if (lost?.kind === 'reset') {
    record(0);
    req.socket.resetAndDestroy();
    return;
  }
  if (lost) {
    record(lost.reply.status);
    writeReply(res, lost.reply);
    return;
  }
  const route = match.kind === 'not_found' ? UNMATCHED_ROUTE : templateOf(match);
  deps.metrics.requests.inc({ method, route, status: String(reply.status) });
  record(reply.status);
  writeReply(res, reply);
}

function recordedIdempotencyKey(req: IncomingMessage): string | undefined {
  const value = req.headers['idempotency-key'];
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value.join(', ') : value;
  return detached(text.length > 255 ? text.slice(0, 255) : text);
}

/**
 * A copy of `text` that shares no memory with the string it was cut from. V8 represents
 * `slice` (and a concatenation with one) as a pointer into the parent, so a 30-character path
 * cut from a 15 KB request target kept all 15 KB alive in the 10,000-entry log (issue 21).
 * Encoding and decoding makes a new flat string; it runs once per request, on a short text.
 */
function detached(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

// A state-changing request that succeeded: every route but GET changes state (the yaml's writes
// are POST and DELETE), and only a 2xx means it was applied.
function appliedWrite(method: string, reply: Reply): boolean {
  return method !== 'GET' && method !== 'HEAD' && reply.status >= 200 && reply.status < 300;
}

async function dispatch(
  deps: PipelineDeps,
  req: IncomingMessage,
  url: string,
  match: RouteMatch,
): Promise<Reply> {
  try {
    if (match.kind === 'not_found') throw new HttpError(404, 'not_found', 'No such path');
    if (match.kind === 'method_not_allowed') {
      throw new HttpError(405, 'method_not_allowed', 'Method not allowed on this path', {
        Allow: match.allow.join(', '),
      });
    }
    const { route, params } = match;
    let principal: ReturnType<typeof authenticate> | undefined;
    if (route.access !== 'public') {
      principal = authenticate(req, deps.keys, deps.authEnabled);
      // With auth off a key proves nothing, so each junk key must not get a bucket of its own:
      // the client (its address) is limited instead (issue 11, item 13).
      limitRate(
        deps.limiter,
        deps.authEnabled ? principal.keyHash : `client ${req.socket.remoteAddress ?? ''}`,
      );
      authorize(principal, route.access);
    }
    const queryAt = url.indexOf('?');
    const query = new URLSearchParams(queryAt === -1 ? '' : url.slice(queryAt + 1));
    const handle = async () => route.handle({ req, params, query, principal });
    if (route.method === 'GET' || deps.idempotency === undefined) return await handle();
    // A write: replayed or refused if its Idempotency-Key was seen for this API key.
    const target = {
      method: route.method,
      path: queryAt === -1 ? url : url.slice(0, queryAt),
      bodyLimitBytes: deps.bodyLimitBytes,
    };
    return await deps.idempotency.run(req, principal?.keyHash ?? '', target, handle);
  } catch (err) {
    if (err instanceof HttpError) return errorReply(err);
    // Only a bug gets here: answer (and count) a 500 and keep serving. Messages hold no keys.
    process.stderr.write(`stemedb-emulator: internal error: ${String(err)}\n`);
    return errorReply(new HttpError(500, 'internal', 'Internal emulator error'));
  }
}

function limitRate(limiter: RateLimiter | undefined, bucket: string | undefined): void {
  if (!limiter) return;
  const taken = limiter.take(bucket ?? 'anonymous');
  if (taken.ok) return;
  throw new HttpError(429, 'rate_limited', 'Rate limit exceeded for this key', {
    'Retry-After': String(taken.retryAfterSeconds),
  });
}

function templateOf(match: Exclude<RouteMatch, { kind: 'not_found' }>): string {
  return match.kind === 'found' ? match.route.template : match.template;
}
