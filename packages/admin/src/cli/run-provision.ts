/** `stemedb-admin provision <projects-file>`: the CLI side of {@link planProvision} and apply. */
import { applyProvision, planProvision } from '../commands/provision.js';
import { EXIT_CODES } from '../errors.js';
import { readProjectsFile } from '../projects-file.js';
import { adminKeyOf, type CommonFlags, intFlag, urlOf, withStore } from './common.js';
import { type Io, printJson, QuietExit } from './io.js';
import { startProgress } from './progress.js';
import { planJson, renderPlan, renderResult, resultJson } from './render-provision.js';

interface ProvisionFlags extends CommonFlags {
  dryRun?: boolean;
  concurrency?: string;
  readConcurrency?: string;
}

export async function runProvision(file: string, flags: ProvisionFlags, io: Io): Promise<void> {
  // Everything that can be wrong with the input is checked before anything is contacted.
  const concurrency = intFlag('concurrency', flags.concurrency, 1, 256);
  const readConcurrency = intFlag('read-concurrency', flags.readConcurrency, 1, 256);
  const url = urlOf(flags, io);
  const projects = await readProjectsFile(file);
  await withStore(flags, io, async (store) => {
    const adminKey = await adminKeyOf(flags, io, store);
    const options = { url, adminKey, store, projects, concurrency, readConcurrency };
    // A real run reads only the stored keys it needs (ProjectPlan.unread); --dry-run reads all.
    const plan = await planProvision({
      ...options,
      storeReads: flags.dryRun === true ? 'all' : 'needed',
    });
    if (flags.dryRun === true) {
      if (flags.json === true) printJson(io, planJson(plan));
      else io.stdout.write(renderPlan(plan, io));
      if (plan.summary.failed > 0) throw new QuietExit(EXIT_CODES.failed);
      return;
    }
    if (flags.json !== true) io.stdout.write(renderPlan(plan, io));
    const progress = await startProgress(io, 'provision');
    const result = await applyProvision(plan, {
      ...options,
      onProgress: (d, t) => progress.update(d, t),
    }).finally(() => progress.stop());
    if (flags.json === true) printJson(io, resultJson(result));
    else io.stdout.write(renderResult(result, io));
    if (result.summary.failed > 0) throw new QuietExit(EXIT_CODES.failed);
  });
}
