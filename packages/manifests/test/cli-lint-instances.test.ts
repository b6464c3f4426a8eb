/**
 * `lint` over several instances' bundles, as rendered into two directories: names derived per
 * instance lint clean together; a class name pinned in both with other parameters is a clash.
 */
import { describe, expect, it } from 'vitest';
import { file, freshDir, MINIMAL_YAML, run } from './support/cli.js';

const STAGING = `${MINIMAL_YAML}namespace: stemedb-staging\nstorage:\n  storageClass:\n    numberOfReplicas: 1\n`;

async function rendered(config: string): Promise<string> {
  const dir = freshDir();
  const result = await run(['render', '-c', config, '-f', 'kustomize', '-o', dir]);
  expect(result.code, result.stderr).toBe(0);
  return dir;
}

describe('lint over several bundles', () => {
  it('passes a production and a staging instance linted together', async () => {
    const prod = await rendered(file('prod.yaml', MINIMAL_YAML));
    const staging = await rendered(file('staging.yaml', STAGING));
    const result = await run(['lint', prod, staging, '--json']);
    const ids = (JSON.parse(result.stdout).findings as { ruleId: string }[]).map((f) => f.ruleId);
    expect(ids).not.toContain('ref/identity-clash');
  });

  it('reports the StorageClass both name with different parameters', async () => {
    const pinned = 'storage:\n  storageClass:\n    name: longhorn-stemedb\n';
    const prod = await rendered(file('prod-pinned.yaml', MINIMAL_YAML));
    const staging = await rendered(
      file(
        'staging-pinned.yaml',
        `${MINIMAL_YAML}namespace: stemedb-staging\n${pinned.replace('longhorn-stemedb\n', 'longhorn-stemedb\n    numberOfReplicas: 1\n')}`,
      ),
    );
    const result = await run(['lint', prod, staging, '--json']);
    expect(result.code).toBe(1);
    const clashes = (
      JSON.parse(result.stdout).findings as { ruleId: string; object: string; path: string }[]
    )
      .filter((f) => f.ruleId === 'ref/identity-clash')
      .map((f) => `${f.object} ${f.path}`);
    expect(clashes).toEqual(['StorageClass/longhorn-stemedb parameters.numberOfReplicas']);
  });
});
