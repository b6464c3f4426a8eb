/** The projects file (issue 8 §2): one name a line, comments, duplicates, every error naming its line. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MAX_PROJECT_NAME_LENGTH,
  parseProjectsFile,
  projectNameProblem,
  readProjectsFile,
} from '../../src/projects-file.js';

describe('projectNameProblem', () => {
  it('allows 120 characters: project-<name> must fit the 128 of a label', () => {
    expect(MAX_PROJECT_NAME_LENGTH).toBe(120);
  });

  it.each([
    { given: 'alpha', ok: true },
    { given: 'a', ok: true },
    { given: '9lives', ok: true },
    { given: 'multi-part-name-2', ok: true },
    { given: 'a'.repeat(120), ok: true },
    { given: 'a'.repeat(121), ok: false },
    { given: 'Alpha', ok: false },
    { given: 'al_pha', ok: false },
    { given: 'al.pha', ok: false },
    { given: '-alpha', ok: false },
    { given: 'alpha-', ok: false },
    { given: 'älpha', ok: false },
  ])('$given: ok=$ok', ({ given, ok }) => {
    expect(projectNameProblem(given) === undefined).toBe(ok);
  });
});

describe('parseProjectsFile', () => {
  it('skips blank lines and comments, keeps order, trims', () => {
    const text = '# projects\n\nalpha\n  beta  # the second\r\n\t\ngamma\n';
    expect(parseProjectsFile(text)).toEqual(['alpha', 'beta', 'gamma']);
  });

  it.each([
    { given: 'alpha\nBeta\n', line: 2, says: 'lowercase' },
    { given: 'alpha\n\nalpha\n', line: 3, says: 'duplicate project alpha (first on line 1)' },
    { given: 'alpha beta\n', line: 1, says: 'one project name a line' },
    { given: `${'x'.repeat(121)}\n`, line: 1, says: 'the most is 120' },
  ])('names line $line: $says', ({ given, line, says }) => {
    try {
      parseProjectsFile(given, 'p.txt');
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'invalid_projects_file', exitCode: 2 });
      const e = error as { message: string; issues: { line: number; message: string }[] };
      expect(e.issues).toHaveLength(1);
      expect(e.issues[0]?.line).toBe(line);
      expect(e.message).toContain(`p.txt:${line}: `);
      expect(e.message).toContain(says);
    }
  });

  it('reports every bad line at once', () => {
    expect(() => parseProjectsFile('ok\nBAD\nok\nworse_\n', 'p.txt')).toThrow(
      /p\.txt:2: .*; p\.txt:4: .*/,
    );
  });
});

describe('readProjectsFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stemedb-admin-projects-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file and names a missing one', async () => {
    const path = join(dir, 'projects.txt');
    writeFileSync(path, 'alpha\nbeta\n');
    expect(await readProjectsFile(path)).toEqual(['alpha', 'beta']);
    await expect(readProjectsFile(join(dir, 'nope.txt'))).rejects.toMatchObject({
      code: 'invalid_projects_file',
      message: expect.stringContaining('nope.txt: ENOENT'),
    });
  });
});
