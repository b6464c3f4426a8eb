import { encodeCursor, parseAssertionQuery } from '../assertion-query.js';
import { READERS, WRITERS } from '../auth.js';
import { readJsonBody } from '../body.js';
import type { components } from '../generated/openapi.js';
import { json } from '../reply.js';
import type { Route } from '../router.js';
import { assertionInputSchema, parseBody } from '../validation.js';
import type { RouteDeps } from './context.js';

type AssertResponse = components['schemas']['AssertResponse'];
type AssertionPage = components['schemas']['AssertionPage'];

/**
 * `POST /v1/assert` (createAssertion). Answers 201: the roadmap's gate test accepts 200 or 201,
 * and 201 says what happened (a stored assertion with a server id).
 */
export function assertRoute(deps: RouteDeps): Route {
  return {
    method: 'POST',
    template: '/v1/assert',
    access: WRITERS,
    async handle({ req }) {
      const input = parseBody(assertionInputSchema, await readJsonBody(req, deps.bodyLimitBytes));
      const stored = deps.assertions.add(input, deps.now());
      await deps.durability.assertion(stored);
      const body: AssertResponse = { id: stored.id, accepted_at: stored.accepted_at };
      return json(201, body);
    },
  };
}

/** `GET /v1/assertions` (listAssertions): exact filters, newest first, opaque cursor. */
export function listAssertionsRoute(deps: RouteDeps): Route {
  return {
    method: 'GET',
    template: '/v1/assertions',
    access: READERS,
    handle({ query }) {
      const page = deps.assertions.page(parseAssertionQuery(query));
      const body: AssertionPage = {
        items: page.items,
        next_cursor: page.nextBeforeSeq === null ? null : encodeCursor(page.nextBeforeSeq),
      };
      return json(200, body);
    },
  };
}
