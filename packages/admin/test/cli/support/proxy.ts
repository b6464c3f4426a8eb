/**
 * Test support: a loopback HTTP proxy in front of the emulator that can hold one request where
 * a test wants the client stopped, so a crash test knows exactly which step the child was at
 * when it is killed: after the server answered (the server has done it, the client never
 * hears), or before the request reaches the server (the server never does it).
 */
import { createServer, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Which request to hold, and where. */
export interface HoldRule {
  method: string;
  path: RegExp;
  /** Hold the `nth` matching request (1-based). */
  nth: number;
  /**
   * `after`: forward it and keep the server's answer; `before`: never forward it; `fail`:
   * answer it 409 without forwarding (a failure the SDK does not retry).
   */
  when: 'before' | 'after' | 'fail';
}

/** A running proxy. */
export interface HoldingProxy {
  url: string;
  /** Resolves once the rule's request is being held. */
  held: Promise<void>;
  close(): Promise<void>;
}

/** Starts a proxy to `target` (an http:// base URL) that holds the request `rule` names. */
export async function startHoldingProxy(target: string, rule: HoldRule): Promise<HoldingProxy> {
  const upstream = new URL(target);
  let matches = 0;
  let onHeld: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    onHeld = resolve;
  });
  const holding: ServerResponse[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hit =
        req.method === rule.method && rule.path.test(req.url ?? '') && ++matches === rule.nth;
      if (hit && rule.when === 'fail') {
        res.writeHead(409, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ error: { code: 'conflict', message: 'refused by the test proxy' } }),
        );
        return;
      }
      if (hit && rule.when === 'before') {
        holding.push(res);
        onHeld();
        return;
      }
      const out = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (up) => {
          const body: Buffer[] = [];
          up.on('data', (c: Buffer) => body.push(c));
          up.on('end', () => {
            if (hit) {
              holding.push(res);
              onHeld();
              return;
            }
            res.writeHead(up.statusCode ?? 502, up.headers);
            res.end(Buffer.concat(body));
          });
        },
      );
      out.on('error', () => res.destroy());
      out.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    held,
    async close() {
      for (const res of holding) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
