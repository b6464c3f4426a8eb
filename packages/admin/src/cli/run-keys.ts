/** `stemedb-admin rotate | revoke | list`: the CLI side of {@link rotate}, {@link revoke}, {@link list}. */
import { list } from '../commands/list.js';
import { revoke } from '../commands/revoke.js';
import { rotate } from '../commands/rotate.js';
import { EXIT_CODES } from '../errors.js';
import { adminKeyOf, type CommonFlags, intFlag, urlOf, withStore } from './common.js';
import {
  catchInterrupts,
  EXIT_INTERRUPTED,
  projectRunNotices,
  renderInterrupted,
} from './interrupt.js';
import { type Io, palette, printJson, QuietExit, UsageError } from './io.js';
import { startProgress } from './progress.js';
import { renderResult, resultJson } from './render-provision.js';
import { type GraceFlags, graceOf, type RunFlags, runOptionsOf } from './run-flags.js';
import { renderTable } from './table.js';

interface RotateFlags extends CommonFlags, RunFlags, GraceFlags {
  all?: boolean;
  concurrency?: string;
  maxRevoke?: string;
  allowMassRevoke?: boolean;
}

export async function runRotate(
  project: string | undefined,
  flags: RotateFlags,
  io: Io,
): Promise<void> {
  if ((project === undefined) === (flags.all !== true)) {
    throw new UsageError('rotate: give one project, or --all (not both)');
  }
  const concurrency = intFlag('concurrency', flags.concurrency, 1, 256);
  const maxRevoke = intFlag('max-revoke', flags.maxRevoke, 0, 1_000_000);
  const run = { ...runOptionsOf(flags, io), ...graceOf(flags) };
  const url = urlOf(flags, io);
  await withStore(flags, io, async (store) => {
    const adminKey = await adminKeyOf(flags, io, store);
    const progress = await startProgress(io, 'rotate');
    const interrupt = catchInterrupts(io, projectRunNotices('rotate'));
    const result = await rotate({
      url,
      adminKey,
      store,
      project,
      all: flags.all,
      concurrency,
      maxRevoke,
      allowMassRevoke: flags.allowMassRevoke,
      ...run,
      onProgress: (d, t, f) => progress.update(d, t, f),
      stop: interrupt.stop,
    }).finally(() => {
      progress.stop();
      interrupt.dispose();
    });
    if (flags.json === true) printJson(io, resultJson(result));
    else {
      io.stdout.write(renderResult(result, io));
      if (result.interrupted !== undefined) {
        io.stdout.write(renderInterrupted(result.interrupted.notStarted));
      }
    }
    if (interrupt.stop.aborted) throw new QuietExit(EXIT_INTERRUPTED);
    if (result.summary.failed > 0) throw new QuietExit(EXIT_CODES.failed);
  });
}

interface RevokeFlags extends CommonFlags, RunFlags {
  keepSecret?: boolean;
}

export async function runRevoke(project: string, flags: RevokeFlags, io: Io): Promise<void> {
  const run = runOptionsOf(flags, io);
  const url = urlOf(flags, io);
  await withStore(flags, io, async (store) => {
    const adminKey = await adminKeyOf(flags, io, store);
    const result = await revoke({
      url,
      adminKey,
      store,
      project,
      keepSecret: flags.keepSecret,
      ...run,
    });
    if (flags.json === true) return printJson(io, result);
    io.stdout.write(
      `revoked ${result.revoked} key(s) of project-${project}${result.secretDeleted ? `; deleted stemedb-key-${project}` : ''}\n`,
    );
  });
}

interface ListFlags extends CommonFlags {
  all?: boolean;
}

export async function runList(flags: ListFlags, io: Io): Promise<void> {
  const url = urlOf(flags, io);
  await withStore(flags, io, async (store) => {
    const adminKey = await adminKeyOf(flags, io, store);
    const result = await list({ url, adminKey, store, all: flags.all });
    if (flags.json === true) return printJson(io, result);
    const c = palette(io.stdout, io.env);
    const rows = result.keys.map((k) => [
      k.label,
      k.role,
      k.created,
      k.revoked === null ? 'live' : `revoked ${k.revoked}`,
      k.secret === null ? '-' : k.stored ? c.green('yes') : c.yellow('no'),
      k.hash.slice(0, 12),
    ]);
    let text = `${renderTable(['LABEL', 'ROLE', 'CREATED', 'STATE', 'STORED', 'HASH'], rows)}\n`;
    const dead = result.secrets.filter((s) => !s.live);
    if (dead.length > 0) {
      text += `\nstored secrets whose key the server does not know (run provision to repair):\n`;
      text += dead.map((s) => `  ${c.red(s.secret)}\n`).join('');
    }
    io.stdout.write(text);
  });
}
