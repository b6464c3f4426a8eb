/** `stemedb-admin gate <phase1|phase2|phase3|all>`: the CLI side of {@link gate}. */
import { resolveAdminKey } from '../admin-key.js';
import { gate } from '../commands/gate/gate.js';
import type { GateCheck } from '../commands/gate/types.js';
import { EXIT_CODES } from '../errors.js';
import { type CommonFlags, intFlag, openStore, urlOf } from './common.js';
import { catchInterrupts, EXIT_INTERRUPTED } from './interrupt.js';
import { type Io, palette, printJson, QuietExit, UsageError } from './io.js';
import { renderTable } from './table.js';

interface GateFlags extends CommonFlags {
  restartCmd?: string;
  restartTimeout?: string;
  projects?: string;
  rateLimitRequests?: string;
  prometheusUrl?: string;
  alertmanagerUrl?: string;
  stopCmd?: string;
  startCmd?: string;
  backupRemote?: string;
}

const PHASES = ['phase1', 'phase2', 'phase3', 'all'] as const;

export async function runGate(phase: string, flags: GateFlags, io: Io): Promise<void> {
  if (!(PHASES as readonly string[]).includes(phase)) {
    throw new UsageError(
      `gate: unknown phase ${JSON.stringify(phase)}; use phase1, phase2, phase3 or all`,
    );
  }
  if (phase === 'phase2' && flags.prometheusUrl === undefined) {
    throw new UsageError(
      'gate phase2: give --prometheus-url (the Prometheus that scrapes StemeDB)',
    );
  }
  if ((flags.stopCmd === undefined) !== (flags.startCmd === undefined)) {
    throw new UsageError(
      'gate: --stop-cmd and --start-cmd go together (the kill test stops StemeDB and starts it again)',
    );
  }
  for (const [name, value] of [
    ['prometheus-url', flags.prometheusUrl],
    ['alertmanager-url', flags.alertmanagerUrl],
  ] as const) {
    if (value !== undefined && !/^https?:\/\/[^/]/.test(value)) {
      throw new UsageError(`--${name} must be an http(s) URL, not ${JSON.stringify(value)}`);
    }
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
  const interrupt = catchInterrupts(io, GATE_NOTICES);
  const result = await gate({
    url,
    prometheusUrl: flags.prometheusUrl,
    alertmanagerUrl: flags.alertmanagerUrl,
    stopCmd: flags.stopCmd,
    startCmd: flags.startCmd,
    backupRemote: flags.backupRemote,
    signal: interrupt.stop,
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
  }).finally(() => interrupt.dispose());
  if (json) printJson(io, result.checks);
  else {
    const rows = result.checks.map((k) => [k.phase, k.check, mark(k, c), k.detail]);
    const failed = result.checks.filter((k) => !k.ok).length;
    const tail = result.ok
      ? c.green('gate passed')
      : c.red(`gate failed: ${failed} of ${result.checks.length} checks`);
    io.stdout.write(`${renderTable(['PHASE', 'CHECK', 'RESULT', 'DETAIL'], rows)}\n${tail}\n`);
  }
  if (interrupt.stop.aborted) throw new QuietExit(EXIT_INTERRUPTED);
  if (!result.ok) throw new QuietExit(EXIT_CODES.failed);
}

/**
 * Ctrl-C and SIGTERM during a gate: the first stops the checks, and the kill test starts
 * StemeDB again if it stopped it, before the table is printed and the run exits 130. A second
 * signal exits at once: the operator's call, told what it may leave behind.
 */
const GATE_NOTICES = {
  first: 'gate stops; StemeDB is started again if the kill test stopped it',
  again: 'exiting now (StemeDB may be left stopped)',
};

function mark(check: GateCheck, c: ReturnType<typeof palette>): string {
  return check.ok ? c.green('pass') : c.red('FAIL');
}
