// `tsx bench/memory-dispatch.ts --client sdk`: CPU per request with the socket left out. A
// Dispatcher answers every dispatch from memory on the next setImmediate (201, headers, one body
// chunk, end), so everything above the socket runs: undici's request API, its handler and body
// stream for raw undici, the whole SDK for the SDK. On a machine shared with other work the
// socket bench's CPU ratios scatter; this one moves less, and it is how the SDK's extra CPU on
// undici 8 was found (bench/README.md, "SDK over undici 8 and Node 24"). One JSON line to
// stdout. `--sdk <file>` measures another build of the SDK (e.g. one of bench/shortcuts').

import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Dispatcher, request } from 'undici';
import { ASSERTION, type AssertionInput, DUMMY_API_KEY } from './protocol.js';

const { values } = parseArgs({
  options: {
    client: { type: 'string', default: 'sdk' },
    sdk: { type: 'string' },
    concurrency: { type: 'string', default: '16' },
    warmup: { type: 'string', default: '20000' },
    requests: { type: 'string', default: '40000' },
  },
});

const ORIGIN = 'http://127.0.0.1:9'; // never connected to
let sequence = 0;

class MemoryDispatcher extends Dispatcher {
  override dispatch(_options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) {
    setImmediate(() => {
      let aborted: Error | null = null;
      const controller: Dispatcher.DispatchController = {
        get aborted() {
          return aborted !== null;
        },
        paused: false,
        get reason() {
          return aborted;
        },
        abort(reason: Error) {
          aborted = reason;
        },
        pause() {},
        resume() {},
      };
      handler.onRequestStart?.(controller, {});
      if (aborted !== null) return handler.onResponseError?.(controller, aborted);
      sequence += 1;
      const body = Buffer.from(
        `{"id":"asr_${sequence}","accepted_at":"${new Date().toISOString()}"}`,
      );
      const headers = {
        'content-type': 'application/json',
        'content-length': String(body.length),
        'x-request-id': `req_${sequence}`,
      };
      handler.onResponseStart?.(controller, 201, headers, 'Created');
      handler.onResponseData?.(controller, body);
      handler.onResponseEnd?.(controller, {});
    });
    return true;
  }
  override close(): Promise<void> {
    return Promise.resolve();
  }
  override destroy(): Promise<void> {
    return Promise.resolve();
  }
}

interface SdkModule {
  StemeClient: new (options: {
    baseUrl: string;
    apiKey: string;
    dispatcher: Dispatcher;
  }) => { assert(input: AssertionInput): Promise<unknown> };
}

async function sender(dispatcher: Dispatcher): Promise<(input: AssertionInput) => Promise<void>> {
  if (values.client === 'undici') {
    // As clients/undici.ts sends, against the memory dispatcher.
    const url = `${ORIGIN}/v1/assert`;
    const headers = { 'content-type': 'application/json', 'x-api-key': DUMMY_API_KEY };
    return async (input) => {
      const res = await request(url, {
        dispatcher,
        method: 'POST',
        headers,
        body: JSON.stringify(input),
      });
      await res.body.json();
    };
  }
  if (values.client !== 'sdk') throw new Error(`--client: undici or sdk, not ${values.client}`);
  const mod = (await import(
    values.sdk === undefined ? '@stemedb/sdk' : pathToFileURL(values.sdk).href
  )) as SdkModule;
  const sdk = new mod.StemeClient({ baseUrl: ORIGIN, apiKey: DUMMY_API_KEY, dispatcher });
  return async (input) => {
    await sdk.assert(input);
  };
}

async function run(send: (input: AssertionInput) => Promise<void>, count: number): Promise<void> {
  let started = 0;
  const caller = async () => {
    while (started < count) {
      started += 1;
      await send(ASSERTION);
    }
  };
  await Promise.all(Array.from({ length: Number(values.concurrency) }, caller));
}

const send = await sender(new MemoryDispatcher());
await run(send, Number(values.warmup));
const requests = Number(values.requests);
const cpu = process.cpuUsage();
await run(send, requests);
const used = process.cpuUsage(cpu);
const cpuUsPerRequest = (used.user + used.system) / requests;
process.stdout.write(
  `${JSON.stringify({ client: values.client, sdk: values.sdk, concurrency: Number(values.concurrency), requests, cpuUsPerRequest: Number(cpuUsPerRequest.toFixed(2)) })}\n`,
);
process.exit(0);
