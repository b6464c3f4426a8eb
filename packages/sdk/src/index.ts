/**
 * `@stemedb/sdk`: a typed HTTP client for StemeDB.
 *
 * The wire format is the OpenAPI file shipped with this package (`@stemedb/sdk/openapi.yaml`);
 * every type here is generated from it. Anything not exported from this module is private.
 *
 * @module \@stemedb/sdk
 */

// The client and its parts.
export { StemeAdmin } from './admin.js';
export {
  type AssertManyOptions,
  type AssertManyResult,
  DEFAULT_CONCURRENCY,
  MAX_CONCURRENCY,
} from './assert-many.js';
export { MAX_CONSECUTIVE_EMPTY_PAGES, MAX_REMEMBERED_CURSORS, StemeClient } from './client.js';
export type { NowFn, SleepFn } from './clock.js';
// Errors.
export {
  isStemeError,
  MAX_ERROR_BODY_CHARS,
  MAX_ERROR_MESSAGE_CHARS,
  type NetworkPhase,
  type RetryAfter,
  StemeAbortError,
  StemeApiError,
  StemeAuthenticationError,
  StemeConflictError,
  StemeError,
  type StemeErrorCode,
  type StemeErrorInit,
  StemeNetworkError,
  StemeNotFoundError,
  StemePayloadTooLargeError,
  StemePermissionError,
  StemeRateLimitError,
  StemeTimeoutError,
  StemeUnavailableError,
  StemeValidationError,
  type TimeoutKind,
} from './errors.js';
// Generated types, for callers who want the raw OpenAPI view.
export type { components, operations, paths } from './generated/openapi.js';
// Keys.
export {
  API_KEY_PATTERN,
  API_KEY_PREFIX,
  generateApiKey,
  hashApiKey,
  isApiKey,
  isKeyHash,
  KEY_HASH_PATTERN,
} from './keys.js';
// Metrics.
export {
  type MetricSample,
  type MetricType,
  PrometheusParseError,
  parsePrometheusText,
} from './metrics.js';
// Options.
export {
  type CallOptions,
  DEFAULT_DEADLINE_MS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_USER_AGENT,
  isLoopbackHost,
  type StemeClientOptions,
} from './options.js';
// Retry.
export {
  DEFAULT_MAX_RETRY_AFTER_MS,
  DEFAULT_RETRY,
  DEFAULT_RETRY_DELAYS_MS,
  DEFAULT_RETRY_STATUS_CODES,
  type ResolvedRetryOptions,
  type RetryInfo,
  type RetryOptions,
  type RetryReason,
} from './retry-policy.js';
// Runtime schemas, typed against the generated types.
export {
  ApiKeyCreatedSchema,
  ApiKeyCreateInputSchema,
  ApiKeyInfoSchema,
  ApiKeyListSchema,
  AssertionFilterSchema,
  AssertionInputSchema,
  AssertionPageSchema,
  AssertionSchema,
  AssertResponseSchema,
  ErrorBodySchema,
  HealthSchema,
  RoleSchema,
} from './schemas.js';
export { MAX_ERROR_BODY_BYTES, MAX_RESPONSE_BYTES } from './transport.js';
// Friendly names for the generated types.
export type {
  ApiKeyCreated,
  ApiKeyCreateInput,
  ApiKeyInfo,
  ApiKeyList,
  Assertion,
  AssertionFilter,
  AssertionInput,
  AssertionPage,
  AssertionValue,
  AssertResponse,
  ErrorBody,
  Health,
  KeyHash,
  Role,
} from './types.js';
export { SDK_VERSION } from './version.js';
export { API_KEY_HEADER, REQUEST_ID_HEADER, type Replay } from './wire.js';
