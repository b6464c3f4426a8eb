/**
 * The progress bar (STYLE.md practice 12): on a terminal only, and not with NO_COLOR or
 * TERM=dumb. A child process never has a TTY, so this drives `startProgress` with streams that
 * say whether they are one.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import { startProgress } from '../../src/cli/progress.js';

function io(isTTY: boolean, env: Io['env']) {
  let written = '';
  const stderr = {
    isTTY,
    columns: 80,
    write(text: string) {
      written += text;
      return true;
    },
    // cli-progress asks a terminal stream for these.
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
    on: () => stderr,
    removeListener: () => stderr,
  };
  const value: Io = {
    stdout: { write: () => true },
    stderr,
    stdin: (async function* () {})(),
    env,
    cwd: '/',
    debug: false,
  };
  return { io: value, written: () => written };
}

describe('startProgress', () => {
  it.each([
    { given: 'a pipe', isTTY: false, env: {}, shows: false },
    { given: 'a terminal with NO_COLOR', isTTY: true, env: { NO_COLOR: '1' }, shows: false },
    { given: 'a terminal with TERM=dumb', isTTY: true, env: { TERM: 'dumb' }, shows: false },
    { given: 'a terminal', isTTY: true, env: {}, shows: true },
  ])('draws a bar on $given: $shows', async ({ isTTY, env, shows }) => {
    const { io: value, written } = io(isTTY, env);
    const progress = await startProgress(value, 'provision');
    progress.update(1, 4);
    progress.update(4, 4);
    progress.stop();
    expect(written().includes('projects')).toBe(shows);
  });
});

describe('progress lines in a log', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('prints one line every 10 s by default, none before', async () => {
    vi.useFakeTimers();
    const { io: value, written } = io(false, {});
    const progress = await startProgress(value, 'provision');
    progress.update(3, 10_000);
    vi.advanceTimersByTime(9_999);
    expect(written()).toBe('');
    vi.advanceTimersByTime(1);
    expect(written()).toBe('provision: 3/10000 projects done, 0 failed, 10s elapsed\n');
    progress.update(7, 10_000, 1);
    vi.advanceTimersByTime(10_000);
    expect(written().split('\n')[1]).toBe(
      'provision: 7/10000 projects done, 1 failed, 20s elapsed',
    );
    progress.stop();
    vi.advanceTimersByTime(60_000);
    expect(written().split('\n')).toHaveLength(3);
  });
});
