/**
 * The Phase 1 gate (roadmap, "Gate test (run after deploy)"), automated: health is 200, an
 * unauthenticated write is 401, an authenticated write is 200/201, and, with a restart command,
 * the root key still works after the restart (ship blocker 3: the key is seeded at every boot).
 * With a restart, a key made before it must work after it too: a server that seeds its root key
 * but keeps no other key across restarts leaves every stored project key dead (risk register).
 */
import { randomBytes } from 'node:crypto';
import { isStemeError, StemeAuthenticationError } from '@stemedb/sdk';
import { describeError } from '../../errors.js';
import {
  DEFAULT_READY_TIMEOUT_MS,
  DEFAULT_RESTART_TIMEOUT_MS,
  runShell,
  waitForHealth,
} from './restart.js';
import { type PhaseContext, PING } from './types.js';

/** Phase 1's own options. */
export interface Phase1Options {
  /** Run through a shell between the writes and the last check. */
  restartCmd?: string | undefined;
  /** Or called in-process instead (see GateOptions.restart). */
  restart?: (() => Promise<void>) | undefined;
  restartTimeoutMs?: number | undefined;
  readyTimeoutMs?: number | undefined;
}

function statusOf(error: unknown): string {
  return isStemeError(error) && error.status !== undefined
    ? String(error.status)
    : describeError(error);
}

/** Runs Phase 1's checks, recording each. */
export async function runPhase1(ctx: PhaseContext, options: Phase1Options): Promise<void> {
  const signal = ctx.signal;
  const anonymous = ctx.open(undefined);
  try {
    try {
      await anonymous.health({ signal });
      ctx.record({ check: 'health', ok: true, detail: 'GET /v1/health answered 200' });
    } catch (error) {
      ctx.record({ check: 'health', ok: false, detail: `GET /v1/health: ${statusOf(error)}` });
    }

    try {
      await anonymous.assert(PING, { signal });
      ctx.record({
        check: 'unauthenticated-write',
        ok: false,
        detail: 'a write without a key was accepted: auth is off (STEMEDB_AUTH_ENABLED)',
      });
    } catch (error) {
      const ok = error instanceof StemeAuthenticationError;
      ctx.record({
        check: 'unauthenticated-write',
        ok,
        detail: ok ? 'a write without a key answered 401' : `want 401, got ${statusOf(error)}`,
      });
    }
  } finally {
    await anonymous.close();
  }

  await authenticatedWrite(ctx, 'authenticated-write', 'a write with the admin key');

  const restart = restarter(options, signal);
  if (restart === undefined) return;
  const probe = await createProbeKey(ctx);
  try {
    await restartAndCheck(ctx, options, restart, probe);
  } finally {
    if (probe !== undefined)
      // A 404 (gone with the restart) or a 401 (the root key is lost, a check says so already)
      // leaves nothing this gate can clean up.
      await ctx.admin.admin.revokeApiKey(probe.hash, { signal }).catch(() => undefined);
  }
}

interface ProbeKey {
  key: string;
  hash: string;
}

/** A write_agent key made before the restart, to check after it; revoked at the end. */
async function createProbeKey(ctx: PhaseContext): Promise<ProbeKey | undefined> {
  const label = `gate-restart-${ctx.now().getTime().toString(36)}-${randomBytes(2).toString('hex')}`;
  try {
    const created = await ctx.admin.admin.createApiKey(
      { label, role: 'write_agent' },
      { signal: ctx.signal },
    );
    return { key: created.key, hash: created.hash };
  } catch (error) {
    ctx.record({
      check: 'key-after-restart',
      ok: false,
      detail: `creating a key to check after the restart: ${statusOf(error)}`,
    });
    return undefined;
  }
}

/** How a restart went: undefined when it ran, else why it failed (for the `restart` row). */
type Restart = () => Promise<string | undefined>;

// The shell command or the in-process function, as one thing to call.
function restarter(options: Phase1Options, signal: AbortSignal | undefined): Restart | undefined {
  const { restart, restartCmd } = options;
  if (restart !== undefined) {
    return () =>
      restart().then(
        () => undefined,
        (error: unknown) => `the restart failed: ${describeError(error)}`,
      );
  }
  if (restartCmd === undefined) return undefined;
  return async () => {
    const run = await runShell(
      restartCmd,
      options.restartTimeoutMs ?? DEFAULT_RESTART_TIMEOUT_MS,
      signal,
    ).catch((error: unknown) => ({ code: null, lastLine: describeError(error) }));
    if (run.code === 0) return undefined;
    return `the restart command exited ${run.code ?? 'by a signal or timeout'}${run.lastLine === '' ? '' : `: ${run.lastLine}`}`;
  };
}

async function restartAndCheck(
  ctx: PhaseContext,
  options: Phase1Options,
  restart: Restart,
  probe: ProbeKey | undefined,
): Promise<void> {
  const signal = ctx.signal;
  const failed = await restart();
  if (failed !== undefined) {
    ctx.record({ check: 'restart', ok: false, detail: failed });
    return;
  }
  const ready = await waitForHealth(ctx, options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
  ctx.record({
    check: 'restart',
    ok: ready,
    detail: ready ? 'restarted; health 200 again' : 'restarted, but health never answered 200',
  });
  if (!ready) return;
  await authenticatedWrite(
    ctx,
    'root-key-after-restart',
    'after the restart, a write with the admin key',
  );
  if (probe === undefined) return;
  const client = ctx.open(probe.key);
  try {
    await client.assert(PING, { signal });
    ctx.record({
      check: 'key-after-restart',
      ok: true,
      detail: 'a write_agent key made before the restart still writes',
    });
  } catch (error) {
    const lost =
      error instanceof StemeAuthenticationError
        ? ' (401: keys are not persisted across restarts; every stored project key is dead)'
        : '';
    ctx.record({
      check: 'key-after-restart',
      ok: false,
      detail: `a write_agent key made before the restart: ${statusOf(error)}${lost}`,
    });
  }
}

async function authenticatedWrite(ctx: PhaseContext, check: string, what: string): Promise<void> {
  try {
    await ctx.admin.assert(PING, { signal: ctx.signal });
    ctx.record({ check, ok: true, detail: `${what} was accepted` });
  } catch (error) {
    const lost =
      error instanceof StemeAuthenticationError
        ? ' (401: the server does not know the key; is STEMEDB_ROOT_API_KEY seeded at boot, are keys persisted?)'
        : '';
    ctx.record({ check, ok: false, detail: `${what}: ${statusOf(error)}${lost}` });
  }
}
