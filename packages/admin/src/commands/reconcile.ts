/**
 * The one decision (issue 22, "the house"): {@link reconcileProject} takes what was observed of
 * one project (its stored key, the server's live keys of its label) and the time, and returns
 * what to do. `provision`'s plan, its apply, `rotate` and `revoke` all act on this and nothing
 * else, so the plan a user reads is exactly what runs (STYLE.md practice 18).
 *
 * The rules, for a live key of the label that is not the stored one:
 * - another role: a duplicate, revoked;
 * - the key a rotation replaced (named by its grace record, retiring.ts): kept through the grace
 *   from the stored version's creation, then retired;
 * - otherwise not held by the store: an orphan, revoked only once older than the lease
 *   (younger, it may be another run's key between create and store, issue 22).
 */
import { PROJECT_KEY_ROLE } from './server-keys.js';

/** What the run means to do to a project. */
export type Intent = 'converge' | 'rotate' | 'offboard';

/** A live key of the project's label, as the server lists it. */
export interface ObservedKey {
  readonly hash: string;
  readonly role: string;
  /** ISO 8601. */
  readonly createdAt: string;
}

/** What the store holds for the project. */
export type StoredState =
  | { readonly kind: 'none' }
  /** Not read: the server has no live key of the label, so it is replaced whatever it is. */
  | { readonly kind: 'unread' }
  | { readonly kind: 'not_a_key' }
  | {
      readonly kind: 'key';
      readonly hash: string;
      /** How the server knows it: live with the project's label and role, live otherwise, revoked, unknown. */
      readonly known: 'live' | 'other' | 'revoked' | 'unknown';
      /** When its version was written (ISO 8601), when it was read. */
      readonly versionAt?: string | undefined;
      /** The key it replaced and the grace, from the rotation's record (retiring.ts). */
      readonly replaced?: { readonly hash: string; readonly graceMs: number } | undefined;
    };

/** Everything the decision needs about one project. */
export interface ObservedProject {
  readonly project: string;
  readonly intent: Intent;
  readonly stored: StoredState;
  /** The live keys of `project-<name>`. */
  readonly live: readonly ObservedKey[];
}

/** The timing rules. */
export interface ReconcilePolicy {
  /** How long a replaced key stays live after its successor was stored (`--grace`). */
  readonly graceMs: number;
  /** The run lease's duration: a younger key the store does not hold may be in flight. */
  readonly leaseMs: number;
}

/** What the decision does to a project, as the plan shows it. */
export type PlanAction = 'create' | 'replace' | 'unchanged' | 'failed';

/** A live key left alone this run, and why. */
export interface SparedKey {
  readonly hash: string;
  /** `grace`: a replaced key within its grace; `in flight`: too young to call an orphan. */
  readonly why: 'grace' | 'in flight';
  /** When it stops being spared (ISO 8601). */
  readonly until: string;
}

/** The decision for one project. Hashes only, never a key. */
export interface ProjectDecision {
  readonly project: string;
  readonly action: PlanAction;
  /** Why, in a few words. */
  readonly reason: string;
  /** Mint a new key and store it (create, replace). */
  readonly mint: boolean;
  /** The stored key kept (unchanged). */
  readonly keep?: string | undefined;
  /** Live keys revoked: duplicates, orphans, the old keys of a rotation without grace. */
  readonly revoke: readonly string[];
  /** Live keys retired: replaced keys whose grace has ended. */
  readonly retire: readonly string[];
  /** Live keys left alone this run. */
  readonly spare: readonly SparedKey[];
  /**
   * Revoke `revoke` before minting (rotate: they are neither the stored key nor needed, and
   * gone first, no crash can leave two old keys beside the stored one). Otherwise: mint, store,
   * then revoke. `retire` always comes last.
   */
  readonly revokeFirst: boolean;
  /**
   * Record this before storing the new key (rotate with a grace): the key it replaces and the
   * grace, so that the retire time survives a crash (retiring.ts).
   */
  readonly remember?: { readonly hash: string; readonly graceMs: number } | undefined;
  /**
   * True when it revokes a live key the store does not hold (an orphan, a duplicate, another
   * store's key; every live key when the store holds none): what a store that is not this
   * server's would do to every project, counted against `--max-revoke` (mass-revoke.ts).
   * Retiring is not counted: a retired key is the store's own, named by its rotation record or
   * held until now.
   */
  readonly revokesUnheld: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Decides what to do to one project (pure: no I/O, the time passed in). */
export function reconcileProject(
  observed: ObservedProject,
  now: Date,
  policy: ReconcilePolicy,
): ProjectDecision {
  const { project, stored, live } = observed;
  const at = now.getTime();
  const base = {
    project,
    revoke: [] as string[],
    retire: [] as string[],
    spare: [] as SparedKey[],
  };
  const storedLive =
    stored.kind === 'key' && stored.known === 'live'
      ? live.find((k) => k.hash === stored.hash && k.role === PROJECT_KEY_ROLE)
      : undefined;

  if (observed.intent === 'offboard') {
    return {
      ...base,
      action: 'unchanged',
      reason: 'off-boarding',
      mint: false,
      revoke: live.map((k) => k.hash),
      revokeFirst: true,
      revokesUnheld: false,
    };
  }

  if (observed.intent === 'rotate') {
    // The stored key stays live through the grace (consumers refresh on their own schedule),
    // or is retired once the new one is stored (grace 0); any other key goes first, so that
    // at most one old key is ever live beside the stored one.
    const revoke: string[] = [];
    const retire: string[] = [];
    const spare: SparedKey[] = [];
    let remember: ProjectDecision['remember'];
    for (const key of live) {
      if (key !== storedLive) revoke.push(key.hash);
      else if (policy.graceMs === 0) retire.push(key.hash);
      else {
        spare.push({ hash: key.hash, why: 'grace', until: iso(at + policy.graceMs) });
        remember = { hash: key.hash, graceMs: policy.graceMs };
      }
    }
    return {
      ...base,
      action: 'replace',
      reason: 'rotate',
      mint: true,
      revoke,
      retire,
      spare,
      remember,
      revokeFirst: true,
      revokesUnheld: revoke.length > 0,
    };
  }

  if (storedLive !== undefined) {
    const decided = judgeOthers(
      live.filter((k) => k !== storedLive),
      stored,
      at,
      policy,
    );
    const changes = decided.revoke.length + decided.retire.length;
    const reason =
      decided.retire.length > 0
        ? 'stored key is live; the replaced key is past its grace'
        : changes > 0
          ? 'stored key is live; other keys of the label'
          : 'stored key is live';
    return {
      ...base,
      ...decided,
      action: 'unchanged',
      reason,
      mint: false,
      keep: storedLive.hash,
      revokeFirst: false,
      revokesUnheld: decided.revoke.length > 0,
    };
  }

  // The store holds no live key: a new one is minted and stored, and the label's live keys go
  // once it is (except those young enough to be another run's, in flight).
  const revoke: string[] = [];
  const spare: SparedKey[] = [];
  for (const key of live) {
    const youngUntil = Date.parse(key.createdAt) + policy.leaseMs;
    if (key.role === PROJECT_KEY_ROLE && youngUntil > at) {
      spare.push({ hash: key.hash, why: 'in flight', until: iso(youngUntil) });
    } else revoke.push(key.hash);
  }
  const action: PlanAction =
    stored.kind === 'none' || stored.kind === 'unread' ? 'create' : 'replace';
  return {
    ...base,
    action,
    reason: whyReplace(stored),
    mint: true,
    revoke,
    spare,
    revokeFirst: false,
    revokesUnheld: revoke.length > 0,
  };
}

function whyReplace(stored: StoredState): string {
  switch (stored.kind) {
    case 'none':
      return 'no stored key';
    case 'unread':
      return 'no live key of the label';
    case 'not_a_key':
      return 'stored value is not a StemeDB key';
    case 'key':
      return stored.known === 'other'
        ? 'stored key has another label or role'
        : stored.known === 'revoked'
          ? 'stored key was revoked'
          : 'stored key unknown to the server';
  }
}

/** The keys beside a live stored one: duplicates, the replaced key in grace, orphans. */
function judgeOthers(
  others: readonly ObservedKey[],
  stored: StoredState,
  at: number,
  policy: ReconcilePolicy,
): { revoke: string[]; retire: string[]; spare: SparedKey[] } {
  const revoke: string[] = [];
  const retire: string[] = [];
  const spare: SparedKey[] = [];
  const replaced = stored.kind === 'key' ? stored.replaced : undefined;
  const versionAt = stored.kind === 'key' ? stored.versionAt : undefined;
  for (const key of others) {
    const created = Date.parse(key.createdAt);
    if (key.role !== PROJECT_KEY_ROLE) {
      revoke.push(key.hash);
    } else if (key.hash === replaced?.hash) {
      // Without the version's time (not read), the grace runs from now: never shorter.
      const from = versionAt === undefined ? at : Date.parse(versionAt);
      const until = from + replaced.graceMs;
      if (until > at) spare.push({ hash: key.hash, why: 'grace', until: iso(until) });
      else retire.push(key.hash);
    } else if (created + policy.leaseMs > at) {
      spare.push({ hash: key.hash, why: 'in flight', until: iso(created + policy.leaseMs) });
    } else {
      revoke.push(key.hash);
    }
  }
  return { revoke, retire, spare };
}
