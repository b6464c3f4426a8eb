/**
 * A loopback HTTP proxy in front of the emulator, for faults the emulator cannot make itself
 * (as Toxiproxy sits in front of a real server): a rule sees each request (method, path, body)
 * and decides to pass it, answer it instead (a 500 for one poison record, an HTML captive
 * portal), or pass it and then lose the answer (`reset` after apply) or replace it with a 502.
 * It also drops the `Idempotency-Key` header on request, so that a test can prove the client's
 * correctness does not depend on the server honouring the key.
 */
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does with one request. */
export type ProxyAction =
  | { kind: 'pass' }
  | { kind: 'answer'; status: number; body: string; contentType?: string }
  | { kind: 'reset-after' }
  | { kind: 'bad-gateway-after' };

/** A request as a rule sees it. */
export interface ProxiedRequest {
  method: string;
  path: string;
  body: string;
  headers: IncomingMessage['headers'];
}

/** A running proxy. */
export interface FaultProxy {
  readonly url: string;
  /** Every request that reached the proxy, in order (with the action taken). */
  readonly seen: Array<ProxiedRequest & { action: ProxyAction['kind'] }>;
  rule: (req: ProxiedRequest) => ProxyAction;
  /** Drop `Idempotency-Key` before forwarding (a server that ignores it). */
  stripIdempotencyKey: boolean;
  close(): Promise<void>;
}

/** Starts a proxy to `target` (the emulator's URL) on a free loopback port. */
export async function startProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const proxy: FaultProxy = {
    url: '',
    seen: [],
    rule: () => ({ kind: 'pass' }),
    stripIdempotencyKey: false,
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const seen: ProxiedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        body,
        headers: req.headers,
      };
      const action = proxy.rule(seen);
      proxy.seen.push({ ...seen, action: action.kind });
      if (action.kind === 'answer') {
        res.writeHead(action.status, { 'content-type': action.contentType ?? 'application/json' });
        res.end(action.body);
        return;
      }
      const headers: Record<string, string | string[] | undefined> = {
        ...req.headers,
        host: upstream.host,
      };
      if (proxy.stripIdempotencyKey) delete headers['idempotency-key'];
      const out = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers,
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (c: Buffer) => parts.push(c));
          answer.on('end', () => {
            // The write is applied upstream by now: the answer is what gets lost.
            if (action.kind === 'reset-after') {
              req.socket.destroy();
              return;
            }
            if (action.kind === 'bad-gateway-after') {
              res.writeHead(502, { 'content-type': 'text/plain' });
              res.end('Bad Gateway');
              return;
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(parts));
          });
        },
      );
      out.on('error', () => req.socket.destroy());
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(proxy, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return proxy;
}
