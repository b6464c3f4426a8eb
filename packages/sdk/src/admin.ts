/**
 * Key administration (`client.admin`): create, list, rotate, revoke. Every operation needs an
 * admin key (roadmap Phase 3 script; the role model is assumed, see the yaml's `Role`).
 */
import type { Caller } from './caller.js';
import { StemeValidationError } from './errors.js';
import { isApiKey, isKeyHash } from './keys.js';
import type { CallOptions } from './options.js';
import { ApiKeyCreatedSchema, ApiKeyCreateInputSchema, ApiKeyListSchema } from './schemas.js';
import type { ApiKeyCreated, ApiKeyCreateInput, ApiKeyList } from './types.js';
import { parseInput, parseJsonBody, parseResponse } from './validate.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** The admin operations of a {@link StemeClient}; reach them as `client.admin`. */
export class StemeAdmin {
  readonly #caller: Caller;

  /** @internal Made by StemeClient. */
  constructor(caller: Caller) {
    this.#caller = caller;
  }

  /**
   * Issues a new key (`POST /v1/admin/api-keys`). The answer's `key` is the plaintext key,
   * shown this once only: store it (in a secret store) before doing anything else.
   * Not retried after a reset or a timeout, which could issue a second key.
   */
  async createApiKey(input: ApiKeyCreateInput, options?: CallOptions): Promise<ApiKeyCreated> {
    const body = parseInput(ApiKeyCreateInputSchema, input, 'key request');
    const res = await this.#caller.call('createApiKey', { body }, options);
    return parseResponse(ApiKeyCreatedSchema, parseJsonBody(res.context), res.context);
  }

  /** Every key the server knows, revoked ones included; never their plaintext. */
  async listApiKeys(options?: CallOptions): Promise<ApiKeyList> {
    const res = await this.#caller.call('listApiKeys', {}, options);
    return parseResponse(ApiKeyListSchema, parseJsonBody(res.context), res.context);
  }

  /**
   * Rotates the key with this hash (`POST /v1/admin/api-keys/{hash}/rotate`): the old key
   * stops working and a new one is returned once (assumed semantics, see the yaml).
   * Not retried after a reset or a timeout, which could rotate twice and lose the new key.
   *
   * @param hash - `hashApiKey(key)`, never the key itself
   */
  async rotateApiKey(hash: string, options?: CallOptions): Promise<ApiKeyCreated> {
    const res = await this.#caller.call(
      'rotateApiKey',
      { pathParams: { hash: checkHash(hash) } },
      options,
    );
    return parseResponse(ApiKeyCreatedSchema, parseJsonBody(res.context), res.context);
  }

  /**
   * Revokes the key with this hash (`DELETE /v1/admin/api-keys/{hash}`); revoking a revoked
   * key succeeds again (assumed, see the yaml).
   *
   * @param hash - `hashApiKey(key)`, never the key itself
   */
  async revokeApiKey(hash: string, options?: CallOptions): Promise<void> {
    await this.#caller.call('revokeApiKey', { pathParams: { hash: checkHash(hash) } }, options);
  }

  toJSON(): Record<string, unknown> {
    return { name: 'StemeAdmin' };
  }

  [INSPECT](): string {
    return 'StemeAdmin {}';
  }
}

// A key passed where its hash belongs would end up in a URL, and so in proxy logs: refuse it
// (without quoting it).
function checkHash(hash: unknown): string {
  if (isKeyHash(hash)) return hash;
  const problem = isApiKey(hash)
    ? 'is an API key, not its hash: pass hashApiKey(key) so the key is never sent in a URL'
    : 'must be 64 lowercase hex characters (hashApiKey(key))';
  throw new StemeValidationError({
    code: 'invalid_input',
    field: 'hash',
    message: `Invalid hash: ${problem}`,
  });
}
