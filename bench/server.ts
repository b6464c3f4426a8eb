// The minimal StemeDB stand-in: a bare node:http server answering POST /v1/assert with the
// emulator's 201 shape, so the server is never the bottleneck and the SDK's response validation
// passes. Run as a child process (target.ts forks it) so its CPU and memory are not the client's.
//
// Subjects starting with RETRY_SUBJECT_PREFIX are answered 503 the first time and 201 the
// second, which is how retry.ts measures a request that succeeds on its second attempt.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DUMMY_API_KEY, RETRY_SUBJECT_PREFIX, type ServerReady } from './protocol.js';

const RETRY_MARKER = `"subject":"${RETRY_SUBJECT_PREFIX}`;
const UNAVAILABLE = JSON.stringify({
  error: { code: 'unavailable', message: 'bench: first attempt refused on purpose' },
});

let sequence = 0;
/** Retry subjects already refused once, waiting for their second attempt. */
const refusedOnce = new Set<string>();

function reply(res: ServerResponse, status: number, body: string): void {
  sequence += 1;
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-request-id': `req_${sequence}`,
  });
  res.end(body);
}

function accepted(res: ServerResponse): void {
  const id = `asr_${sequence + 1}`;
  reply(res, 201, `{"id":"${id}","accepted_at":"${new Date().toISOString()}"}`);
}

/** The first attempt of a retry subject is refused; true when this request was. */
function refuseFirstAttempt(text: string, res: ServerResponse): boolean {
  if (!text.includes(RETRY_MARKER)) return false;
  const subject = (JSON.parse(text) as { subject: string }).subject;
  if (refusedOnce.delete(subject)) return false;
  refusedOnce.add(subject);
  reply(res, 503, UNAVAILABLE);
  return true;
}

function onAssert(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const text = chunks.length === 1 ? chunks[0]!.toString() : Buffer.concat(chunks).toString();
    if (refuseFirstAttempt(text, res)) return;
    accepted(res);
  });
}

const server = createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/v1/assert') return onAssert(req, res);
  req.resume();
  if (req.method === 'GET' && req.url === '/v1/health') return reply(res, 200, '{"status":"ok"}');
  reply(res, 404, '{"error":{"code":"not_found","message":"no such path"}}');
});
// Longer than any pause between warm-up and measurement, so kept-alive sockets stay open.
server.keepAliveTimeout = 60_000;

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  const ready: ServerReady = {
    type: 'ready',
    url: `http://127.0.0.1:${port}`,
    apiKey: DUMMY_API_KEY,
  };
  process.send?.(ready);
});

// The parent going away (or closing the IPC channel) ends the server.
process.on('disconnect', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
