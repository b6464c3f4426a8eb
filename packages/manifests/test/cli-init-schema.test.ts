/**
 * `stemedb-manifests init` and `schema`, run as users run them: the built bin in a
 * child process, in a fresh directory of its own (support/cli.ts's run() works in one shared one).
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, STARTER_PLACEHOLDERS } from '../src/index.js';
// Also rebuilds dist/ (under the shared lock) when it is older than src/.
import { BIN } from './support/cli.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
      },
    );
  });
}

const fresh = () => mkdtemp(join(tmpdir(), 'stemedb-manifests-init-'));

describe('stemedb-manifests init', () => {
  it('writes a starter that validate refuses, naming both placeholders, until they are filled in', async () => {
    const dir = await fresh();
    const init = await cli(['init'], dir);
    expect(init).toMatchObject({ code: 0, stdout: '' });
    expect(init.stderr).toMatch(/wrote stemedb\.yaml and stemedb\.schema\.json/);
    const starter = await readFile(join(dir, 'stemedb.yaml'), 'utf8');
    expect(starter.split('\n')[0]).toBe('# yaml-language-server: $schema=./stemedb.schema.json');

    const refused = await cli(['validate', '--config', 'stemedb.yaml'], dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/image\.tag: the tag "REPLACE-ME" is a placeholder/);
    expect(refused.stderr).toMatch(/ingress\.host: is a placeholder/);
    expect(refused.stderr).not.toMatch(/\n\s+at /); // no stack trace

    await writeFile(
      join(dir, 'stemedb.yaml'),
      starter
        .replace(STARTER_PLACEHOLDERS.tag, '1.4.2')
        .replace(STARTER_PLACEHOLDERS.host, 'stemedb.threesix.ai'),
    );
    const ok = await cli(['validate', '--config', 'stemedb.yaml'], dir);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('writes the schema beside the config, the same as `schema` prints', async () => {
    const dir = await fresh();
    await cli(['init', '--out', 'stemedb.yaml'], dir);
    const written = JSON.parse(await readFile(join(dir, 'stemedb.schema.json'), 'utf8'));
    const printed = await cli(['schema'], dir);
    expect(printed.code).toBe(0);
    expect(JSON.parse(printed.stdout)).toEqual(written);
    expect(written).toEqual(configJsonSchema());
  });

  it('never overwrites an existing config without --force, and writes nothing then', async () => {
    const dir = await fresh();
    await writeFile(join(dir, 'stemedb.yaml'), 'namespace: mine\n');
    const refused = await cli(['init'], dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/cannot write stemedb\.yaml: it already exists \(pass --force/);
    expect(await readFile(join(dir, 'stemedb.yaml'), 'utf8')).toBe('namespace: mine\n');
    expect(existsSync(join(dir, 'stemedb.schema.json'))).toBe(false);

    const forced = await cli(['init', '--force'], dir);
    expect(forced.code).toBe(0);
    expect(await readFile(join(dir, 'stemedb.yaml'), 'utf8')).toMatch(/REPLACE-ME/);
  });

  it('with --no-schema writes only the config, without the schema line', async () => {
    const dir = await fresh();
    expect((await cli(['init', '--no-schema'], dir)).code).toBe(0);
    expect(readdirSync(dir)).toEqual(['stemedb.yaml']);
    expect(await readFile(join(dir, 'stemedb.yaml'), 'utf8')).not.toMatch(/yaml-language-server/);
  });

  it('names a directory that does not exist', async () => {
    const dir = await fresh();
    const run = await cli(['init', '--out', 'missing/stemedb.yaml'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot write missing\/stemedb\.yaml: its directory does not exist/);
  });
});

describe('stemedb-manifests schema', () => {
  it('writes the schema to --out', async () => {
    const dir = await fresh();
    const run = await cli(['schema', '--out', 'config.schema.json'], dir);
    expect(run.code).toBe(0);
    const written = JSON.parse(await readFile(join(dir, 'config.schema.json'), 'utf8'));
    expect(written).toEqual(configJsonSchema());
  });

  it.each([['init'], ['schema']])(
    '%s --help says what it does and how it exits',
    async (command) => {
      const run = await cli([command, '--help'], await fresh());
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/Examples:/);
      expect(run.stdout).toMatch(/Exit codes:/);
    },
  );
});
