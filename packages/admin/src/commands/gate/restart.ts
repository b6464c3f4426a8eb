/**
 * Running the operator's restart command (`--restart-cmd`, e.g. `kubectl rollout restart … &&
 * kubectl rollout status …`) through a shell, and waiting for the server to serve again.
 */
import { spawn } from 'node:child_process';
import { redactKeys } from '../../errors.js';
import type { PhaseContext } from './types.js';

/** How long the restart command may run. @see GateOptions.restartTimeoutMs */
export const DEFAULT_RESTART_TIMEOUT_MS = 300_000;
/** How long to wait for health after the command (the roadmap allows 60 s of WAL replay). */
export const DEFAULT_READY_TIMEOUT_MS = 120_000;
const POLL_MS = 500;

/** Variables the restart command never gets: the keys this process may hold (issue 22 §7). */
export const RESTART_ENV_DROPPED: readonly string[] = Object.freeze([
  'STEMEDB_ADMIN_KEY',
  'STEMEDB_ROOT_API_KEY',
  'STEMEDB_API_KEY',
]);

/**
 * The restart command's environment: this process's, less {@link RESTART_ENV_DROPPED} and any
 * variable whose value holds a key (`steme_live_`), whatever its name. A `kubectl rollout`
 * needs none of them, and a shell command line logs, traces and forwards its environment.
 */
export function restartEnvironment(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || RESTART_ENV_DROPPED.includes(name)) continue;
    if (value.includes('steme_live_')) continue;
    out[name] = value;
  }
  return out;
}

/** Runs `command` in a shell; resolves with its exit code and its last output line. */
export function runShell(
  command: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<{ code: number | null; lastLine: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, {
      shell: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      signal,
      env: restartEnvironment(),
    });
    let tail = '';
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString('utf8')).slice(-2000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const lastLine = tail.trim().split('\n').at(-1) ?? '';
      resolve({ code, lastLine: redactKeys(lastLine).slice(0, 200) });
    });
  });
}

/** Polls health until a 200 or `timeoutMs`; resolves with whether it came. */
export async function waitForHealth(ctx: PhaseContext, timeoutMs: number): Promise<boolean> {
  const health = ctx.open(undefined);
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      try {
        await health.health({ signal: ctx.signal, timeoutMs: 5000 });
        return true;
      } catch {
        if (ctx.signal?.aborted) return false;
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    }
    return false;
  } finally {
    await health.close();
  }
}
