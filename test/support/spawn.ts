/**
 * Spawning a program on the Node that runs the tests (`process.execPath`), so that the suite run
 * on Node 22, 24 or 26 proves the CLIs on that version.
 */
import { spawn } from 'node:child_process';

/** What a finished child process printed and how it ended. */
export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** How to run one child. */
export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin, which is then closed. @default nothing (closed at once) */
  readonly stdin?: string;
  /**
   * For a server that runs until stopped: once its stdout matches, send it SIGTERM.
   * @default undefined (wait for the child to exit by itself)
   */
  readonly stopWhenStdout?: RegExp;
  /** Kill the child (SIGKILL) if it has not ended by then. @default 60_000 */
  readonly timeoutMs?: number;
}

/** Runs `node <args…>` to completion. Never rejects for a non-zero exit: the result says it. */
export function runNode(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: options.cwd,
      env: options.env ?? { ...process.env, NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let stopping = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (!stopping && options.stopWhenStdout?.test(stdout)) {
        stopping = true;
        child.kill('SIGTERM');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}

/** Node's own warnings (`(node:1234) [DEP0040] DeprecationWarning: …`) found in `stderr`. */
export function nodeWarnings(stderr: string): string[] {
  return stderr.split('\n').filter((line) => /^\(node:\d+\)/.test(line));
}
