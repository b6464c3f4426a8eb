/**
 * `gate <phase1|phase2|phase3|all>`: the roadmap's gate tests against a live server, as a table
 * of checks (issue 8 §2, issue 24). Every check runs and is reported; the gate passes only when
 * all pass. `all` runs Phase 2 only when its Prometheus is given.
 */
import { z } from 'zod';
import { AdminError } from '../../errors.js';
import {
  type ClientOptions,
  fields,
  openClient,
  parseOptions,
  type ServerOptions,
} from '../context.js';
import { runPhase1 } from './phase1.js';
import { type Phase2Options, runPhase2 } from './phase2.js';
import { runPhase3 } from './phase3.js';
import type { GateCheck, GatePhase, PhaseContext } from './types.js';

/** Options of {@link gate}. */
export interface GateOptions extends ServerOptions, Phase2Options {
  /** Which phase's checks to run. */
  phase: GatePhase | 'all';
  /** Phase 1: a shell command that restarts the server (then the root key must still work). */
  restartCmd?: string | undefined;
  /**
   * Phase 1, library only: restarts the server in-process instead of `restartCmd` (an embedded
   * emulator, the demo); it resolves once the restart was started, rejects if it failed.
   */
  restart?: (() => Promise<void>) | undefined;
  /** How long the restart command may run, in ms. @default 300000 */
  restartTimeoutMs?: number | undefined;
  /** How long to wait for health after the restart, in ms. @default 120000 */
  readyTimeoutMs?: number | undefined;
  /** Phase 3: projects provisioned for the test. @default 5 */
  projects?: number | undefined;
  /** Phase 3: requests sent to drive one key past its rate limit before giving up. @default 3000 */
  rateLimitRequests?: number | undefined;
  /** Called with each check as soon as it is decided. */
  onCheck?: ((check: GateCheck) => void) | undefined;
  /** The clock (the Phase 3 run id). @default () => new Date() */
  now?: (() => Date) | undefined;
  signal?: AbortSignal | undefined;
}

/** What {@link gate} resolves with. */
export interface GateResult {
  /** True when every check passed. */
  ok: boolean;
  checks: GateCheck[];
}

const ms = z
  .int()
  .min(1)
  .max(2 ** 31 - 1);
const schema = z.strictObject({
  url: fields.url,
  adminKey: fields.adminKey,
  client: fields.client,
  phase: z.enum(['phase1', 'phase2', 'phase3', 'all']),
  prometheusUrl: z.url({ protocol: /^https?$/ }).optional(),
  alertmanagerUrl: z.url({ protocol: /^https?$/ }).optional(),
  stopCmd: z.string().min(1).optional(),
  startCmd: z.string().min(1).optional(),
  stop: z
    .custom<() => Promise<void>>((v) => typeof v === 'function', 'must be a function')
    .optional(),
  start: z
    .custom<() => Promise<void>>((v) => typeof v === 'function', 'must be a function')
    .optional(),
  backupRemote: z.string().min(1).optional(),
  backupMaxAgeSeconds: z.int().min(1).optional(),
  alerts: z.array(z.string().min(1)).min(1).optional(),
  killSlackMs: z.int().min(0).max(3_600_000).optional(),
  restartCmd: z.string().min(1).optional(),
  restart: z
    .custom<() => Promise<void>>((v) => typeof v === 'function', 'must be a function')
    .optional(),
  restartTimeoutMs: ms.optional(),
  readyTimeoutMs: ms.optional(),
  projects: z.int().min(2).max(100).optional(),
  rateLimitRequests: z.int().min(1).max(1_000_000).optional(),
  onCheck: fields.fn.optional(),
  now: fields.fn.optional(),
  signal: fields.signal,
});

/** Runs the gate; resolves with every check, failed ones included (it never throws for them). */
export async function gate(options: GateOptions): Promise<GateResult> {
  const o = parseOptions(schema, options, 'gate');
  if (o.restart !== undefined && o.restartCmd !== undefined) {
    throw new AdminError({
      code: 'invalid_options',
      message: 'gate: give restartCmd or restart, not both',
    });
  }
  checkPhase2Options(o);
  // A gate reports what the server answers: no retries, which would hide a 503 or a 429.
  const client: ClientOptions = { ...(o.client as ClientOptions | undefined), retry: false };
  const opened: { close(): Promise<void> }[] = [];
  const checks: GateCheck[] = [];
  let phase: GatePhase = 'phase1';
  const onCheck = o.onCheck as GateOptions['onCheck'];
  const admin = openClient(o.url, o.adminKey, client);
  const ctx: PhaseContext = {
    url: o.url,
    adminKey: o.adminKey,
    client,
    admin,
    open(apiKey) {
      const c = openClient(o.url, apiKey, client);
      opened.push(c);
      return c;
    },
    now: (o.now as (() => Date) | undefined) ?? (() => new Date()),
    signal: o.signal,
    record(check) {
      const row = { phase, ...check };
      checks.push(row);
      onCheck?.(row);
    },
  };
  try {
    if (o.phase === 'phase1' || o.phase === 'all') {
      phase = 'phase1';
      await runPhase1(ctx, o);
    }
    if (o.phase === 'phase2' || (o.phase === 'all' && o.prometheusUrl !== undefined)) {
      phase = 'phase2';
      await runPhase2(ctx, o);
    }
    if (o.phase === 'phase3' || o.phase === 'all') {
      phase = 'phase3';
      await runPhase3(ctx, o);
    }
  } finally {
    await Promise.all(opened.map((c) => c.close()));
    await admin.close();
  }
  return { ok: checks.length > 0 && checks.every((c) => c.ok), checks };
}

/** The Phase 2 options that only make sense together. */
function checkPhase2Options(o: {
  phase: string;
  prometheusUrl?: string | undefined;
  stopCmd?: string | undefined;
  startCmd?: string | undefined;
  stop?: unknown;
  start?: unknown;
}): void {
  const fail = (message: string) => {
    throw new AdminError({ code: 'invalid_options', message: `gate: ${message}` });
  };
  if (o.phase === 'phase2' && o.prometheusUrl === undefined) {
    fail('phase2 needs prometheusUrl (--prometheus-url)');
  }
  if (o.stop !== undefined && o.stopCmd !== undefined) fail('give stopCmd or stop, not both');
  if (o.start !== undefined && o.startCmd !== undefined) fail('give startCmd or start, not both');
  const stops = o.stop !== undefined || o.stopCmd !== undefined;
  const starts = o.start !== undefined || o.startCmd !== undefined;
  // A stop without a start would leave StemeDB down; a start alone tests nothing.
  if (stops !== starts)
    fail('the kill test needs both a stop and a start (--stop-cmd and --start-cmd)');
}
