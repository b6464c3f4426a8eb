/**
 * The progress bar and the exit codes, in process: a bar only on a terminal (a spawned CLI never
 * has one, so the terminal case is tested here with a stream that says it is one), and the
 * table from error to exit code that issue 7 §4 fixes.
 */
import { describe, expect, it } from 'vitest';
import { EXIT_CODES, exitCodeOf, type Io, UsageError } from '../../src/cli/io.js';
import { startProgress } from '../../src/cli/progress.js';
import {
  AphoriaOptionsError,
  HostedAuthError,
  HostedConfigError,
  PersistIncompleteError,
  ScanValidationError,
  SpoolCorruptError,
} from '../../src/index.js';

function fakeIo(
  isTTY: boolean,
  env: Record<string, string | undefined> = {},
): { io: Io; written: string[] } {
  const written: string[] = [];
  const stream = { isTTY, columns: 100, write: (t: string) => written.push(t) };
  return {
    io: { stdout: stream, stderr: stream, env, cwd: process.cwd(), debug: false },
    written,
  };
}

const progress = (done: number) => ({
  phase: 'persist' as const,
  scanId: 'ab'.repeat(16),
  total: 10,
  done,
  sent: done,
  alreadyPresent: 0,
  rejected: 0,
});

describe('startProgress', () => {
  it('draws a bar on a terminal', async () => {
    const { io, written } = fakeIo(true);
    const bar = await startProgress(io);
    bar.onProgress?.(progress(0));
    bar.onProgress?.(progress(4));
    bar.stop();
    expect(written.join('')).toMatch(/persist abababab \[.*\] \d+\/10 assertions/);
  });

  it.each([
    { name: 'a pipe', isTTY: false, env: {} },
    { name: 'TERM=dumb', isTTY: true, env: { TERM: 'dumb' } },
  ])('draws nothing on $name', async ({ isTTY, env }) => {
    const { io, written } = fakeIo(isTTY, env);
    const bar = await startProgress(io);
    expect(bar.onProgress).toBeUndefined();
    bar.stop();
    expect(written).toEqual([]);
  });
});

describe('exitCodeOf', () => {
  it.each([
    { given: new HostedConfigError('x'), want: EXIT_CODES.usage },
    { given: new ScanValidationError('x', []), want: EXIT_CODES.usage },
    { given: new AphoriaOptionsError('x'), want: EXIT_CODES.usage },
    { given: new UsageError('x'), want: EXIT_CODES.usage },
    { given: new HostedAuthError('x', { status: 401, apiKeyEnv: 'K' }), want: EXIT_CODES.auth },
    { given: new HostedAuthError('x', { status: 403, apiKeyEnv: 'K' }), want: EXIT_CODES.auth },
    { given: new PersistIncompleteError('x', {}), want: EXIT_CODES.incomplete },
    { given: new SpoolCorruptError('x', '/f'), want: EXIT_CODES.failed },
    { given: new DOMException('stop', 'AbortError'), want: EXIT_CODES.interrupted },
    { given: new Error('ENOSPC'), want: EXIT_CODES.failed },
  ])('$given.name → $want', ({ given, want }) => {
    expect(exitCodeOf(given)).toBe(want);
  });
});
