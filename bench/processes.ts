// The bench's child processes: every server and every measured client runs in a process of its
// own, so no two share a CPU budget or a resident set. Children run the compiled JavaScript
// (compile.ts) on plain node; their stdout goes to our stderr, so that stdout carries nothing
// but the report.

import { type ChildProcess, fork } from 'node:child_process';
import { BUILD_DIR, type ENTRY_POINTS } from './compile.js';
import type {
  LoadResult,
  LoadSpec,
  ServerReady,
  Target,
  TargetName,
  WorkerMessage,
} from './protocol.js';

interface ForkOptions {
  /** Extra `node` flags, e.g. `--cpu-prof`. */
  readonly nodeFlags?: readonly string[];
}

/** Forks the compiled `bench/<name>.ts` with `args`. */
function forkEntry(
  name: (typeof ENTRY_POINTS)[number],
  args: readonly string[],
  options: ForkOptions = {},
) {
  return fork(`${BUILD_DIR}${name}.js`, [...args], {
    execArgv: [...(options.nodeFlags ?? [])],
    stdio: ['ignore', 2, 2, 'ipc'],
  });
}

/** Resolves with the child's first message; rejects if it exits first or exceeds `timeoutMs`. */
function firstMessage<T>(child: ChildProcess, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      child.kill();
      reject(new Error(`child ${child.pid} sent nothing within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (message: unknown) => {
      cleanup();
      resolve(message as T);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      cleanup();
      reject(new Error(`child ${child.pid} exited (${signal ?? code}) before answering`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Closes the IPC channel (the child's cue to shut down) and waits for it to exit. */
function stopChild(child: ChildProcess, timeoutMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.connected) child.disconnect();
    else child.kill();
  });
}

// Targets: the minimal server or the emulator.

const ENTRY = { minimal: 'server', emulator: 'emulator' } as const satisfies Record<
  TargetName,
  (typeof ENTRY_POINTS)[number]
>;
const START_TIMEOUT_MS = 30_000;

export interface RunningTarget {
  readonly target: Target;
  stop(): Promise<void>;
}

export async function startTarget(name: TargetName): Promise<RunningTarget> {
  const child = forkEntry(ENTRY[name], []);
  const ready = await firstMessage<ServerReady>(child, START_TIMEOUT_MS).catch(async (error) => {
    await stopChild(child);
    throw error;
  });
  return {
    target: { name, url: ready.url.replace(/\/+$/, ''), apiKey: ready.apiKey },
    stop: () => stopChild(child),
  };
}

// Measurements: one worker per (client, concurrency, target, round).

export interface LoadOptions {
  /** Run the worker under `--cpu-prof`, writing `<profile.dir>/<profile.name>.cpuprofile`. */
  readonly profile?: { readonly dir: string; readonly name: string } | undefined;
}

/** Startup, warm-up, the window, and a generous margin for a slow machine. */
function timeoutFor(spec: LoadSpec): number {
  return 30_000 + 3 * (spec.warmupMs + spec.durationMs);
}

export async function runLoad(spec: LoadSpec, options: LoadOptions = {}): Promise<LoadResult> {
  const { profile } = options;
  const nodeFlags = profile
    ? ['--cpu-prof', `--cpu-prof-dir=${profile.dir}`, `--cpu-prof-name=${profile.name}.cpuprofile`]
    : [];
  const child = forkEntry('worker', [JSON.stringify(spec)], { nodeFlags });
  try {
    const message = await firstMessage<WorkerMessage>(child, timeoutFor(spec));
    if (message.type === 'error') {
      throw new Error(
        `${spec.client} c=${spec.concurrency} on ${spec.target.name}: ${message.message}`,
      );
    }
    return message.result;
  } finally {
    await stopChild(child);
  }
}
