/**
 * The CLI as a program: help on every command, usage errors in one line,
 * colour only on a terminal, --debug, and which code each command loads. The commands
 * themselves are in cli-<command>.test.ts.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ANSI,
  BIN,
  CONFIG,
  expectOneLineError,
  freshDir,
  hasScript,
  onTerminal,
  PACKAGE,
  run,
  STACK,
  WARNING,
  work,
} from './support/cli.js';

describe('--help', () => {
  it.each(['render', 'validate', 'lint', 'apply', 'diff'])(
    '%s --help describes the command and its exit codes',
    async (command) => {
      const result = await run([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Usage: stemedb-manifests ${command} [options]`);
      expect(result.stdout).toContain('Exit codes:');
      expect(result.stdout).toMatch(/2 {2}usage or config error/);
    },
  );

  it('the program --help lists every command, NO_COLOR and the exit codes', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['render', 'validate', 'lint', 'apply', 'diff']) {
      expect(result.stdout).toMatch(new RegExp(`\\n {2}${command} `));
    }
    expect(result.stdout).toContain('NO_COLOR');
    expect(result.stdout).toContain('Exit codes:');
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as {
      version: string;
    };
    const result = await run(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });
});

describe('usage errors exit 2 with one line', () => {
  it('an unknown option', async () => {
    expectOneLineError(await run(['render', '--bogus']), 2, /unknown option '--bogus'/);
  });

  it('an unknown command', async () => {
    expectOneLineError(await run(['deploy']), 2, /unknown command 'deploy'/);
  });

  it('an unknown --format', async () => {
    const result = await run(['render', '--config', CONFIG, '--format', 'helm']);
    expectOneLineError(result, 2, /yaml, json, kustomize/);
  });

  it('no command at all shows the help and exits 2', async () => {
    const result = await run([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: stemedb-manifests');
  });
});

describe('colour and errors', () => {
  it.runIf(hasScript)('colours the report on a terminal', async () => {
    expect(await onTerminal(['validate', '--config', WARNING])).toMatch(ANSI);
  });

  it.runIf(hasScript)('does not colour on a terminal when NO_COLOR is set', async () => {
    const output = await onTerminal(['validate', '--config', WARNING], { NO_COLOR: '1' });
    expect(output).toContain('warning');
    expect(output).not.toMatch(ANSI);
  });

  it('does not colour when the output is not a terminal', async () => {
    const result = await run(['validate', '--config', WARNING]);
    expect(result.stdout).toContain('warning');
    expect(result.stdout).not.toMatch(ANSI);
  });

  it('--debug prints the stack of an error', async () => {
    const result = await run(['--debug', 'render', '--config', join(work, 'missing.yaml')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^stemedb-manifests: cannot read config/);
    expect(result.stderr).toMatch(STACK);
    expect(result.stderr).toContain('Caused by: Error: ENOENT');
  });

  it('--debug works after the command name too', async () => {
    const result = await run(['render', '--config', join(work, 'missing.yaml'), '--debug']);
    expect(result.stderr).toMatch(STACK);
  });
});

describe('what each command loads', () => {
  /**
   * Every module URL a run resolved: `module.registerHooks` sees `import`, `require` and
   * `require.resolve` alike, so the CLI's own files (resolved, then loaded with their code cache,
   * src/shared/code-cache.ts) show up as well as client-node.
   */
  async function loaded(args: string[], env: Record<string, string> = {}): Promise<string> {
    const log = join(freshDir());
    mkdirSync(log);
    const hooks = join(log, 'hooks.mjs');
    writeFileSync(
      hooks,
      `import module from 'node:module';
import { appendFileSync } from 'node:fs';
module.registerHooks({
  resolve(specifier, context, next) {
    const result = next(specifier, context);
    appendFileSync(${JSON.stringify(join(log, 'urls'))}, result.url + '\\n');
    return result;
  },
});
`,
    );
    await new Promise<void>((resolve) => {
      execFile(
        process.execPath,
        ['--import', pathToFileURL(hooks).href, BIN, ...args],
        // The compile cache off: the CLI's files are then loaded by a plain `require`, which the
        // hooks see on every Node line (Node 22's do not see the `require.resolve` that the
        // code-cache path loads them by). The module graph is the same either way.
        {
          cwd: work,
          env: { PATH: process.env.PATH, HOME: work, NODE_DISABLE_COMPILE_CACHE: '1', ...env },
        },
        () => resolve(),
      );
    });
    return readFileSync(join(log, 'urls'), 'utf8');
  }

  // The CLI build bundles zod, yaml and commander into its files (tsup.config.ts): the command
  // line in dist/cli.cjs, the commands' code in dist/cli-commands.cjs.
  it.each([
    ['render', ['render', '--config', CONFIG]],
    ['validate', ['validate', '--config', CONFIG]],
    ['lint', ['lint', CONFIG]],
  ])('%s does not load @kubernetes/client-node', async (_name, args) => {
    const urls = await loaded(args);
    expect(urls).toMatch(/\/dist\/cli-commands\.cjs/);
    expect(urls).not.toContain('@kubernetes/client-node');
  });

  it('--help loads no command code', async () => {
    const urls = await loaded(['--help']);
    expect(urls).toMatch(/\/dist\/cli\.cjs/);
    expect(urls).not.toMatch(/\/dist\/cli-commands\.cjs/);
    expect(urls).not.toMatch(/\/node_modules\/.*\/(yaml|zod)\//);
  });

  // Commander's executable subcommands need it; this CLI has none (tsup.config.ts).
  it.each([
    ['render', ['render', '--config', CONFIG]],
    ['--help', ['--help']],
  ])('%s does not load node:child_process', async (_name, args) => {
    const urls = await loaded(args);
    expect(urls).toMatch(/\/dist\/cli\.cjs/);
    expect(urls).not.toMatch(/^node:child_process$/m);
  });

  it('apply does load it (the check above can see it)', async () => {
    const urls = await loaded(['apply', '--config', CONFIG], { KUBECONFIG: join(work, 'none') });
    expect(urls).toContain('@kubernetes/client-node');
  });
});
