/**
 * Spawning the kill tests' child (`fixtures/run.ts` under tsx) and killing it with SIGKILL when
 * a condition on the emulator or the spool directory first holds.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Emulator } from '@stemedb/emulator';
import type { ChildArgs } from './fixtures/run.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/run.ts', import.meta.url));
const TSCONFIG = fileURLToPath(new URL('./fixtures/tsconfig.json', import.meta.url));
const POLL_MS = 1;

/** A running child. */
export interface Child {
  readonly process: ChildProcess;
  /** Resolves with how it ended: killed (`signal`) or finished (`stdout` has its result). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout: string;
  stderr: string;
}

/** Starts the child with `args`. */
export function startChild(args: ChildArgs): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', FIXTURE, JSON.stringify(args)], {
    env: { ...process.env, TSX_TSCONFIG_PATH: TSCONFIG },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const child: Child = {
    process: proc,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal }))),
  };
  proc.stdout!.on('data', (d) => {
    child.stdout += d;
  });
  proc.stderr!.on('data', (d) => {
    child.stderr += d;
  });
  return child;
}

/** `POST /v1/assert` answered 201 by `emu`, in all. */
export function storedCount(emu: Emulator): number {
  return emu.requests().filter((r) => r.method === 'POST' && r.status === 201).length;
}

/** True once a journal file is in `dir`. */
export async function journalExists(dir: string): Promise<boolean> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.some((n) => n.endsWith('.journal'));
}

/**
 * Kills `child` with SIGKILL the moment `when()` holds (polled), and waits for it to die.
 * Rejects when the child ended first: the kill point was never reached, and a test that did not
 * kill proves nothing.
 */
export async function killWhen(
  child: Child,
  when: () => boolean | Promise<boolean>,
): Promise<void> {
  let ended = false;
  void child.exited.then(() => {
    ended = true;
  });
  for (;;) {
    if (ended) {
      throw new Error(
        `the child ended before its kill point: ${child.stdout.slice(0, 500)} ${child.stderr.slice(0, 2000)}`,
      );
    }
    if (await when()) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  child.process.kill('SIGKILL');
  const how = await child.exited;
  if (how.signal !== 'SIGKILL') {
    throw new Error(`the child ended (${how.code}) before the kill landed: ${child.stdout}`);
  }
}
