/**
 * `provision --dry-run --plan-out <file>` and `provision --plan <file>` (saved plans, as
 * Terraform's): the flags checked, the file written and read. The file holds hashes only.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { ProvisionOptions } from '../commands/provision.js';
import { parseSavedPlan, planOfSaved, type SavedPlan } from '../commands/saved-plan.js';
import { describeError } from '../errors.js';
import { type Io, PROGRAM, printJson, UsageError } from './io.js';
import { planJson, renderPlan } from './render-provision.js';

/** The saved-plan flags, as commander names them. */
export interface SavedPlanFlags {
  plan?: string;
  planOut?: string;
  dryRun?: boolean;
  prune?: boolean;
  json?: boolean;
}

/** Refuses the combinations that make no sense, before anything is contacted. */
export function checkSavedPlanFlags(file: string | undefined, flags: SavedPlanFlags): void {
  if (flags.plan !== undefined) {
    if (file !== undefined) throw new UsageError('give a projects file or --plan, not both');
    if (flags.dryRun === true || flags.planOut !== undefined) {
      throw new UsageError('--plan applies a saved plan: not with --dry-run or --plan-out');
    }
    if (flags.prune === true) {
      throw new UsageError(
        '--prune is not given with --plan: the saved plan says whether it prunes',
      );
    }
  } else {
    if (file === undefined) throw new UsageError('give a projects file (or --plan <file>)');
    if (flags.planOut !== undefined && flags.dryRun !== true) {
      throw new UsageError('--plan-out needs --dry-run (the plan is saved, not applied)');
    }
  }
}

/** Reads `--plan <file>`; a missing or unreadable file is a usage error. */
export async function readSavedPlan(path: string): Promise<SavedPlan> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the plan file ${path}: ${describeError(error)}`);
  }
  return parseSavedPlan(text);
}

/** Plans, writes the plan to `path`, and prints it as `--dry-run` does. */
export async function writeSavedPlan(
  path: string,
  options: ProvisionOptions,
  io: Io,
  json: boolean,
): Promise<{ failed: number }> {
  const { savePlan } = await import('../commands/provision.js');
  const saved = await savePlan(options);
  await writeFile(path, `${JSON.stringify(saved, null, 2)}\n`);
  const plan = planOfSaved(saved);
  if (json) printJson(io, { ...planJson(plan), planOut: path, fingerprint: saved.fingerprint });
  else {
    io.stdout.write(renderPlan(plan, io));
    io.stdout.write(
      `plan saved to ${path}; apply exactly it with: ${PROGRAM} provision --plan ${path}\n`,
    );
  }
  return { failed: plan.summary.failed };
}
