/**
 * Our own rendered bundle is clean: buildBundle's objects, in the kustomize
 * directory the renderer writes, pass every rule. Findings here are defects of the objects, to
 * be fixed there, not here.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  buildBundle,
  KUSTOMIZATION_FILE,
  kustomizeFiles,
  type StemeDeploymentConfigInput,
} from '../src/index.js';
import type { KubeObject } from '../src/types.js';
import { formatReport, type ValidateOptions, validate } from '../src/validate/index.js';

const MINIMAL: StemeDeploymentConfigInput = {
  ingress: { host: 'stemedb.threesix.ai' },
  image: { tag: '0.9.0' },
};

/** The kustomize layout the renderer writes for `objects`. */
function layout(objects: readonly KubeObject[]): ValidateOptions['kustomization'] {
  const files = kustomizeFiles(objects);
  const kustomization = parse(files.get(KUSTOMIZATION_FILE)!) as { resources: string[] };
  return {
    resources: kustomization.resources,
    files: [...files.keys()].filter((f) => f !== KUSTOMIZATION_FILE),
  };
}

/** Validates a bundle the way `render` does, for the cluster it targets (k3s). */
function check(config: StemeDeploymentConfigInput, options: ValidateOptions = {}) {
  const objects = buildBundle(config);
  return validate(objects, {
    kustomization: layout(objects),
    trafficSources: { ingress: 'kube-system', prometheus: 'monitoring' },
    ...options,
  });
}

/**
 * Warnings the objects still have, reported to their owner; each line goes when it is fixed
 * (the test then fails until it is removed here, so the list only shrinks).
 */
const PENDING_WARNINGS: string[] = [];

describe('our rendered bundle', () => {
  it('has no errors with the minimal config', () => {
    const report = check(MINIMAL);
    expect(
      report.findings.filter((f) => f.severity === 'error'),
      formatReport(report),
    ).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('has only the warnings pending a fix', () => {
    const report = check(MINIMAL);
    const warnings = report.findings
      .filter((f) => f.severity === 'warning')
      .map((f) => `${f.ruleId} ${f.object} ${f.path}`);
    expect(warnings.sort(), formatReport(report)).toEqual([...PENDING_WARNINGS].sort());
  });

  it('names a pull secret the bundle does not produce, unless the cluster provides it', () => {
    const config = {
      ...MINIMAL,
      image: { tag: '0.9.0', pullSecret: { name: 'gcr-secret', remoteKey: null } },
    };
    const missing = check(config as StemeDeploymentConfigInput);
    expect(missing.findings.map((f) => `${f.ruleId} ${f.path}`)).toContain(
      'ref/secret-not-produced spec.template.spec.imagePullSecrets[0].name',
    );
    const provided = check(config as StemeDeploymentConfigInput, {
      existingSecrets: ['stemedb/gcr-secret'],
    });
    expect(
      provided.findings.filter((f) => f.severity === 'error'),
      formatReport(provided),
    ).toEqual([]);
  });
});
