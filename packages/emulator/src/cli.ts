import { Command, InvalidArgumentError } from 'commander';
import { API_KEY_PATTERN } from './keys.js';
import { ROOT_KEY_ENV } from './options.js';
import { startEmulator } from './server.js';
import type { EmulatorOptions } from './types.js';

/** The port of the roadmap's STEMEDB_BIND_ADDR (0.0.0.0:18180), so URLs match the cluster's. */
const DEFAULT_CLI_PORT = 18180;

const EXIT_STARTUP_FAILED = 1;

interface CliOptions {
  port: number;
  host: string;
  dataDir?: string;
  auth: boolean;
  rateLimit: boolean;
  rootApiKeyEnv: string;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new InvalidArgumentError('must be an integer from 0 to 65535');
  }
  return port;
}

const program = new Command()
  .name('stemedb-emulator')
  .description(
    'A local StemeDB HTTP server for development and tests. Not a database: state lives in memory unless --data-dir is given.',
  )
  .option(
    '-p, --port <port>',
    'port to listen on (0 picks a free one)',
    parsePort,
    DEFAULT_CLI_PORT,
  )
  .option('--host <host>', 'interface to bind', '127.0.0.1')
  .option('--data-dir <dir>', 'persist keys (hashes only) and assertions in this directory')
  .option('--no-auth', 'accept every request without a key (like STEMEDB_AUTH_ENABLED=false)')
  .option('--no-rate-limit', 'turn off the per-key rate limit (default: burst 200, 100/s)')
  .option(
    '--root-api-key-env <name>',
    'environment variable holding the root key; a fresh key is generated when it is unset',
    ROOT_KEY_ENV,
  )
  .addHelpText(
    'after',
    '\nPrints its URL and root key, then serves until SIGINT or SIGTERM.\nExit codes: 0 stopped by a signal, 1 could not start.',
  )
  .action(async (opts: CliOptions) => {
    const rootApiKey = process.env[opts.rootApiKeyEnv] || undefined;
    if (rootApiKey !== undefined && !API_KEY_PATTERN.test(rootApiKey)) {
      // Name the variable, never its value.
      process.stderr.write(
        `stemedb-emulator: ${opts.rootApiKeyEnv} must be steme_live_ followed by 48 lowercase hex characters\n`,
      );
      process.exitCode = EXIT_STARTUP_FAILED;
      return;
    }
    const options: EmulatorOptions = {
      port: opts.port,
      host: opts.host,
      auth: opts.auth,
      ...(opts.rateLimit ? {} : { rateLimit: false as const }),
      ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
      ...(rootApiKey ? { rootApiKey } : {}),
    };
    let emulator: Awaited<ReturnType<typeof startEmulator>>;
    try {
      emulator = await startEmulator(options);
    } catch (err) {
      // One line, no stack: the message never holds the key (options.ts says why).
      process.stderr.write(`stemedb-emulator: ${(err as Error).message}\n`);
      process.exitCode = EXIT_STARTUP_FAILED;
      return;
    }
    const stop = (signal: NodeJS.Signals) => {
      process.stdout.write(`Received ${signal}, closing.\n`);
      emulator.close().then(
        () => {
          process.exitCode = 0;
        },
        (err: unknown) => {
          process.stderr.write(`stemedb-emulator: ${(err as Error).message}\n`);
          process.exitCode = EXIT_STARTUP_FAILED;
        },
      );
    };
    // Before printing: whoever reads the URL may signal at once.
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);

    // The root key is printed on purpose: it is a local development key, and users need it.
    process.stdout.write(`StemeDB emulator listening on ${emulator.url}\n`);
    process.stdout.write(`Root API key (local development only): ${emulator.rootApiKey}\n`);
    if (!opts.auth) process.stdout.write('Auth is off: every request is accepted without a key.\n');
  });

await program.parseAsync(process.argv);
