/**
 * How the CLI takes its config, as helm template and kustomize users expect: positionally or
 * with -c, `--set path=value` overrides validated with the file, and config errors one per line
 * with line:column, a code frame and a "did you mean".
 */
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { CONFIG, file, MINIMAL_YAML, run } from './support/cli.js';

const deploymentImage = (stdout: string): string => {
  const docs = parseAllDocuments(stdout).map((d) => d.toJS());
  const deployment = docs.find((d) => d.kind === 'Deployment');
  return deployment.spec.template.spec.containers[0].image;
};

describe('the config argument', () => {
  it.each([
    ['render', ['render', CONFIG]],
    ['validate', ['validate', CONFIG]],
  ])('%s takes the config positionally', async (_name, args) => {
    const result = await run(args);
    expect(result.code, result.stderr).toBe(0);
  });

  it('renders the same bundle positionally as with -c', async () => {
    const [positional, flag] = await Promise.all([
      run(['render', CONFIG]),
      run(['render', '-c', CONFIG]),
    ]);
    expect(positional.stdout).not.toBe('');
    expect(positional.stdout).toBe(flag.stdout);
  });

  it('refuses two different configs (exit 2)', async () => {
    const other = file('other.yaml', MINIMAL_YAML);
    const result = await run(['render', CONFIG, '-c', other]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/two configs given/);
  });
});

describe('--set', () => {
  it('overrides a value of the file, as a string where YAML reads one', async () => {
    const result = await run(['render', CONFIG, '--set', 'image.tag=0.9.1']);
    expect(result.code, result.stderr).toBe(0);
    expect(deploymentImage(result.stdout)).toMatch(/:0\.9\.1$/);
  });

  it('applies repeated --set in order, the last one winning', async () => {
    const result = await run([
      'render',
      CONFIG,
      '--set',
      'image.tag=0.9.1',
      '--set',
      'image.tag=0.9.2',
    ]);
    expect(deploymentImage(result.stdout)).toMatch(/:0\.9\.2$/);
  });

  it('is enough without a file when it sets the required keys', async () => {
    const result = await run([
      'render',
      '--set',
      'ingress.host=stemedb.threesix.ai',
      '--set',
      'image.tag=0.9.1',
    ]);
    expect(result.code, result.stderr).toBe(0);
  });

  it('is validated by the config schema, naming the --set (exit 2)', async () => {
    const result = await run(['render', CONFIG, '--set', 'port=80']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--set port=80: port: must be ≥ 1024/);
    expect(result.stdout).toBe('');
  });

  it('refuses an unknown key set by --set, with a suggestion', async () => {
    const result = await run(['render', CONFIG, '--set', 'storage.volumes.dbSise=10Gi']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/storage\.volumes\.dbSise: unknown key; did you mean dbSize\?/);
  });

  it.each([['image.tag'], ['=x'], ['image..tag=1']])(
    'refuses the malformed --set %s (exit 2)',
    async (flag) => {
      const result = await run(['render', CONFIG, '--set', flag]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/--set must be path=value/);
    },
  );
});

describe('config errors', () => {
  const BAD = file(
    'bad-keys.yaml',
    `${MINIMAL_YAML}storage:\n  volumes:\n    dbSise: 10Gi\nport: 80\n`,
  );

  it('gives one line per problem with file:line:column and a code frame', async () => {
    const result = await run(['validate', BAD]);
    expect(result.code).toBe(2);
    const lines = result.stderr.split('\n');
    expect(lines[0]).toMatch(
      /^stemedb-manifests: invalid StemeDB deployment config in .*bad-keys\.yaml:$/,
    );
    expect(result.stderr).toContain(
      `${BAD}:7:5: storage.volumes.dbSise: unknown key; did you mean dbSize?`,
    );
    expect(result.stderr).toContain(`${BAD}:8:7: port: must be ≥ 1024`);
    // The frame: the line itself, numbered and marked, and a caret under the column.
    expect(result.stderr).toContain('  > 7 |     dbSise: 10Gi\n      |     ^');
  });

  it('suggests nothing for a key far from every known one', async () => {
    const far = file('far.yaml', `${MINIMAL_YAML}zzzzzzzz: 1\n`);
    const result = await run(['validate', far]);
    expect(result.stderr).toMatch(/zzzzzzzz: unknown key\n/);
  });

  it('still reads a good file the same way (a near miss)', async () => {
    const good = parseYaml(MINIMAL_YAML);
    expect(good.image.tag).toBe('0.9.0');
    const result = await run(['validate', CONFIG]);
    expect(result.code, result.stderr).toBe(0);
  });
});
