/**
 * A plain node:http server on port 0, for what the emulator is not meant to do: odd bodies,
 * malformed headers, responses that break the OpenAPI file.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the raw server saw. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface RawServer {
  url: string;
  port: number;
  seen: SeenRequest[];
  /** TCP connections accepted so far. */
  connections(): number;
  /** Requests being handled right now, and the most at once so far. */
  inFlight(): { now: number; max: number };
  close(): Promise<void>;
}

export type Handler = (
  req: SeenRequest,
  res: ServerResponse,
  raw: IncomingMessage,
) => void | Promise<void>;

/** Starts a server on 127.0.0.1:0 that hands every request, body read, to `handler`. */
export async function startRawServer(handler: Handler): Promise<RawServer> {
  const seen: SeenRequest[] = [];
  let connections = 0;
  let now = 0;
  let max = 0;
  const server = createServer(async (raw, res) => {
    now++;
    max = Math.max(max, now);
    res.on('close', () => {
      now--;
    });
    const chunks: Buffer[] = [];
    for await (const chunk of raw) chunks.push(chunk as Buffer);
    const req: SeenRequest = {
      method: raw.method ?? '',
      url: raw.url ?? '',
      headers: raw.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    seen.push(req);
    try {
      await handler(req, res, raw);
    } catch (error) {
      res.destroy(error as Error);
    }
  });
  server.on('connection', () => {
    connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    connections: () => connections,
    inFlight: () => ({ now, max }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers with `status`, `body` and `headers` (JSON content type unless told otherwise). */
export function reply(
  res: ServerResponse,
  status: number,
  body: string | object = '',
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}
