import { request as httpRequest } from 'node:http';

/** A request for {@link call}. `body` is sent as JSON; `rawBody` as is. */
export interface CallInit {
  method?: string;
  key?: string;
  body?: unknown;
  rawBody?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** A fully read response. */
export interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
  /** The request body as sent, for the conformance harness. */
  requestBody: string | undefined;
}

/** One request over loopback with the global fetch (undici); always reads the body. */
export async function call(
  baseUrl: string,
  path: string,
  init: CallInit = {},
): Promise<CallResult> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.key !== undefined) headers['x-api-key'] = init.key;
  let requestBody: string | undefined;
  if (init.rawBody !== undefined) requestBody = init.rawBody;
  else if (init.body !== undefined) requestBody = JSON.stringify(init.body);
  if (requestBody !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
  const res = await fetch(`${baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers,
    ...(requestBody !== undefined ? { body: requestBody } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json, requestBody };
}

/** The network error code a failed fetch carries (ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET…). */
export async function networkErrorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    return cause?.code ?? (err as { code?: string }).code ?? 'UNKNOWN';
  }
  throw new Error('expected a network error, got a response');
}

/**
 * A GET on a fresh connection with node:http (no pool), so a refused or reset connection shows
 * as such rather than as a stale pooled socket. Resolves with the status or the error code.
 */
export function rawGet(baseUrl: string, path = '/v1/health'): Promise<number | string> {
  return new Promise((resolve) => {
    const req = httpRequest(`${baseUrl}${path}`, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'UNKNOWN'));
    req.end();
  });
}

/** Polls `probe` until it returns true, failing after `timeoutMs`; for recovery checks. */
export async function eventually(probe: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
