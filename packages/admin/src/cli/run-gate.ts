/** `stemedb-admin gate <phase1|phase3|all>`: the CLI side of {@link gate}. */
import { resolveAdminKey } from '../admin-key.js';
import { gate } from '../commands/gate/gate.js';
import type { GateCheck } from '../commands/gate/types.js';
import { EXIT_CODES } from '../errors.js';
import { type CommonFlags, intFlag, openStore, urlOf } from './common.js';
import { type Io, palette, printJson, QuietExit, UsageError } from './io.js';
import { renderTable } from './table.js';

interface GateFlags extends CommonFlags {
  restartCmd?: string;
  restartTimeout?: string;
  projects?: string;
  rateLimitRequests?: string;
}

const PHASES = ['phase1', 'phase3', 'all'] as const;

export async function runGate(phase: string, flags: GateFlags, io: Io): Promise<void> {
  if (!(PHASES as readonly string[]).includes(phase)) {
    throw new UsageError(`gate: unknown phase ${JSON.stringify(phase)}; use phase1, phase3 or all`);
  }
  const url = urlOf(flags, io);
  const restartTimeout = intFlag('restart-timeout', flags.restartTimeout, 1, 86_400);
  const projects = intFlag('projects', flags.projects, 2, 100);
  const rateLimitRequests = intFlag('rate-limit-requests', flags.rateLimitRequests, 1, 1_000_000);
  // The store is opened only to read the admin key from it; the gate's own keys never go there.
  const store = flags.adminKeyFromStore === true ? await openStore(flags, io) : undefined;
  let adminKey: string;
  try {
    adminKey = await resolveAdminKey({
      env: io.env,
      stdin: flags.adminKeyStdin === true ? io.stdin : undefined,
      fromStore: store,
    });
  } finally {
    await store?.close();
  }
  const c = palette(io.stdout, io.env);
  const json = flags.json === true;
  const result = await gate({
    url,
    adminKey,
    phase: phase as (typeof PHASES)[number],
    restartCmd: flags.restartCmd,
    restartTimeoutMs: restartTimeout === undefined ? undefined : restartTimeout * 1000,
    projects,
    rateLimitRequests,
    // On a terminal each check shows as it is decided; the table follows.
    onCheck:
      json || io.stdout.isTTY !== true
        ? undefined
        : (check) => io.stderr.write(`${mark(check, c)} ${check.check}\n`),
  });
  if (json) printJson(io, result.checks);
  else {
    const rows = result.checks.map((k) => [k.phase, k.check, mark(k, c), k.detail]);
    const failed = result.checks.filter((k) => !k.ok).length;
    const tail = result.ok
      ? c.green('gate passed')
      : c.red(`gate failed: ${failed} of ${result.checks.length} checks`);
    io.stdout.write(`${renderTable(['PHASE', 'CHECK', 'RESULT', 'DETAIL'], rows)}\n${tail}\n`);
  }
  if (!result.ok) throw new QuietExit(EXIT_CODES.failed);
}

function mark(check: GateCheck, c: ReturnType<typeof palette>): string {
  return check.ok ? c.green('pass') : c.red('FAIL');
}
