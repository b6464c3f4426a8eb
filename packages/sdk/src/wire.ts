/**
 * Every wire detail the SDK uses, in one table, each one stated by the yaml.
 *
 * The table is typed on the generated `paths` and `operations` (practice 7): an entry whose
 * path and method do not name that operation in the yaml does not compile. What types cannot
 * check (header names, which statuses succeed, which operations are open) is checked against
 * the yaml itself by `test/contract.test.ts`.
 */
import type { operations, paths } from './generated/openapi.js';

/** `components.securitySchemes.ApiKey`: the header that carries the key. */
export const API_KEY_HEADER = 'X-API-Key';
/** `components.headers.X-Request-Id`. */
export const REQUEST_ID_HEADER = 'X-Request-Id';

/**
 * `components.parameters.IdempotencyKey`: the header every write carries (x-assumed: whether
 * StemeDB honours it is unknown), and the length the yaml allows.
 */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
/** The longest `Idempotency-Key` the yaml allows (and Stripe). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** The HTTP methods the yaml uses. */
export type HttpMethod = 'GET' | 'POST' | 'DELETE';

/**
 * How safe an operation is to repeat when an attempt's outcome is unknown (a reset after the
 * request was sent, or an attempt timeout):
 * - `idempotent`: repeating is harmless (reads; revocation, which the yaml states is
 *   idempotent); resets and attempt timeouts are retried.
 * - `at-least-once`: a repeat may store a duplicate (writes of assertions); resets are
 *   retried, attempt timeouts are not (a slow server has most likely applied the write).
 * - `at-most-once`: a repeat does harm (issuing or rotating a key: the first plaintext key
 *   would be lost); neither is retried.
 * Refused connections and 502/503/429 responses are retried for every operation.
 */
export type Replay = 'idempotent' | 'at-least-once' | 'at-most-once';

type Lower<M extends HttpMethod> = Lowercase<M>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// The (path, method) pairs at which the yaml defines operation K.
type Location<K extends keyof operations> = {
  [P in keyof paths]: {
    [M in HttpMethod]: Same<paths[P][Lower<M>], operations[K]> extends true
      ? { path: P; method: M }
      : never;
  }[HttpMethod];
}[keyof paths];
type SuccessStatus<K extends keyof operations> = Extract<
  keyof operations[K]['responses'],
  200 | 201 | 202 | 204
>;

// The media types of operation K's success responses (JSON when a success has no body).
type SuccessMedia<K extends keyof operations> = {
  [S in SuccessStatus<K>]: operations[K]['responses'][S] extends { content: infer C }
    ? Extract<keyof C, string>
    : 'application/json';
}[SuccessStatus<K>];

/** One operation of the yaml, as the SDK calls it. */
export type OperationSpec<K extends keyof operations> = Location<K> & {
  /** The 2xx statuses the yaml lists for it. */
  success: readonly SuccessStatus<K>[];
  /** The `Accept` header: the media type of its success response. */
  accept: SuccessMedia<K>;
  /** False when the yaml says `security: []`: the key is then not sent. */
  auth: boolean;
  replay: Replay;
};

/** The operations of the yaml, by operationId. */
export const OPERATIONS = {
  getHealth: {
    path: '/v1/health',
    method: 'GET',
    success: [200],
    accept: 'application/json',
    auth: false,
    replay: 'idempotent',
  },
  createAssertion: {
    path: '/v1/assert',
    method: 'POST',
    success: [200, 201],
    accept: 'application/json',
    auth: true,
    replay: 'at-least-once',
  },
  listAssertions: {
    path: '/v1/assertions',
    method: 'GET',
    success: [200],
    accept: 'application/json',
    auth: true,
    replay: 'idempotent',
  },
  createApiKey: {
    path: '/v1/admin/api-keys',
    method: 'POST',
    success: [200, 201],
    accept: 'application/json',
    auth: true,
    replay: 'at-most-once',
  },
  listApiKeys: {
    path: '/v1/admin/api-keys',
    method: 'GET',
    success: [200],
    accept: 'application/json',
    auth: true,
    replay: 'idempotent',
  },
  rotateApiKey: {
    path: '/v1/admin/api-keys/{hash}/rotate',
    method: 'POST',
    success: [200, 201],
    accept: 'application/json',
    auth: true,
    replay: 'at-most-once',
  },
  revokeApiKey: {
    path: '/v1/admin/api-keys/{hash}',
    method: 'DELETE',
    success: [204],
    accept: 'application/json',
    auth: true,
    replay: 'idempotent',
  },
  getMetrics: {
    path: '/metrics',
    method: 'GET',
    success: [200],
    accept: 'text/plain',
    auth: false,
    replay: 'idempotent',
  },
} as const satisfies { [K in keyof operations]: OperationSpec<K> };

/** An operationId of the yaml. */
export type OperationId = keyof typeof OPERATIONS;
