/**
 * The SDK against its contract, the OpenAPI file: generated types up to date (in both
 * packages), the operation table, header names, key patterns and every schema bound.
 */
import { readFileSync } from 'node:fs';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import {
  API_KEY_HEADER,
  API_KEY_PATTERN,
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
  KEY_HASH_PATTERN,
  REQUEST_ID_HEADER,
  SDK_VERSION,
} from '../src/index.js';
import { IDEMPOTENCY_KEY_HEADER, MAX_IDEMPOTENCY_KEY_LENGTH, OPERATIONS } from '../src/wire.js';

const yamlUrl = new URL('../openapi/stemedb.yaml', import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: the parsed OpenAPI document is untyped JSON.
type Json = any;
const doc: Json = parse(readFileSync(yamlUrl, 'utf8'));

function deref(node: Json): Json {
  let out = node;
  while (out && typeof out.$ref === 'string') {
    out = out.$ref
      .slice(2)
      .split('/')
      .reduce((at: Json, key: string) => at[key], doc);
  }
  return out;
}

// The constraints of a JSON schema, in one comparable shape.
function constraints(node: Json): Json {
  const s = deref(node);
  if (Array.isArray(s.anyOf)) {
    const parts = s.anyOf.map(constraints);
    const base = parts.find((p: Json) => !p.type?.includes('null')) ?? {};
    const nullable = parts.some((p: Json) => p.type?.includes('null'));
    return { ...base, type: [...(base.type ?? []), ...(nullable ? ['null'] : [])].sort() };
  }
  const out: Json = {};
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.length) out.type = [...types].sort();
  for (const key of ['minLength', 'maxLength', 'minimum', 'maximum', 'enum', 'format']) {
    if (key in s) out[key] = s[key];
  }
  if (s.pattern && s.format !== 'date-time') out.pattern = s.pattern;
  if (s.properties) {
    out.properties = Object.fromEntries(
      Object.entries(s.properties).map(([k, v]) => [k, constraints(v)]),
    );
    out.required = [...(s.required ?? [])].sort();
  }
  if (s.items) out.items = constraints(s.items);
  return out;
}

const zodConstraints = (schema: z.ZodType) =>
  constraints(z.toJSONSchema(schema, { unrepresentable: 'any', io: 'output' }));
const yamlSchema = (name: string) => doc.components.schemas[name];

describe('generated types', () => {
  it.each([
    ['packages/sdk', '../src/generated/openapi.ts'],
    ['packages/emulator', '../../emulator/src/generated/openapi.ts'],
  ])(
    '%s/src/generated/openapi.ts is what `pnpm generate` makes from the yaml',
    async (_pkg, file) => {
      const fresh = COMMENT_HEADER + astToString(await openapiTS(yamlUrl, { silent: true }));
      const current = readFileSync(new URL(file, import.meta.url), 'utf8');
      expect(current === fresh, 'stale: run `pnpm generate`').toBe(true);
    },
  );
});

describe('the operation table matches the yaml', () => {
  const entries = Object.entries(OPERATIONS);

  it('covers every operation of the yaml', () => {
    const ids = Object.values(doc.paths).flatMap((item: Json) =>
      ['get', 'post', 'delete', 'put', 'patch']
        .filter((m) => item[m])
        .map((m) => item[m].operationId),
    );
    expect(Object.keys(OPERATIONS).sort()).toEqual(ids.sort());
  });

  it.each(entries)('%s: path, method, success statuses, media type and auth', (id, spec) => {
    const operation = doc.paths[spec.path]?.[spec.method.toLowerCase()];
    expect(operation?.operationId).toBe(id);
    const successes = Object.keys(operation.responses)
      .filter((s) => s.startsWith('2'))
      .map(Number);
    expect([...spec.success].sort()).toEqual(successes.sort());
    const security = operation.security ?? doc.security;
    expect(spec.auth).toBe(security.length > 0);
    for (const status of successes) {
      const content = deref(operation.responses[status]).content;
      if (content) expect(Object.keys(content)).toContain(spec.accept);
    }
  });
});

describe('headers and patterns match the yaml', () => {
  it('the key travels in the header the security scheme names', () => {
    expect(doc.components.securitySchemes.ApiKey).toMatchObject({
      in: 'header',
      name: API_KEY_HEADER,
    });
  });

  it('the request id header is one the yaml defines', () => {
    expect(Object.keys(doc.components.headers)).toContain(REQUEST_ID_HEADER);
  });

  it('every write (and no read) takes the Idempotency-Key header the SDK sends', () => {
    const param = doc.components.parameters.IdempotencyKey;
    expect(param).toMatchObject({ in: 'header', name: IDEMPOTENCY_KEY_HEADER, 'x-assumed': true });
    expect(param.schema).toMatchObject({ minLength: 1, maxLength: MAX_IDEMPOTENCY_KEY_LENGTH });
    for (const spec of Object.values(OPERATIONS)) {
      const operation = doc.paths[spec.path][spec.method.toLowerCase()];
      const refs = (operation.parameters ?? []).map((p: Json) => p.$ref);
      expect(refs.includes('#/components/parameters/IdempotencyKey')).toBe(spec.method !== 'GET');
    }
  });

  it('isApiKey and isKeyHash use the yaml patterns', () => {
    expect(API_KEY_PATTERN.source).toBe(yamlSchema('ApiKey').pattern);
    expect(KEY_HASH_PATTERN.source).toBe(yamlSchema('KeyHash').pattern);
  });
});

describe('every zod schema has the bounds of its yaml schema', () => {
  it.each([
    ['AssertionInput', AssertionInputSchema],
    ['AssertResponse', AssertResponseSchema],
    ['Assertion', AssertionSchema],
    ['AssertionPage', AssertionPageSchema],
    ['ApiKeyCreateInput', ApiKeyCreateInputSchema],
    ['ApiKeyCreated', ApiKeyCreatedSchema],
    ['ApiKeyInfo', ApiKeyInfoSchema],
    ['ApiKeyList', ApiKeyListSchema],
    ['ErrorBody', ErrorBodySchema],
    ['Health', HealthSchema],
  ] as const)('%s', (name, schema) => {
    expect(zodConstraints(schema)).toEqual(constraints(yamlSchema(name)));
  });

  it.each(['AssertionInput', 'ApiKeyCreateInput'])(
    '%s refuses unknown fields, as additionalProperties: false says',
    (name) => {
      expect(yamlSchema(name).additionalProperties).toBe(false);
      const schema = name === 'AssertionInput' ? AssertionInputSchema : ApiKeyCreateInputSchema;
      expect(z.toJSONSchema(schema).additionalProperties).toBe(false);
    },
  );

  it('the listAssertions filter has the bounds of its query parameters', () => {
    const params = doc.paths['/v1/assertions'].get.parameters.map(deref);
    const fromYaml = {
      type: ['object'],
      properties: Object.fromEntries(params.map((p: Json) => [p.name, constraints(p.schema)])),
      required: [],
    };
    expect(zodConstraints(AssertionFilterSchema)).toEqual(fromYaml);
  });
});

describe('package metadata', () => {
  it('SDK_VERSION is the version in package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(SDK_VERSION).toBe(pkg.version);
  });
});
