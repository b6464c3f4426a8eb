/**
 * The rendered YAML of every example config, and of the variants that switch each optional
 * object on or off, pinned byte for byte (PrometheusRule included). A change to how the bundle
 * is assembled (which objects, in which order, with which content) shows here as a diff; a
 * restructuring that must not change the output is proven by these files staying the same.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildBundle, loadConfigFile, renderYaml } from '../src/index.js';
import { withConfig } from './objects-fixtures.js';

const EXAMPLES = join(import.meta.dirname, '..', 'examples');

/** Variants of the minimal config, one per optional object or alternative. */
const VARIANTS: Record<string, Record<string, unknown>> = {
  'rclone-backup': { backup: { method: 'rclone' } },
  'no-backup': { backup: { enabled: false } },
  'everything-off': {
    storage: { storageClass: { create: false } },
    image: { tag: '0.9.0', pullSecret: null },
    ingress: { host: 'stemedb.threesix.ai', clusterIssuer: null },
    rateLimit: { enabled: false },
    networkPolicy: { enabled: false },
    podDisruptionBudget: { enabled: false },
    backup: { enabled: false },
    monitoring: { enabled: false },
  },
  'rclone-without-network-policy': {
    backup: { method: 'rclone' },
    networkPolicy: { enabled: false },
  },
};

describe('golden rendering of the example configs', () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'));

  it('has examples to pin', () => {
    expect(files).toEqual(expect.arrayContaining(['full.yaml', 'minimal.yaml']));
  });

  it.each(files)('examples/%s renders as checked in', async (file) => {
    const config = await loadConfigFile(join(EXAMPLES, file));
    await expect(renderYaml(buildBundle(config))).toMatchFileSnapshot(
      `./__snapshots__/golden/example-${file}`,
    );
  });

  it.each(Object.keys(VARIANTS))('the %s variant renders as checked in', async (name) => {
    await expect(renderYaml(buildBundle(withConfig(VARIANTS[name]!)))).toMatchFileSnapshot(
      `./__snapshots__/golden/variant-${name}.yaml`,
    );
  });
});
