/** `stemedb-admin provision <projects-file>`: the CLI side of {@link planProvision} and apply. */
import { applySavedPlan, planProvision, provision } from '../commands/provision.js';
import { EXIT_CODES } from '../errors.js';
import { readProjectsFile } from '../projects-file.js';
import { adminKeyOf, type CommonFlags, intFlag, urlOf, withStore } from './common.js';
import {
  catchInterrupts,
  EXIT_INTERRUPTED,
  projectRunNotices,
  renderInterrupted,
} from './interrupt.js';
import { type Io, printJson, QuietExit } from './io.js';
import { startProgress } from './progress.js';
import { planJson, renderPlan, renderResult, resultJson } from './render-provision.js';
import { type GraceFlags, graceOf, type RunFlags, runOptionsOf } from './run-flags.js';
import {
  checkSavedPlanFlags,
  readSavedPlan,
  type SavedPlanFlags,
  writeSavedPlan,
} from './run-saved-plan.js';

interface ProvisionFlags extends CommonFlags, RunFlags, GraceFlags, SavedPlanFlags {
  maxRevoke?: string;
  allowMassRevoke?: boolean;
  prune?: boolean;
  dryRun?: boolean;
  concurrency?: string;
  readConcurrency?: string;
}

function renderUnlisted(result: Awaited<ReturnType<typeof provision>>): string {
  if (result.pruned !== undefined && result.pruned.length > 0) {
    return result.pruned
      .map((p) =>
        p.error === undefined
          ? `pruned ${p.project}: revoked ${p.revoked} key(s); secret kept, marked off-boarded\n`
          : `failed to prune ${p.project}: ${p.error}\n`,
      )
      .join('');
  }
  if (result.unlisted.length === 0) return '';
  return `stored projects not in the projects file (--prune off-boards them): ${result.unlisted.join(', ')}\n`;
}

export async function runProvision(
  file: string | undefined,
  flags: ProvisionFlags,
  io: Io,
): Promise<void> {
  // Everything that can be wrong with the input is checked before anything is contacted.
  checkSavedPlanFlags(file, flags);
  const concurrency = intFlag('concurrency', flags.concurrency, 1, 256);
  const readConcurrency = intFlag('read-concurrency', flags.readConcurrency, 1, 256);
  const run = {
    ...runOptionsOf(flags, io),
    ...graceOf(flags),
    maxRevoke: intFlag('max-revoke', flags.maxRevoke, 0, 1_000_000),
    allowMassRevoke: flags.allowMassRevoke,
    prune: flags.prune,
  };
  const url = urlOf(flags, io);
  const saved = flags.plan === undefined ? undefined : await readSavedPlan(flags.plan);
  const projects = file === undefined ? [] : await readProjectsFile(file);
  await withStore(flags, io, async (store) => {
    const adminKey = await adminKeyOf(flags, io, store);
    const options = { url, adminKey, store, projects, concurrency, readConcurrency, ...run };
    if (flags.planOut !== undefined) {
      const { failed } = await writeSavedPlan(flags.planOut, options, io, flags.json === true);
      if (failed > 0) throw new QuietExit(EXIT_CODES.failed);
      return;
    }
    if (flags.dryRun === true) {
      // Unlisted projects are found under the lease by a real run; the dry run plans the file.
      const plan = await planProvision({ ...options, storeReads: 'all' });
      if (flags.json === true) printJson(io, planJson(plan));
      else io.stdout.write(renderPlan(plan, io));
      if (plan.summary.failed > 0) throw new QuietExit(EXIT_CODES.failed);
      return;
    }
    // One lease for the plan and the apply: the plan printed is the plan applied. A real run
    // reads only the stored keys it needs (ProjectPlan.unread); --dry-run reads all.
    let progress: Awaited<ReturnType<typeof startProgress>> | undefined;
    const interrupt = catchInterrupts(io, projectRunNotices('provision'));
    const result = await (saved === undefined ? provision : applySavedPlan.bind(null, saved))({
      ...options,
      stop: interrupt.stop,
      onPlan: async (plan) => {
        if (flags.json !== true) io.stdout.write(renderPlan(plan, io));
        progress = await startProgress(io, 'provision');
      },
      onProgress: (d, t, f) => progress?.update(d, t, f),
    }).finally(() => {
      progress?.stop();
      interrupt.dispose();
    });
    if (flags.json === true) {
      printJson(io, {
        ...resultJson(result),
        unlisted: result.unlisted,
        ...(result.pruned === undefined ? {} : { pruned: result.pruned }),
      });
    } else {
      io.stdout.write(renderResult(result, io) + renderUnlisted(result));
      if (result.interrupted !== undefined) {
        io.stdout.write(renderInterrupted(result.interrupted.notStarted));
      }
    }
    if (interrupt.stop.aborted) throw new QuietExit(EXIT_INTERRUPTED);
    if (result.summary.failed > 0) throw new QuietExit(EXIT_CODES.failed);
  });
}
