/**
 * The store is bound to the server (issue 22): a plan that would revoke the live keys of many
 * projects whose key the store does not hold is what pointing provision at the wrong store
 * looks like (the default `file:` store run from another directory, `memory:`, a typo in the
 * GCP project or the namespace): every project's working key would be revoked. Such a run stops
 * before changing anything unless the operator says it is meant. Repairing a fresh server
 * volume (the server knows none of the stored keys, and has no live key of the labels) revokes
 * nothing live, so it is never limited.
 */
import { AdminError } from '../errors.js';
import type { ProvisionPlan } from './provision-plan.js';

/** How many projects' live keys a run may revoke while the store holds none of theirs (`--max-revoke`). */
export const DEFAULT_MAX_REVOKE = 3;

/** Options of {@link checkMassRevoke}. */
export interface MassRevokeOptions {
  /** @default DEFAULT_MAX_REVOKE */
  maxRevoke?: number | undefined;
  /** Skip the check (`--allow-mass-revoke`). @default false */
  allowMassRevoke?: boolean | undefined;
  /** Projects `--prune` revokes, counted too. */
  pruned?: number | undefined;
}

/**
 * Throws when `plan` revokes live keys of more projects than allowed while the store does not
 * hold their live key.
 *
 * @throws AdminError `mass_revoke_refused`
 */
export function checkMassRevoke(
  command: string,
  plan: ProvisionPlan,
  options: MassRevokeOptions,
): void {
  if (options.allowMassRevoke === true) return;
  const max = options.maxRevoke ?? DEFAULT_MAX_REVOKE;
  const unheld = plan.projects.filter((p) => p.revokesUnheld).length + (options.pruned ?? 0);
  if (unheld <= max) return;
  const withLive = plan.projects.filter(
    (p) => p.keep !== undefined || p.revoke.length + p.retire.length + p.spare.length > 0,
  ).length;
  const held = plan.projects.filter((p) => p.keep !== undefined).length;
  throw new AdminError({
    code: 'mass_revoke_refused',
    message: `${command}: refusing to revoke the live keys of ${unheld} projects (more than --max-revoke ${max}): ${held} of ${withLive} live project keys are in this store: is it the right store? Nothing was changed; pass --allow-mass-revoke if this is meant`,
  });
}
