/**
 * Ctrl-C and SIGTERM during provision and rotate (issue 22, "an operator at 10,000 projects"):
 * the first signal stops new projects from starting and lets those in flight finish, so that no
 * project is left with a key minted and not stored; the command then reports what was done,
 * releases the run lease and exits 130. A second signal exits at once (130): the operator's
 * call; a project cut half-way is repaired by the next run, and the lease of a process that is
 * gone is taken over at once on this host (or when it expires elsewhere).
 */
import { EXIT_CODES } from '../errors.js';
import { type Io, PROGRAM } from './io.js';

/** The exit code of an interrupted run, as a shell reports Ctrl-C (128 + SIGINT). */
export const EXIT_INTERRUPTED = EXIT_CODES.interrupted;

/** What emits the signals; the process unless a test gives another. */
export interface SignalSource {
  on(event: 'SIGINT' | 'SIGTERM', listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: 'SIGINT' | 'SIGTERM', listener: (signal: NodeJS.Signals) => void): unknown;
}

/** What a run prints at the first signal and at a second one (after `PROGRAM: SIGNAL: `). */
export interface InterruptNotices {
  first: string;
  again: string;
}

/** The notices of provision and rotate, which finish the projects in flight. */
export function projectRunNotices(command: string): InterruptNotices {
  return {
    first: `${command} finishes the projects in flight and starts no new one (again to exit at once)`,
    again: 'exiting now',
  };
}

/** A run's interrupt: `stop` aborts at the first signal; `dispose` removes the handlers. */
export interface Interrupt {
  stop: AbortSignal;
  dispose(): void;
}

/** Catches SIGINT and SIGTERM for the length of a run. */
export function catchInterrupts(
  io: Io,
  notices: InterruptNotices,
  source: SignalSource = process,
  exit: (code: number) => void = (code) => process.exit(code),
): Interrupt {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      io.stderr.write(`${PROGRAM}: ${signal} again: ${notices.again}\n`);
      exit(EXIT_INTERRUPTED);
      return;
    }
    io.stderr.write(`${PROGRAM}: ${signal}: ${notices.first}\n`);
    controller.abort();
  };
  source.on('SIGINT', onSignal);
  source.on('SIGTERM', onSignal);
  return {
    stop: controller.signal,
    dispose() {
      source.off('SIGINT', onSignal);
      source.off('SIGTERM', onSignal);
    },
  };
}

/** The report's last line for an interrupted run. */
export function renderInterrupted(notStarted: readonly string[]): string {
  return `interrupted: ${notStarted.length} project(s) not started (run again to finish)\n`;
}
