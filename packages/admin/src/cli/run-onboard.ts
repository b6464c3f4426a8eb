/** `stemedb-admin onboard <project>`: the CLI side of {@link onboard}. */
import { onboard } from '../commands/onboard.js';
import { type CommonFlags, urlOf, withStore } from './common.js';
import { type Io, printJson } from './io.js';

interface OnboardFlags extends CommonFlags {
  reveal?: boolean;
}

export async function runOnboard(project: string, flags: OnboardFlags, io: Io): Promise<void> {
  const url = urlOf(flags, io);
  const result = await withStore(flags, io, (store) =>
    onboard({ url, store, project, reveal: flags.reveal }),
  );
  if (flags.json === true) return printJson(io, result);
  const lines = [
    `# 1. Add to the project's .aphoria/config.toml:`,
    result.config.trimEnd(),
    '',
    `# 2. In CI, set the secret variable ${result.ciVariable} to the key. Fetch it with:`,
    result.fetchCommand,
  ];
  if (!result.stored) {
    lines.push(
      '',
      `# note: the store holds no ${result.secret} yet: run stemedb-admin provision first`,
    );
  }
  if (result.key !== undefined) lines.push('', `${result.ciVariable}=${result.key}`);
  io.stdout.write(`${lines.join('\n')}\n`);
}
