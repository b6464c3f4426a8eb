import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_DEADLINE_MS,
  DEFAULT_MAX_RETRY_AFTER_MS,
  DEFAULT_RETRY,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_USER_AGENT,
  generateApiKey,
  isLoopbackHost,
  StemeClient,
  type StemeClientOptions,
  StemeValidationError,
} from '../src/index.js';

const clients: StemeClient[] = [];
function make(options: StemeClientOptions): StemeClient {
  const client = new StemeClient(options);
  clients.push(client);
  return client;
}
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

function optionError(options: unknown): StemeValidationError {
  try {
    make(options as StemeClientOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(StemeValidationError);
    return error as StemeValidationError;
  }
  throw new Error('expected the options to be refused');
}

describe('defaults', () => {
  it('are named constants: 30 s per attempt, 2 min per call, 2/4/8 s on 502/503', () => {
    expect(DEFAULT_TIMEOUT_MS).toBe(30_000);
    expect(DEFAULT_DEADLINE_MS).toBe(120_000);
    expect(DEFAULT_RETRY).toMatchObject({
      delays: [2000, 4000, 8000],
      statusCodes: [502, 503],
      retryOnNetworkErrors: true,
      retryAmbiguous: true,
      maxRetryAfterMs: DEFAULT_MAX_RETRY_AFTER_MS,
      jitter: 0,
    });
  });

  it('are what a client with only a baseUrl uses', () => {
    expect(make({ baseUrl: 'http://127.0.0.1:1' }).toJSON()).toMatchObject({
      timeoutMs: DEFAULT_TIMEOUT_MS,
      deadlineMs: DEFAULT_DEADLINE_MS,
      userAgent: DEFAULT_USER_AGENT,
      retry: { delays: [2000, 4000, 8000], statusCodes: [502, 503] },
      allowInsecureHttp: false,
    });
  });

  it('cannot be changed through the exported objects', () => {
    expect(Object.isFrozen(DEFAULT_RETRY)).toBe(true);
    expect(Object.isFrozen(DEFAULT_RETRY.delays)).toBe(true);
  });
});

describe('client options are validated once, strictly', () => {
  it.each([
    {
      given: { baseUrl: 'http://127.0.0.1:1', timeout: 5 },
      field: 'timeout',
      code: 'invalid_options',
    },
    { given: { baseUrl: 'http://127.0.0.1:1', retry: { delay: [1] } }, field: 'retry.delay' },
    { given: { baseUrl: 'http://127.0.0.1:1', timeoutMs: 0 }, field: 'timeoutMs' },
    { given: { baseUrl: 'http://127.0.0.1:1', timeoutMs: 1.5 }, field: 'timeoutMs' },
    { given: { baseUrl: 'http://127.0.0.1:1', deadlineMs: '5' }, field: 'deadlineMs' },
    {
      given: { baseUrl: 'http://127.0.0.1:1', retry: { delays: [100, -1] } },
      field: 'retry.delays.1',
    },
    {
      given: { baseUrl: 'http://127.0.0.1:1', retry: { statusCodes: [99] } },
      field: 'retry.statusCodes.0',
    },
    { given: { baseUrl: 'http://127.0.0.1:1', retry: { jitter: 2 } }, field: 'retry.jitter' },
    { given: { baseUrl: 'http://127.0.0.1:1', retry: { onRetry: 'log' } }, field: 'retry.onRetry' },
    { given: { baseUrl: 'http://127.0.0.1:1', retry: true }, field: 'retry' },
    { given: { baseUrl: 'http://127.0.0.1:1', userAgent: 'a\r\nX-Evil: 1' }, field: 'userAgent' },
    { given: { baseUrl: 'http://127.0.0.1:1', dispatcher: {} }, field: 'dispatcher' },
    { given: { baseUrl: 'http://127.0.0.1:1', sleep: 5 }, field: 'sleep' },
    { given: { baseUrl: 'http://127.0.0.1:1', apiKey: 'hunter2' }, field: 'apiKey' },
    { given: { baseUrl: 42 }, field: 'baseUrl' },
    { given: {}, field: 'baseUrl' },
    { given: { baseUrl: 'not a url' }, field: 'baseUrl' },
    { given: { baseUrl: 'ftp://127.0.0.1' }, field: 'baseUrl' },
    { given: { baseUrl: 'https://user:pw@stemedb.example.com' }, field: 'baseUrl' },
    { given: { baseUrl: 'https://stemedb.example.com/?x=1' }, field: 'baseUrl' },
  ])('refuses $field in $given', ({ given, field }) => {
    const error = optionError(given);
    expect(error.code).toBe('invalid_options');
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
  });

  it('names an unknown key as unknown', () => {
    expect(optionError({ baseUrl: 'http://127.0.0.1:1', apikey: 'x' }).message).toBe(
      'Unknown client option "apikey"',
    );
  });

  it('refuses a non-object', () => {
    expect(optionError('http://127.0.0.1:1').code).toBe('invalid_options');
  });

  it('accepts a URL object, a key, an injected dispatcher, sleep and clock', () => {
    const dispatcher = new Agent();
    const client = make({
      baseUrl: new URL('https://stemedb.example.com/prefix/'),
      apiKey: generateApiKey(),
      dispatcher,
      sleep: async () => {},
      now: () => 0,
      retry: false,
      userAgent: 'my-app/1.0',
    });
    expect(client.baseUrl).toBe('https://stemedb.example.com/prefix/');
    expect(client.toJSON()).toMatchObject({ retry: false, userAgent: 'my-app/1.0' });
    return dispatcher.close();
  });

  it('fills retry fields not given from the defaults', () => {
    const client = make({ baseUrl: 'http://127.0.0.1:1', retry: { delays: [10] } });
    expect(client.toJSON().retry).toMatchObject({ delays: [10], statusCodes: [502, 503] });
  });
});

describe('plain http is refused to a host that is not loopback', () => {
  it.each([
    { baseUrl: 'http://stemedb.example.com', allowed: false },
    { baseUrl: 'http://10.0.0.5:18180', allowed: false },
    { baseUrl: 'http://0.0.0.0:18180', allowed: false },
    { baseUrl: 'http://[::2]:18180', allowed: false },
    { baseUrl: 'http://localhost:18180', allowed: true },
    { baseUrl: 'http://LOCALHOST:18180', allowed: true },
    { baseUrl: 'http://127.0.0.1:18180', allowed: true },
    { baseUrl: 'http://127.255.0.9:18180', allowed: true },
    { baseUrl: 'http://[::1]:18180', allowed: true },
    { baseUrl: 'https://stemedb.example.com', allowed: true },
  ])('$baseUrl allowed: $allowed', ({ baseUrl, allowed }) => {
    if (allowed) {
      expect(() => make({ baseUrl })).not.toThrow();
    } else {
      const error = optionError({ baseUrl });
      expect(error.field).toBe('baseUrl');
      expect(error.message).toContain('allowInsecureHttp');
    }
  });

  it('is allowed anyway with allowInsecureHttp: true', () => {
    expect(() =>
      make({ baseUrl: 'http://stemedb.internal', allowInsecureHttp: true }),
    ).not.toThrow();
  });
});

describe('isLoopbackHost', () => {
  it.each([
    { host: 'localhost', want: true },
    { host: '127.0.0.1', want: true },
    { host: '127.1.2.3', want: true },
    { host: '[::1]', want: true },
    { host: '128.0.0.1', want: false },
    { host: 'localhost.example.com', want: false },
    { host: '127.0.0.1.nip.io', want: false },
  ])('$host -> $want', ({ host, want }) => {
    expect(isLoopbackHost(host)).toBe(want);
  });
});

describe('per-call options', () => {
  it.each([
    { given: { timeout: 5 }, field: 'timeout' },
    { given: { timeoutMs: -1 }, field: 'timeoutMs' },
    { given: { signal: 'stop' }, field: 'signal' },
    { given: { retry: { delays: 'fast' } }, field: 'retry.delays' },
    // Near misses of the no-options shortcut (options.ts): nothing for-in sees, yet an option.
    { given: Object.create({ timeoutMs: -1 }), field: 'timeoutMs' },
    { given: Object.defineProperty({}, 'timeoutMs', { value: -1 }), field: 'timeoutMs' },
  ])('refuses $field before sending', async ({ given, field }) => {
    const client = make({ baseUrl: 'http://127.0.0.1:1' });
    const error = await client.health(given as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StemeValidationError);
    expect((error as StemeValidationError).field).toBe(field);
    expect((error as StemeValidationError).attempts).toBe(0);
  });
});
