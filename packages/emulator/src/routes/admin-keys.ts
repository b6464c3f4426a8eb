import { ADMINS } from '../auth.js';
import { readJsonBody } from '../body.js';
import { HttpError } from '../errors.js';
import type { components } from '../generated/openapi.js';
import type { IssuedKey, KeyChangeFailure } from '../key-store.js';
import { KEY_HASH_PATTERN } from '../keys.js';
import { empty, json } from '../reply.js';
import type { Route } from '../router.js';
import { apiKeyCreateInputSchema, parseBody } from '../validation.js';
import type { RouteDeps } from './context.js';

type ApiKeyList = components['schemas']['ApiKeyList'];

const COLLECTION = '/v1/admin/api-keys';

/** `POST /v1/admin/api-keys` (createApiKey): 201 with the key, shown this once. */
export function createKeyRoute(deps: RouteDeps): Route {
  return {
    method: 'POST',
    template: COLLECTION,
    access: ADMINS,
    async handle({ req }) {
      const input = parseBody(
        apiKeyCreateInputSchema,
        await readJsonBody(req, deps.bodyLimitBytes),
      );
      const issued: IssuedKey = deps.keys.create(input.label, input.role, deps.now());
      await deps.durability.keys();
      return json(201, issued);
    },
  };
}

/** `GET /v1/admin/api-keys` (listApiKeys): every key, revoked included, never plaintext. */
export function listKeysRoute(deps: RouteDeps): Route {
  return {
    method: 'GET',
    template: COLLECTION,
    access: ADMINS,
    handle() {
      const body: ApiKeyList = { keys: deps.keys.list() };
      return json(200, body);
    },
  };
}

/**
 * `POST /v1/admin/api-keys/{hash}/rotate` (rotateApiKey): 201 like create, since it issues a
 * new key. A hash that is not 64 lowercase hex is 404: rotateApiKey lists no 400.
 */
export function rotateKeyRoute(deps: RouteDeps): Route {
  return {
    method: 'POST',
    template: `${COLLECTION}/{hash}/rotate`,
    access: ADMINS,
    async handle({ params }) {
      const result = deps.keys.rotate(knownHash(params.hash), deps.now());
      if (typeof result === 'string') throw keyChangeError(result, 'No active key has this hash');
      await deps.durability.keys();
      return json(201, result);
    },
  };
}

/** `DELETE /v1/admin/api-keys/{hash}` (revokeApiKey): 204, idempotent; root is 409. */
export function revokeKeyRoute(deps: RouteDeps): Route {
  return {
    method: 'DELETE',
    template: `${COLLECTION}/{hash}`,
    access: ADMINS,
    async handle({ params }) {
      const result = deps.keys.revoke(knownHash(params.hash), deps.now());
      if (result !== true) throw keyChangeError(result, 'No key has this hash');
      await deps.durability.keys();
      return empty(204);
    },
  };
}

function knownHash(hash: string | undefined): string {
  if (hash && KEY_HASH_PATTERN.test(hash)) return hash;
  throw keyChangeError('not_found', 'No key has this hash');
}

function keyChangeError(failure: KeyChangeFailure, notFound: string): HttpError {
  if (failure === 'root') {
    // The server would seed the root key again at its next boot (yaml, revokeApiKey).
    return new HttpError(409, 'conflict', 'The root key cannot be revoked');
  }
  return new HttpError(404, 'not_found', notFound);
}
