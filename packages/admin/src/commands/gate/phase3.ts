/**
 * The Phase 3 gate (roadmap: "5 projects scan simultaneously with their own keys → each
 * isolated → one rate-limited → others unaffected"), automated. The projects' keys are
 * provisioned into a throwaway in-memory store and revoked at the end, whatever happened.
 */
import { randomBytes } from 'node:crypto';
import {
  isStemeError,
  type StemeClient,
  StemePermissionError,
  StemeRateLimitError,
} from '@stemedb/sdk';
import { describeError } from '../../errors.js';
import { createMemorySecretStore } from '../../stores/memory.js';
import { projectKeyLabel, projectKeySecret } from '../../stores/names.js';
import type { SecretStore } from '../../stores/types.js';
import { executePlan } from '../provision-apply.js';
import { computePlan } from '../provision-plan.js';
import { readServerKeys } from '../server-keys.js';
import type { PhaseContext } from './types.js';

/** Projects the Phase 3 gate provisions. */
export const DEFAULT_GATE_PROJECTS = 5;
/** Writes each project makes at once. */
export const GATE_WRITES_PER_PROJECT = 10;
/** The most requests sent to drive one key past its rate limit before calling it absent. */
export const DEFAULT_RATE_LIMIT_REQUESTS = 3000;
const BURST_CONCURRENCY = 32;

/** Phase 3's own options. */
export interface Phase3Options {
  projects?: number | undefined;
  rateLimitRequests?: number | undefined;
}

interface GateProject {
  name: string;
  subject: string;
  client: StemeClient;
  written: Set<string>;
}

/** Runs Phase 3's checks, recording each; always revokes the keys it made. */
export async function runPhase3(ctx: PhaseContext, options: Phase3Options): Promise<void> {
  const count = options.projects ?? DEFAULT_GATE_PROJECTS;
  // A run id keeps two gates (or a gate and real projects) apart: labels, subjects, secrets.
  const run = `${ctx.now().getTime().toString(36)}-${randomBytes(2).toString('hex')}`;
  const names = Array.from({ length: count }, (_, i) => `gate-${run}-${i + 1}`);
  const store = createMemorySecretStore();
  const projects: GateProject[] = [];
  try {
    if (!(await provisionAll(ctx, store, names))) return;
    for (const name of names) {
      const key = await store.readLatest(projectKeySecret(name));
      if (key === undefined) return;
      projects.push({
        name,
        subject: `gate/${run}/${name}`,
        client: ctx.open(key),
        written: new Set(),
      });
    }
    await concurrentWrites(ctx, projects);
    await isolation(ctx, projects);
    await rateLimit(ctx, projects, options.rateLimitRequests ?? DEFAULT_RATE_LIMIT_REQUESTS);
    await adminRoutes(ctx, projects[projects.length > 1 ? 1 : 0]!);
  } finally {
    await Promise.all(projects.map((p) => p.client.close()));
    await cleanup(ctx, names);
    await store.close();
  }
}

async function provisionAll(
  ctx: PhaseContext,
  store: SecretStore,
  names: string[],
): Promise<boolean> {
  const pctx = { admin: ctx.admin.admin, store, concurrency: names.length, signal: ctx.signal };
  try {
    const result = await executePlan(pctx, await computePlan(pctx, names));
    const failed = result.projects.find((p) => p.action === 'failed');
    ctx.record({
      check: 'provision',
      ok: failed === undefined,
      detail:
        failed === undefined
          ? `${names.length} project keys created (throwaway store)`
          : `${failed.project}: ${failed.error ?? 'failed'}`,
    });
    return failed === undefined;
  } catch (error) {
    ctx.record({ check: 'provision', ok: false, detail: describeError(error) });
    return false;
  }
}

async function write(p: GateProject, ctx: PhaseContext, n: number): Promise<void> {
  const res = await p.client.assert(
    { subject: p.subject, predicate: 'gate-write', value: n, agent_id: p.name },
    { signal: ctx.signal },
  );
  p.written.add(res.id);
}

async function concurrentWrites(ctx: PhaseContext, projects: GateProject[]): Promise<void> {
  const outcomes = await Promise.allSettled(
    projects.flatMap((p) =>
      Array.from({ length: GATE_WRITES_PER_PROJECT }, (_, n) => write(p, ctx, n)),
    ),
  );
  const failures = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
  const total = outcomes.length;
  ctx.record({
    check: 'concurrent-writes',
    ok: failures.length === 0,
    detail:
      failures.length === 0
        ? `${projects.length} projects wrote ${total} assertions at once, each with its own key`
        : `${failures.length} of ${total} writes failed, e.g. ${describeError(failures[0]!.reason)}`,
  });
}

async function isolation(ctx: PhaseContext, projects: GateProject[]): Promise<void> {
  const problems: string[] = [];
  await Promise.all(
    projects.map(async (p) => {
      try {
        const seen = new Set<string>();
        for await (const a of p.client.iterateAssertions(
          { subject: p.subject, limit: 1000 },
          { signal: ctx.signal },
        )) {
          if (a.agent_id !== p.name) problems.push(`${p.name} sees a write by ${a.agent_id}`);
          seen.add(a.id);
        }
        const missing = [...p.written].filter((id) => !seen.has(id)).length;
        const extra = [...seen].filter((id) => !p.written.has(id)).length;
        if (missing > 0) problems.push(`${p.name} misses ${missing} of its writes`);
        if (extra > 0) problems.push(`${p.name} sees ${extra} writes it did not make`);
      } catch (error) {
        problems.push(`${p.name}: reading ${p.subject}: ${describeError(error)}`);
      }
    }),
  );
  ctx.record({
    check: 'isolation',
    ok: problems.length === 0,
    detail:
      problems.length === 0
        ? 'each project sees exactly its own writes under its subject prefix'
        : problems.slice(0, 3).join('; '),
  });
}

/**
 * Drives the first project's key past its rate limit while the others keep writing, then
 * checks the limited one saw a 429 and the others none.
 */
async function rateLimit(
  ctx: PhaseContext,
  projects: GateProject[],
  maxRequests: number,
): Promise<void> {
  const [target, ...others] = projects;
  if (target === undefined) return;
  let limitedAfter: number | undefined;
  let sent = 0;
  let burstError: unknown;
  // A few workers, each sending one write after another until a 429, an error, or the cap.
  const worker = async () => {
    while (sent < maxRequests && limitedAfter === undefined && burstError === undefined) {
      sent += 1;
      try {
        await write(target, ctx, -1);
      } catch (error) {
        if (error instanceof StemeRateLimitError) limitedAfter ??= sent;
        else burstError ??= error;
      }
    }
  };
  const burst = Promise.all(Array.from({ length: BURST_CONCURRENCY }, worker));
  let done = false;
  const otherFailures: string[] = [];
  let otherWrites = 0;
  const background = others.map(async (p) => {
    // At least a few writes each, and more for as long as the burst runs.
    for (let n = 0; n < 3 || !done; n++) {
      try {
        await write(p, ctx, 1000 + n);
        otherWrites += 1;
      } catch (error) {
        otherFailures.push(
          `${p.name}: ${isStemeError(error) ? (error.status ?? error.code) : describeError(error)}`,
        );
        return;
      }
    }
  });
  await burst;
  done = true;
  await Promise.all(background);
  ctx.record({
    check: 'rate-limit',
    ok: limitedAfter !== undefined,
    detail:
      limitedAfter !== undefined
        ? `${target.name} got 429 after ${limitedAfter} requests`
        : burstError !== undefined
          ? `the burst failed: ${describeError(burstError)}`
          : `no 429 after ${sent} requests with one key: per-key rate limits look off`,
  });
  if (others.length === 0) return;
  ctx.record({
    check: 'others-unaffected',
    ok: otherFailures.length === 0,
    detail:
      otherFailures.length === 0
        ? `${others.length} other projects made ${otherWrites} writes meanwhile, none refused`
        : `while one key was limited: ${otherFailures.slice(0, 3).join('; ')}`,
  });
}

async function adminRoutes(ctx: PhaseContext, p: GateProject): Promise<void> {
  try {
    await p.client.admin.listApiKeys({ signal: ctx.signal });
    ctx.record({
      check: 'admin-routes-refused',
      ok: false,
      detail: `${p.name}'s write_agent key could list the keys (want 403)`,
    });
  } catch (error) {
    const ok = error instanceof StemePermissionError;
    ctx.record({
      check: 'admin-routes-refused',
      ok,
      detail: ok
        ? 'a project key on GET /v1/admin/api-keys answered 403'
        : `want 403, got ${isStemeError(error) ? (error.status ?? error.code) : describeError(error)}`,
    });
  }
}

/** Revokes every live key of the gate's labels (what the store got, and any orphan). */
async function cleanup(ctx: PhaseContext, names: string[]): Promise<void> {
  try {
    const keys = await readServerKeys(ctx.admin.admin, ctx.signal);
    let revoked = 0;
    for (const name of names) {
      for (const k of keys.liveByLabel.get(projectKeyLabel(name)) ?? []) {
        await ctx.admin.admin.revokeApiKey(k.hash, { signal: ctx.signal });
        revoked += 1;
      }
    }
    ctx.record({ check: 'cleanup', ok: true, detail: `revoked the ${revoked} gate keys` });
  } catch (error) {
    ctx.record({
      check: 'cleanup',
      ok: false,
      detail: `revoking the gate keys: ${describeError(error)}`,
    });
  }
}
