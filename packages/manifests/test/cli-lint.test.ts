/**
 * `stemedb-manifests lint` on the roadmap's YAML and on our own, run as
 * users run it: see support/cli.ts.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../src/bundle.js';
import { extractBlocks, ROADMAP_PATH } from './fixtures/roadmap.js';
import { withConfig } from './objects-fixtures.js';
import { BUNDLE, CONFIG, expectOneLineError, file, freshDir, run, work } from './support/cli.js';

describe('lint', () => {
  /** The roadmap's manifests, one file each, as an operator would have them. */
  const roadmapDir = join(work, 'roadmap');
  const roadmapFile = join(work, 'roadmap-stemedb.yaml');
  beforeAll(() => {
    mkdirSync(roadmapDir);
    const files = new Map<string, string[]>();
    for (const block of extractBlocks(readFileSync(ROADMAP_PATH, 'utf8'))) {
      files.set(block.file, [...(files.get(block.file) ?? []), block.text]);
    }
    for (const [name, texts] of files) {
      writeFileSync(join(roadmapDir, name), `${texts.join('\n---\n')}\n`);
    }
    const all = [...files].filter(([name]) => name !== 'kustomization.yaml');
    writeFileSync(roadmapFile, all.map(([, texts]) => texts.join('\n---\n')).join('\n---\n'));
  });

  it("fails the roadmap's YAML, one multi-document file, naming its defects", async () => {
    const result = await run(['lint', roadmapFile]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('PodDisruptionBudget/stemedb/stemedb-api');
    expect(result.stdout).toContain('[policy/pdb-blocks-eviction]');
    expect(result.stdout).toContain('[schema/unknown-field]');
    expect(result.stdout).toContain('[policy/network-policy-dns]');
    expect(result.stderr).toMatch(/^stemedb-manifests: \d+ errors in 13 objects\n$/);
  });

  it("fails the roadmap's kustomize directory, naming the files its kustomization leaves out", async () => {
    const result = await run(['lint', roadmapDir, '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as {
      ok: boolean;
      findings: { ruleId: string; message: string }[];
    };
    expect(report.ok).toBe(false);
    const unlisted = report.findings
      .filter((f) => f.ruleId === 'ref/kustomization-files')
      .map((f) => f.message.split(' ')[1]);
    expect(unlisted.sort()).toEqual([
      'alert-rules.yaml',
      'backup-cronjob.yaml',
      'network-policy.yaml',
      'pdb.yaml',
      'service-monitor.yaml',
    ]);
  });

  it('passes our own rendered kustomize directory', async () => {
    const dir = freshDir();
    expect((await run(['render', '-c', CONFIG, '-f', 'kustomize', '-o', dir])).code).toBe(0);
    const result = await run([
      'lint',
      dir,
      '--ingress-namespace',
      'kube-system',
      '--prometheus-namespace',
      'monitoring',
      '--json',
    ]);
    expect(result.code, result.stdout).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, errors: 0 });
  });

  it('reports a YAML syntax error as a finding with its line', async () => {
    const broken = file('broken.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: [x\n');
    const result = await run(['lint', broken, '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.findings[0]).toMatchObject({
      severity: 'error',
      ruleId: 'lint/yaml-syntax',
      object: broken,
      message: expect.stringMatching(/at line \d+, column \d+$/),
    });
  });

  // The previous bundle's route: an Ingress `Prefix /` to the port the ServiceMonitor scrapes.
  it('fails a bundle whose public route serves the scrape path, naming the Ingress', async () => {
    const route = BUNDLE.find((o) => o.kind === 'IngressRoute')!;
    const ingress = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: route.metadata.name, namespace: route.metadata.namespace },
      spec: {
        ingressClassName: 'traefik',
        tls: [{ hosts: ['stemedb.threesix.ai'], secretName: 'stemedb-tls' }],
        rules: [
          {
            host: 'stemedb.threesix.ai',
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: 'stemedb-api', port: { name: 'http' } } },
                },
              ],
            },
          },
        ],
      },
    };
    const items = BUNDLE.map((o) => (o === route ? ingress : o));
    const list = file('public.json', JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
    const result = await run(['lint', list, '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as {
      findings: { ruleId: string; object: string; path: string }[];
    };
    expect(report.findings.filter((f) => f.ruleId === 'policy/public-metrics')).toEqual([
      expect.objectContaining({
        object: 'Ingress/stemedb/stemedb-api',
        path: 'spec.rules[0].http.paths[0].backend.service',
      }),
    ]);
  });

  it('reads a v1 List as its items', async () => {
    const list = file(
      'list.json',
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: BUNDLE }),
    );
    const result = await run([
      'lint',
      list,
      '--ingress-namespace',
      'kube-system',
      '--prometheus-namespace',
      'monitoring',
    ]);
    expect(result.code, result.stdout).toBe(0);
  });

  it('accepts a claim the manifests mount without emitting only with --existing-claim', async () => {
    // The takeover's bundle: the server and the backup mount the roadmap's claim, not rendered.
    const takeover = buildBundle(
      withConfig({
        storage: { volumes: { layout: 'single', existingClaim: 'stemedb-pvc' } },
        backup: { method: 'rclone' },
      }),
    );
    const list = file(
      'takeover.json',
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: takeover }),
    );
    const flags = ['--ingress-namespace', 'kube-system', '--prometheus-namespace', 'monitoring'];
    const declared = await run(['lint', list, ...flags, '--existing-claim', 'stemedb/stemedb-pvc']);
    expect(declared.code, declared.stdout).toBe(0);
    const undeclared = await run(['lint', list, ...flags, '--json']);
    expect(undeclared.code).toBe(1);
    const report = JSON.parse(undeclared.stdout) as {
      findings: { ruleId: string; severity: string }[];
    };
    const errors = report.findings.filter((f) => f.severity === 'error').map((f) => f.ruleId);
    expect(new Set(errors)).toEqual(new Set(['ref/pvc-not-produced']));
  });

  it('exits 2 for a path that does not exist', async () => {
    expectOneLineError(await run(['lint', join(work, 'nope.yaml')]), 2, /nope\.yaml: no such file/);
  });
});
