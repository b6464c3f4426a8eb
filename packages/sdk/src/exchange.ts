/**
 * One HTTP exchange through undici's `dispatch` with a handler of our own, which collects the
 * response body into a string (capped) and settles one promise.
 *
 * Why not `dispatcher.request()`: the SDK reads every body whole, so `request()`'s body stream,
 * its `AsyncResource` and the `text()` consumer are work a call pays for and never uses; and
 * since undici 8, a request with a `signal` also pays for a copy of its options, a queue hook
 * and Node's `addAbortListener` on every call. Together they made a call cost 1.2-1.7x raw
 * undici's CPU (bench/README.md, "SDK over undici 8 and Node 24"). Here one small handler
 * object per attempt does all of it.
 *
 * Invariant: undici calls a dispatch handler's `onRequestStart` before any response callback,
 * then either `onResponseStart` … `onResponseEnd` or `onResponseError` (undici's handler
 * contract, docs/api/Dispatcher.md); a call the handler gets after it settled is ignored.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import type { AttemptAbort } from './attempt-abort.js';

/** A response read to its end (or to its cap). */
export interface Exchanged {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as UTF-8 text, a leading byte-order mark dropped (as undici's `text()` does). */
  text: string;
  /** True when the body was longer than the cap; `text` then holds the first `cap` bytes. */
  truncated: boolean;
}

/** The largest success body read, in bytes; a larger one is an `invalid_response`. */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
/** The most of an error body read before the rest is dropped (and the socket closed). */
export const MAX_ERROR_BODY_BYTES = 1024 * 1024;

/**
 * Sends `options` through `dispatcher` and resolves with the whole response, its body capped
 * at MAX_RESPONSE_BYTES for a status in `success` and at MAX_ERROR_BODY_BYTES otherwise. Rejects with
 * undici's error, or with `abort.reason` as soon as `abort` fires (also while the request is
 * still waiting for a connection: undici then drops it when it would start).
 */
export function exchange(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  success: readonly number[],
  abort: AttemptAbort,
): Promise<Exchanged> {
  const handler = new CollectingHandler(success, abort);
  try {
    dispatcher.dispatch(options, handler);
  } catch (error) {
    // A dispatcher that throws instead of calling onResponseError (undici's own call it).
    handler.onResponseError(null, error as Error);
  }
  return handler.promise;
}

const BOM = 0xfeff;

// Past the cap the response is aborted with this reason, which the handler recognises.
class BodyCapReached extends Error {}

class CollectingHandler implements Dispatcher.DispatchHandler {
  readonly promise: Promise<Exchanged>;
  #resolve!: (value: Exchanged) => void;
  #reject!: (reason: Error) => void;
  /** The statuses whose body may be up to MAX_RESPONSE_BYTES; any other's is cut sooner. */
  readonly #success: readonly number[];
  #settled = false;
  #controller: Dispatcher.DispatchController | null = null;
  /** Set when the attempt was aborted before undici started the request. */
  #abortReason: Error | null = null;
  #status = 0;
  #headers: IncomingHttpHeaders = {};
  #chunks: Buffer[] = [];
  #size = 0;
  #cap = 0;
  #truncated = false;

  constructor(success: readonly number[], abort: AttemptAbort) {
    this.#success = success;
    this.promise = new Promise<Exchanged>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    abort.on('abort', () => this.#abort(abort.reason ?? new Error('aborted')));
  }

  // Settles at once, whether or not undici has started the request: a request still queued
  // for a connection is aborted by onRequestStart when it gets one.
  #abort(reason: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#reject(reason);
    if (this.#controller === null) this.#abortReason = reason;
    else this.#controller.abort(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#abortReason !== null) controller.abort(this.#abortReason);
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    if (statusCode < 200) return; // informational (1xx): the final answer follows
    this.#status = statusCode;
    this.#headers = headers;
    this.#cap = this.#success.includes(statusCode) ? MAX_RESPONSE_BYTES : MAX_ERROR_BODY_BYTES;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#settled || this.#truncated) return;
    const room = this.#cap - this.#size;
    if (chunk.length > room) {
      // Keep what fits and stop reading: aborting closes the socket rather than read on.
      if (room > 0) this.#chunks.push(chunk.subarray(0, room));
      this.#size = this.#cap;
      this.#truncated = true;
      controller.abort(new BodyCapReached());
      return;
    }
    this.#chunks.push(chunk);
    this.#size += chunk.length;
  }

  onResponseEnd(): void {
    this.#finish();
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, error: Error): void {
    if (this.#truncated && error instanceof BodyCapReached) {
      this.#finish();
      return;
    }
    if (this.#settled) return;
    this.#settled = true;
    this.#reject(error);
  }

  #finish(): void {
    if (this.#settled) return;
    this.#settled = true;
    const chunks = this.#chunks;
    let text =
      chunks.length === 1
        ? (chunks[0] as Buffer).toString('utf8')
        : Buffer.concat(chunks, this.#size).toString('utf8');
    if (text.charCodeAt(0) === BOM) text = text.slice(1);
    this.#resolve({
      status: this.#status,
      headers: this.#headers,
      text,
      truncated: this.#truncated,
    });
  }
}
