/**
 * Errors, retries and cancelling with `@stemedb/sdk`: every failure is a `StemeError` with a
 * stable `code` (decide on it, via `isStemeError`, rather than on messages); a 503 window (a
 * restarting pod behind Traefik) ridden out by the retry schedule, here shortened to 100 ms /
 * 200 ms / 400 ms; retries running out; and an `AbortSignal` cancelling a call while it waits
 * to retry.
 *
 * Run it with `pnpm build && npx tsx examples/errors-retries-abort.ts`: with no environment it
 * starts a StemeDB emulator in-process, whose fault injection plays the outages. Against a real
 * StemeDB (`STEMEDB_URL=https://stemedb.<domain>`, and `STEMEDB_API_KEY` exported from your secret
 * store, never typed on a command line, where shell history keeps it) only the error part runs:
 * outages cannot be injected there.
 */
import { type Emulator, startEmulator } from '@stemedb/emulator';
import { generateApiKey, isStemeError, type RetryInfo, StemeClient } from '@stemedb/sdk';

/** What a caller would do about each error code: the codes are stable, messages are not. */
function advice(error: unknown): string {
  if (!isStemeError(error)) throw error;
  switch (error.code) {
    case 'invalid_input':
    case 'invalid_request':
      return `fix the input: ${error.detail}`;
    case 'unauthorized':
    case 'forbidden':
      return `check the key and its role (request ${error.requestId ?? 'without an id'})`;
    case 'unavailable':
    case 'network':
    case 'timeout':
      return `StemeDB is down or slow: try later (${error.attempts} attempts made)`;
    case 'aborted':
      return 'the caller cancelled it';
    default:
      return 'report it';
  }
}

function describe(error: unknown): string {
  if (!isStemeError(error)) throw error;
  const status = error.status === undefined ? '' : ` ${error.status}`;
  return `${error.name}${status} [${error.code}]: ${advice(error)}`;
}

const onRetry = (r: RetryInfo) =>
  console.log(`  attempt ${r.attempt} failed (${r.error.code}); retrying in ${r.delayMs} ms`);

const ping = { subject: 'examples/errors', predicate: 'ping', value: true, agent_id: 'example' };

async function showErrors(baseUrl: string, apiKey: string | undefined): Promise<void> {
  const client = new StemeClient({ baseUrl, apiKey });
  try {
    // Checked against the OpenAPI bounds before anything is sent.
    await client.assert({ ...ping, subject: '' }).catch((e) => console.log(describe(e)));
  } finally {
    await client.close();
  }
  // A well-formed key the server does not know: 401, never retried.
  const stranger = new StemeClient({ baseUrl, apiKey: generateApiKey() });
  try {
    await stranger.listAssertions({ subject: ping.subject }).catch((e) => console.log(describe(e)));
  } finally {
    await stranger.close();
  }
}

async function showRetries(emulator: Emulator): Promise<void> {
  // Retry options are data: the schedule, which statuses, a hook told before every wait.
  const client = new StemeClient({
    baseUrl: emulator.url,
    apiKey: emulator.rootApiKey,
    retry: { delays: [100, 200, 400], onRetry },
  });
  try {
    console.log('a 250 ms 503 window, then a write:');
    emulator.faults.outage({ ms: 250, mode: 503 });
    const written = await client.assert(ping);
    console.log(`  written through it (id ${written.id})`);

    console.log('a 503 window longer than the retries (two, this call):');
    emulator.faults.outage({ ms: 60_000, mode: 503 });
    await client
      .assert(ping, { retry: { delays: [100, 200], onRetry } })
      .catch((e) => console.log(`  ${describe(e)}`));

    console.log('still down; the default 2 s / 4 s / 8 s schedule, cancelled while it waits:');
    // Any AbortSignal works (`AbortSignal.timeout(ms)` too). It cancels the attempt in flight
    // or, as here, the wait before the next one: a Ctrl-C handler would call abort().
    const controller = new AbortController();
    const cancelSoon = (r: RetryInfo) => {
      onRetry(r);
      setTimeout(() => controller.abort(new Error('stopped by the user')), 300);
    };
    await client
      .assert(ping, {
        signal: controller.signal,
        retry: { delays: [2000, 4000, 8000], onRetry: cancelSoon },
      })
      .catch((e) => console.log(`  ${describe(e)}`));
  } finally {
    emulator.faults.clear();
    await client.close();
  }
}

async function main(): Promise<void> {
  const emulator = process.env.STEMEDB_URL ? undefined : await startEmulator();
  const baseUrl = emulator?.url ?? (process.env.STEMEDB_URL as string);
  console.log(`StemeDB at ${baseUrl}${emulator ? ' (emulator)' : ''}`);
  try {
    await showErrors(baseUrl, emulator?.rootApiKey ?? process.env.STEMEDB_API_KEY);
    if (emulator) await showRetries(emulator);
    else console.log('retries and cancelling: skipped (they need the emulator to inject outages)');
  } finally {
    await emulator?.close();
  }
}

main().catch((error: unknown) => {
  console.error(isStemeError(error) ? `${error.code}: ${error.message}` : error);
  process.exitCode = 1;
});
