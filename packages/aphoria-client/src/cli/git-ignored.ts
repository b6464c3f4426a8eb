/**
 * Is the spool directory inside a git work tree without being ignored? A journal holds a
 * scan's findings (file paths, messages): committed by a `git add -A` in a CI step, it would
 * publish them and bring stale journals back on every checkout. Asked of git itself
 * (`git check-ignore`), so every rule git applies (nested .gitignore files, info/exclude,
 * core.excludesFile, negations) counts; without git on PATH nothing is said.
 */
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';

const GIT_TIMEOUT_MS = 5_000;

// A journal's name inside the spool: a pattern like `.aphoria/spool/` matches it even before
// the directory exists (git cannot tell a missing path is a directory, but it sees the parent).
const PROBE = `${'0'.repeat(32)}.journal`;

/** Runs git in `cwd`: its exit code and stdout; `undefined` when git cannot be run. */
function git(cwd: string, args: string[]): Promise<{ code: number; stdout: string } | undefined> {
  return new Promise((resolve) => {
    execFile(
      'git',
      ['-C', cwd, ...args],
      { timeout: GIT_TIMEOUT_MS, windowsHide: true },
      (error, stdout) => {
        if (error === null) return resolve({ code: 0, stdout });
        const code = (error as { code?: unknown }).code;
        // A number is git's exit code; a string (ENOENT: no git on PATH) or a kill is no answer.
        resolve(typeof code === 'number' ? { code, stdout } : undefined);
      },
    );
  });
}

async function nearestExisting(path: string): Promise<string> {
  for (let p = path; ; p = dirname(p)) {
    try {
      if ((await stat(p)).isDirectory()) return p;
    } catch {
      // missing: try its parent
    }
    if (dirname(p) === p) return p;
  }
}

/**
 * The work tree holding `spoolDir` when git would not ignore the journals in it; `undefined`
 * when they are ignored, when it is in no work tree, or when git cannot tell.
 */
export async function unignoredSpoolIn(spoolDir: string): Promise<string | undefined> {
  const cwd = await nearestExisting(spoolDir);
  const top = await git(cwd, ['rev-parse', '--show-toplevel']);
  if (top?.code !== 0) return undefined;
  // Relative to `cwd`: an absolute path through a symlink (macOS /var) would be "outside".
  const probe = relative(cwd, join(spoolDir, PROBE));
  const ignored = await git(cwd, ['check-ignore', '-q', '--', probe]);
  return ignored?.code === 1 ? top.stdout.trim() : undefined;
}
