import type { ServerResponse } from 'node:http';
import { errorBody, type HttpError } from './errors.js';

/** What a handler answers; the server writes it (see {@link writeReply}). */
export interface Reply {
  status: number;
  /** A JSON value (serialised) or a string (sent as is); omit for no body. */
  body?: unknown;
  /** Defaults to `application/json` for JSON bodies. */
  contentType?: string;
  headers?: Readonly<Record<string, string>>;
  /** Close the connection once the reply is written. */
  closeConnection?: boolean;
}

/** A JSON reply. */
export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return { status, body, contentType: 'application/json', ...(headers ? { headers } : {}) };
}

/** A reply with no body (204). */
export function empty(status: number): Reply {
  return { status };
}

/** The reply for an {@link HttpError}: an ErrorBody with the error's headers. */
export function errorReply(err: HttpError): Reply {
  return {
    status: err.status,
    body: errorBody(err.code, err.message),
    contentType: 'application/json',
    headers: err.headers,
    closeConnection: err.closeConnection,
  };
}

/** Writes a reply; ignores a client that has already gone away. */
export function writeReply(res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  let payload: string | undefined;
  if (typeof reply.body === 'string') payload = reply.body;
  else if (reply.body !== undefined) payload = JSON.stringify(reply.body);
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  if (payload !== undefined) {
    res.setHeader('Content-Type', reply.contentType ?? 'application/json');
    res.setHeader('Content-Length', Buffer.byteLength(payload));
  }
  if (reply.closeConnection) res.setHeader('Connection', 'close');
  res.statusCode = reply.status;
  res.end(payload);
}
