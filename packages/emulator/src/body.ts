import type { IncomingMessage } from 'node:http';
import { HttpError } from './errors.js';

/**
 * Reads a JSON request body of at most `limitBytes`. Over the limit it stops reading and throws
 * a 413 that closes the connection, rather than buffer a body it will refuse anyway.
 */
export async function readJsonBody(req: IncomingMessage, limitBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) throw tooLarge(limitBytes);
  // 400 rather than 415: the yaml lists 400 (not 415) for these operations, and a body in the
  // wrong media type is a malformed request as far as the contract goes.
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw new HttpError(400, 'invalid_request', 'Content-Type must be application/json');
  }

  const text = (await collect(req, limitBytes)).toString('utf8');
  if (text.length === 0) throw new HttpError(400, 'invalid_request', 'The body is empty');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'invalid_request', 'The body is not valid JSON');
  }
}

/**
 * Collects the body with listeners rather than `for await`: leaving an async iterator early
 * destroys the request and with it the socket, and the 413 could then never be written.
 */
function collect(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onCut);
      req.off('close', onCut);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limitBytes) return void chunks.push(chunk);
      done();
      req.pause();
      reject(tooLarge(limitBytes));
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(chunks));
    };
    // The client went away mid-body; nobody will read the answer, but the handler must end.
    const onCut = () => {
      done();
      reject(new HttpError(400, 'invalid_request', 'The body was cut short'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onCut);
    req.on('close', onCut);
  });
}

function tooLarge(limitBytes: number): HttpError {
  return new HttpError(
    413,
    'payload_too_large',
    `The body is over the limit of ${limitBytes} bytes`,
    {},
    true,
  );
}
