/**
 * Friendly names for the types generated from the yaml (`src/generated/openapi.ts`, made by
 * `pnpm generate`). Nothing here is written by hand beyond the alias: when the yaml changes,
 * these change with it.
 */
import type { components, operations } from './generated/openapi.js';

type Schemas = components['schemas'];

/** The body of `POST /v1/assert`. */
export type AssertionInput = Schemas['AssertionInput'];
/** What `POST /v1/assert` answers. */
export type AssertResponse = Schemas['AssertResponse'];
/** A stored assertion, as the read path returns it. */
export type Assertion = Schemas['Assertion'];
/** One page of `GET /v1/assertions`. */
export type AssertionPage = Schemas['AssertionPage'];
/** The query of `GET /v1/assertions`: filters, page size and cursor, all optional. */
export type AssertionFilter = NonNullable<operations['listAssertions']['parameters']['query']>;
/** Any JSON value. */
export type AssertionValue = Schemas['AssertionValue'];
/** `admin`, `write_agent` or `read_agent`. */
export type Role = Schemas['Role'];
/** The body of `POST /v1/admin/api-keys`. */
export type ApiKeyCreateInput = Schemas['ApiKeyCreateInput'];
/** A newly issued key; `key` is its plaintext, returned this once only. */
export type ApiKeyCreated = Schemas['ApiKeyCreated'];
/** What the server tells of a key, never its plaintext. */
export type ApiKeyInfo = Schemas['ApiKeyInfo'];
/** What `GET /v1/admin/api-keys` answers. */
export type ApiKeyList = Schemas['ApiKeyList'];
/** The lowercase hex SHA-256 of a full key string. */
export type KeyHash = Schemas['KeyHash'];
/** What `GET /v1/health` answers; any 200 counts as healthy. */
export type Health = Schemas['Health'];
/** The error body the server itself gives. */
export type ErrorBody = Schemas['ErrorBody'];
