import { readFile } from 'node:fs/promises';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';
import { parse } from 'yaml';

/**
 * An OpenAPI conformance harness over the yaml the SDK owns: every request body, query parameter,
 * status, media type, header and response body an exchange carries is checked against the
 * operation's schemas, and the (operation, status) pairs seen are recorded for a coverage check.
 */

const YAML_URL = new URL('../../../sdk/openapi/stemedb.yaml', import.meta.url);
const DOC_ID = 'stemedb.yaml';
const METHODS = ['get', 'post', 'put', 'delete', 'patch'] as const;

type Json = Record<string, unknown>;

/** One operation of the yaml. */
export interface Operation {
  operationId: string;
  method: string;
  template: string;
  /** The statuses listed for the operation, as strings (`"201"`). */
  statuses: string[];
}

/** One request/response pair to check. */
export interface Exchange {
  method: string;
  /** The path with its query string, e.g. `/v1/assertions?limit=2`. */
  path: string;
  /** The request body as sent, if any. */
  requestBody?: string;
  status: number;
  headers: Headers;
  body: string;
}

/** What {@link Contract.check} found. */
export interface Verdict {
  operation: Operation;
  /** Whether the request (body and query) conforms; `undefined` when there is nothing to check. */
  requestValid: boolean | undefined;
  requestErrors: string[];
  /** Response problems; empty when the response conforms. */
  responseErrors: string[];
}

export class Contract {
  readonly operations: Operation[] = [];
  /** `operationId status` pairs checked so far. */
  readonly exercised = new Set<string>();
  readonly #ajv = new Ajv2020({ strict: false, allErrors: true });
  readonly #validators = new Map<string, ValidateFunction>();

  private constructor(private readonly doc: Json) {
    const addFormats = ((formatsModule as { default?: unknown }).default ??
      formatsModule) as unknown as (ajv: Ajv2020) => void;
    addFormats(this.#ajv);
    // The whole document is one schema resource, so `#/components/...` $refs resolve in place.
    this.#ajv.addSchema(doc, DOC_ID);
    const paths = doc.paths as Record<string, Json>;
    for (const [template, item] of Object.entries(paths)) {
      for (const method of METHODS) {
        const op = item[method] as Json | undefined;
        if (!op) continue;
        this.operations.push({
          operationId: op.operationId as string,
          method: method.toUpperCase(),
          template,
          statuses: Object.keys(op.responses as Json),
        });
      }
    }
  }

  static async load(): Promise<Contract> {
    return new Contract(parse(await readFile(YAML_URL, 'utf8')) as Json);
  }

  /** The operation a request line names, or undefined if the yaml has none. */
  find(method: string, pathname: string): Operation | undefined {
    const segments = pathname.split('/');
    return this.operations.find((op) => {
      const parts = op.template.split('/');
      return (
        op.method === method &&
        parts.length === segments.length &&
        parts.every((part, i) => part.startsWith('{') || part === segments[i])
      );
    });
  }

  /** Checks one exchange and records its (operation, status) pair. */
  check(exchange: Exchange): Verdict {
    const url = new URL(exchange.path, 'http://contract.invalid');
    const operation = this.find(exchange.method, url.pathname);
    if (!operation) throw new Error(`no operation for ${exchange.method} ${url.pathname}`);
    const base = `/paths/${pointerToken(operation.template)}/${operation.method.toLowerCase()}`;
    const op = this.#at(base) as Json;
    const request = this.#checkRequest(op, base, exchange, url.searchParams);
    const responseErrors = this.#checkResponse(op, base, exchange);
    this.exercised.add(`${operation.operationId} ${exchange.status}`);
    return { operation, ...request, responseErrors };
  }

  #checkRequest(op: Json, base: string, exchange: Exchange, query: URLSearchParams) {
    const errors: string[] = [];
    let checked = false;
    const params = (op.parameters as Json[] | undefined) ?? [];
    params.forEach((param, i) => {
      if (param.in !== 'query') return;
      const raw = query.get(param.name as string);
      if (raw === null) return;
      checked = true;
      const schema = (param.schema ?? {}) as Json;
      const value = schema.type === 'integer' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
      errors.push(
        ...this.#validate(`${base}/parameters/${i}/schema`, value, `query ${param.name}`),
      );
    });
    if (op.requestBody) {
      checked = true;
      const pointer = `${base}/requestBody/content/application~1json/schema`;
      let body: unknown;
      try {
        body = JSON.parse(exchange.requestBody ?? '');
      } catch {
        errors.push('request body is not JSON');
      }
      if (errors.length === 0) errors.push(...this.#validate(pointer, body, 'request body'));
    }
    return { requestValid: checked ? errors.length === 0 : undefined, requestErrors: errors };
  }

  #checkResponse(op: Json, base: string, exchange: Exchange): string[] {
    const status = String(exchange.status);
    const responses = op.responses as Json;
    if (!(status in responses)) return [`status ${status} is not listed for ${op.operationId}`];
    let pointer = `${base}/responses/${status}`;
    let response = responses[status] as Json;
    if (typeof response.$ref === 'string') {
      pointer = response.$ref.slice(1);
      response = this.#at(pointer) as Json;
    }
    const errors: string[] = [];
    for (const [name, header] of Object.entries((response.headers as Json | undefined) ?? {})) {
      const value = exchange.headers.get(name);
      if (value === null) continue;
      const ref = (header as Json).$ref as string | undefined;
      const headerPointer = `${ref ? ref.slice(1) : `${pointer}/headers/${name}`}/schema`;
      const schema = this.#at(headerPointer) as Json;
      const typed = schema.type === 'integer' && /^-?\d+$/.test(value) ? Number(value) : value;
      errors.push(...this.#validate(headerPointer, typed, `header ${name}`));
    }
    const content = response.content as Json | undefined;
    if (!content) {
      if (exchange.body !== '') errors.push(`status ${status} has no content, got a body`);
      return errors;
    }
    const mediaType = (exchange.headers.get('content-type') ?? '').split(';')[0]!.trim();
    if (!(mediaType in content)) {
      return [...errors, `media type "${mediaType}" is not listed for ${status}`];
    }
    const schemaPointer = `${pointer}/content/${pointerToken(mediaType)}/schema`;
    let body: unknown = exchange.body;
    if (mediaType === 'application/json') {
      try {
        body = JSON.parse(exchange.body);
      } catch {
        return [...errors, 'response body is not JSON'];
      }
    }
    return [...errors, ...this.#validate(schemaPointer, body, 'response body')];
  }

  #validate(pointer: string, value: unknown, what: string): string[] {
    let validate = this.#validators.get(pointer);
    if (!validate) {
      validate = this.#ajv.getSchema(`${DOC_ID}#${pointer}`);
      if (!validate) throw new Error(`no schema at ${pointer}`);
      this.#validators.set(pointer, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e) => `${what}${e.instancePath} ${e.message}`);
  }

  #at(pointer: string): unknown {
    let node: unknown = this.doc;
    for (const part of pointer.split('/').slice(1)) {
      node = (node as Json)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    return node;
  }
}

/** JSON Pointer escaping of one token. */
function pointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
