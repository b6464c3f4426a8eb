import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  buildBundle,
  KUSTOMIZATION_FILE,
  kustomizeFiles,
  parseYamlStream,
  renderJson,
  renderYaml,
  WRITTEN_FILES,
  writeKustomizeDir,
  writeOutput,
} from '../src/index.js';
import { MINIMAL, withConfig } from './objects-fixtures.js';

const bundle = buildBundle(MINIMAL);
const tmp = () => mkdtemp(join(tmpdir(), 'stemedb-manifests-'));

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
const hasKubectl = kubectl.status === 0;
if (!hasKubectl) {
  console.warn(
    'kubectl is not installed: the `kubectl kustomize` tests are skipped (CI installs it).',
  );
}

/** Objects sorted by kind and name, for comparing without order. */
const byRef = (objects: { kind: string; metadata: { name: string } }[]) =>
  [...objects].sort((a, b) =>
    `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`),
  );

describe('writeKustomizeDir', () => {
  it('writes one <kind>-<name>.yaml per object and a kustomization.yaml', async () => {
    const dir = await tmp();
    const result = await writeKustomizeDir(bundle, dir);
    const expected = [
      ...bundle.map((o) => `${o.kind}-${o.metadata.name}.yaml`.toLowerCase()),
      KUSTOMIZATION_FILE,
    ];
    expect(result.files).toEqual(expected);
    expect((await readdir(dir)).sort()).toEqual([...expected, WRITTEN_FILES].sort());
    expect(result.files).toContain('deployment-stemedb-api.yaml');
    expect(result.files).toContain('persistentvolumeclaim-stemedb-wal.yaml');
  });

  it('lists every object file in kustomization.yaml, in bundle order, with fifo sorting', async () => {
    const dir = await tmp();
    await writeKustomizeDir(bundle, dir);
    const k = parse(await readFile(join(dir, KUSTOMIZATION_FILE), 'utf8'));
    expect(k).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: bundle.map((o) => `${o.kind}-${o.metadata.name}.yaml`.toLowerCase()),
      sortOptions: { order: 'fifo' },
    });
  });

  it('writes each object as one YAML document', async () => {
    const dir = await tmp();
    await writeKustomizeDir(bundle, dir);
    const text = await readFile(join(dir, 'service-stemedb-api.yaml'), 'utf8');
    expect(parseYamlStream(text)).toEqual([bundle.find((o) => o.kind === 'Service')]);
  });

  it('creates a missing directory', async () => {
    const dir = join(await tmp(), 'deep', 'stemedb');
    await writeKustomizeDir(bundle, dir);
    expect(await readdir(dir)).toContain(KUSTOMIZATION_FILE);
  });

  it('refuses two objects that would share a file', () => {
    expect(() => kustomizeFiles([bundle[0]!, bundle[0]!])).toThrow(
      /two objects would be written to namespace-stemedb\.yaml/,
    );
  });

  it('is deterministic', () => {
    expect(kustomizeFiles(buildBundle(MINIMAL))).toEqual(kustomizeFiles(bundle));
  });

  it.skipIf(!hasKubectl)(
    'builds with kubectl kustomize into the same objects, in the same order',
    async () => {
      const dir = await tmp();
      await writeKustomizeDir(bundle, dir);
      const built = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
      expect(parseYamlStream(built)).toEqual(bundle);
    },
  );

  it.skipIf(!hasKubectl)('builds the single-volume, all-options-off bundle too', async () => {
    const small = buildBundle(
      withConfig({
        storage: {
          volumes: { layout: 'single' },
          storageClass: { create: false, name: 'longhorn' },
        },
        backup: { enabled: false },
        monitoring: { enabled: false },
        rateLimit: { enabled: false },
      }),
    );
    const dir = await tmp();
    await writeKustomizeDir(small, dir);
    const built = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
    expect(byRef(parseYamlStream(built))).toEqual(byRef(small));
  });
});

describe('writeOutput', () => {
  it('writes YAML to stdout by default', async () => {
    let out = '';
    const result = await writeOutput(bundle, { stdout: { write: (t: string) => (out += t) } });
    expect(out).toBe(renderYaml(bundle));
    expect(result).toEqual({ format: 'yaml', paths: ['-'], removed: [] });
  });

  it('writes JSON to stdout for "-"', async () => {
    let out = '';
    await writeOutput(bundle, {
      format: 'json',
      out: '-',
      stdout: { write: (t: string) => (out += t) },
    });
    expect(out).toBe(renderJson(bundle));
  });

  it.each(['yaml', 'json'] as const)(
    'writes %s to a file, creating its directory',
    async (format) => {
      const file = join(await tmp(), 'out', `stemedb.${format}`);
      const result = await writeOutput(bundle, { format, out: file });
      expect(result.paths).toEqual([file]);
      expect(await readFile(file, 'utf8')).toBe(
        format === 'json' ? renderJson(bundle) : renderYaml(bundle),
      );
    },
  );

  it('writes a kustomize directory', async () => {
    const dir = await tmp();
    const result = await writeOutput(bundle, { format: 'kustomize', out: dir });
    expect(result.paths).toContain(`${dir}/${KUSTOMIZATION_FILE}`);
    expect(result.paths).toHaveLength(bundle.length + 1);
  });

  it('needs a directory for the kustomize format', async () => {
    await expect(writeOutput(bundle, { format: 'kustomize' })).rejects.toThrow(/directory/);
  });

  it('overwrites an earlier rendering in place', async () => {
    const file = join(await tmp(), 'stemedb.yaml');
    await writeFile(file, 'old');
    await writeOutput(bundle, { out: file });
    expect(await readFile(file, 'utf8')).toBe(renderYaml(bundle));
  });
});
