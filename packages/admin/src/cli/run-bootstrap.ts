/** `stemedb-admin bootstrap`: the CLI side of {@link bootstrap}. */
import { bootstrap } from '../commands/bootstrap.js';
import { type CommonFlags, withStore } from './common.js';
import { type Io, printJson, UsageError } from './io.js';

interface BootstrapFlags extends CommonFlags {
  reveal?: boolean;
  check?: boolean;
}

export async function runBootstrap(flags: BootstrapFlags, io: Io): Promise<void> {
  const url = flags.url ?? io.env.STEMEDB_URL;
  if (flags.check === true && (url === undefined || url === '')) {
    throw new UsageError(
      'bootstrap --check tries the key on the server: pass --url or set STEMEDB_URL',
    );
  }
  const result = await withStore(flags, io, (store) =>
    bootstrap({
      store,
      check: flags.check,
      url: url === '' ? undefined : url,
      reveal: flags.reveal,
    }),
  );
  if (flags.json === true) return printJson(io, result);
  const spec = flags.store ?? '';
  const lines = [
    flags.check === true
      ? `root key ${result.secret} is stored`
      : result.created
        ? `stored a new root key as ${result.secret}`
        : `a root key is stored already as ${result.secret}; kept it`,
    `  key hash: ${result.hash}`,
  ];
  if (result.serverAccepts === true) lines.push('  the server accepts it on its admin API');
  if (result.serverAccepts === false) {
    lines.push('  the server does not accept it yet (not seeded, or seeded with another key)');
  }
  if (result.created && url !== undefined && url !== '') {
    lines.push('  not tried on the server: it cannot know a key before it is seeded with it');
  }
  if (result.key !== undefined) lines.push(`  key: ${result.key}`);
  if (flags.check !== true) {
    lines.push(
      `next: seed the server with it (STEMEDB_ROOT_API_KEY from ${result.secret}${spec === '' ? '' : ` in ${spec}`}), then check: stemedb-admin bootstrap --check --url <url>`,
    );
  }
  io.stdout.write(`${lines.join('\n')}\n`);
}
