/**
 * The projects file of `provision` (roadmap Phase 3: "one project name per line"): blank lines
 * and `#` comments are ignored, every name is checked, duplicates are refused, and every
 * problem is reported at once, each naming its line.
 */
import { readFile } from 'node:fs/promises';
import { AdminError, type InputIssue } from './errors.js';
import { PROJECT_KEY_SECRET_PREFIX, projectKeyLabel } from './stores/names.js';

/**
 * The longest project name: the tighter of the two names built from it.
 * - Secret Manager secret ids are at most 255 characters (`[A-Za-z0-9_-]`), and
 *   `stemedb-key-` takes 12 of them: 243 left.
 * - The server's key label is at most 128 characters (the yaml's `Label`, assumed), and
 *   `project-` takes 8: 120 left.
 * A Kubernetes Secret name (a DNS subdomain, 253 characters) is looser than both.
 */
export const MAX_PROJECT_NAME_LENGTH = Math.min(
  255 - PROJECT_KEY_SECRET_PREFIX.length,
  128 - projectKeyLabel('').length,
);

/**
 * Lowercase letters, digits and hyphens, starting and ending with a letter or a digit: what
 * Secret Manager ids, the server's labels and Kubernetes Secret names all accept.
 */
export const PROJECT_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/** Why `name` is not a valid project name, or `undefined` when it is. */
export function projectNameProblem(name: string): string | undefined {
  if (name.length > MAX_PROJECT_NAME_LENGTH) {
    return `project name is ${name.length} characters, the most is ${MAX_PROJECT_NAME_LENGTH} (the key label project-<name> must fit in 128)`;
  }
  if (!PROJECT_NAME_PATTERN.test(name)) {
    return `project name ${JSON.stringify(truncateName(name))} may only have lowercase letters, digits and hyphens, and must start and end with a letter or a digit`;
  }
  return undefined;
}

/** Throws `invalid_project_name` unless `name` is a valid project name. */
export function checkProjectName(name: string): string {
  const problem = projectNameProblem(name);
  if (problem !== undefined)
    throw new AdminError({ code: 'invalid_project_name', message: problem });
  return name;
}

/**
 * Parses a projects file's text into its names, in file order.
 *
 * @param source - how errors name the file, e.g. its path
 * @throws AdminError `invalid_projects_file` with one issue per bad line
 */
export function parseProjectsFile(text: string, source = 'projects file'): string[] {
  const names: string[] = [];
  const firstLine = new Map<string, number>();
  const issues: InputIssue[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const name = raw.replace(/#.*$/, '').trim();
    if (name === '') return;
    const problem = /\s/.test(name)
      ? 'one project name a line: this line has several words'
      : projectNameProblem(name);
    if (problem !== undefined) {
      issues.push({ line, message: problem });
      return;
    }
    const seen = firstLine.get(name);
    if (seen !== undefined) {
      issues.push({ line, message: `duplicate project ${name} (first on line ${seen})` });
      return;
    }
    firstLine.set(name, line);
    names.push(name);
  });
  if (issues.length > 0) {
    const detail = issues.map((i) => `${source}:${i.line}: ${i.message}`).join('; ');
    throw new AdminError({ code: 'invalid_projects_file', message: detail, issues });
  }
  return names;
}

/** Reads and parses a projects file (UTF-8). */
export async function readProjectsFile(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new AdminError({
      code: 'invalid_projects_file',
      message: `cannot read projects file ${path}: ${reason}`,
      cause: error,
    });
  }
  return parseProjectsFile(text, path);
}

function truncateName(name: string): string {
  return name.length > 40 ? `${name.slice(0, 39)}…` : name;
}
