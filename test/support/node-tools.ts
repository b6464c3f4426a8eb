/**
 * The package managers' own scripts (npm's `npm-cli.js`, pnpm's `pnpm.cjs`), found so that they
 * run on the Node under test (`process.execPath`) rather than on whichever `node` a launcher's
 * shebang finds first on PATH.
 */
import { accessSync, constants, existsSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

/**
 * The npm that ships with the Node under test if it has one (an official build: POSIX
 * `lib/node_modules/npm`, Windows `node_modules/npm` beside `node`); else the npm on PATH. A Node
 * from the npm `node` package (what CI uses for 22 and 24) comes without npm.
 */
export function npmCliScript(): string {
  const nodeDir = dirname(process.execPath);
  const bundled = [
    join(nodeDir, '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'),
    join(nodeDir, 'node_modules', 'npm', 'bin', 'npm-cli.js'),
  ].find((candidate) => existsSync(candidate));
  return bundled ?? scriptOnPath('npm');
}

/** The script behind the `pnpm` launcher on PATH (the workspace's package manager). */
export function pnpmCliScript(): string {
  return scriptOnPath('pnpm');
}

/**
 * The file a launcher on PATH links to: npm and pnpm install their launchers as symlinks to a
 * JavaScript file, which Node runs directly.
 */
function scriptOnPath(command: string): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const launcher = join(dir, command);
    try {
      accessSync(launcher, constants.X_OK);
    } catch {
      continue;
    }
    const script = realpathSync(launcher);
    if (/\.[cm]?js$/.test(script)) return script;
  }
  throw new Error(`no ${command} on PATH whose launcher links to a JavaScript file`);
}
