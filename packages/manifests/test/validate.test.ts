import * as clientNode from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../src/types.js';
import { formatReport, RULE_FAILED_ID, validate } from '../src/validate/index.js';
import { goodBundle } from './fixtures/good-bundle.js';
import { server, TRAFFIC } from './fixtures/rule-rows.js';

describe('validate()', () => {
  it('reports nothing for the good bundle', () => {
    const report = validate(goodBundle().objects, { trafficSources: TRAFFIC });
    expect(report).toEqual({ findings: [], errors: 0, warnings: 0, ok: true });
  });

  it('aggregates every finding into one report, counted by severity, grouped in bundle order', () => {
    const b = goodBundle();
    b.get('PodDisruptionBudget').spec.maxUnavailable = 0; // error
    delete b.get('CronJob').spec.jobTemplate.spec.activeDeadlineSeconds; // warning
    server(b).image = 'stemedb-api:latest'; // error
    const report = validate(b.objects);
    expect(report.ok).toBe(false);
    expect(report.errors).toBe(report.findings.filter((f) => f.severity === 'error').length);
    expect(report.warnings).toBe(report.findings.filter((f) => f.severity === 'warning').length);
    expect(report.findings.map((f) => f.ruleId)).toEqual([
      'policy/image-latest',
      'policy/pdb-blocks-eviction',
      'policy/job-deadline',
    ]);
    for (const f of report.findings) {
      expect(Object.keys(f).sort()).toEqual([
        'fix',
        'message',
        'object',
        'path',
        'ruleId',
        'severity',
      ]);
    }
  });

  it('is ok with warnings only', () => {
    const b = goodBundle();
    delete b.get('CronJob').spec.jobTemplate.spec.activeDeadlineSeconds;
    const report = validate(b.objects);
    expect(report).toMatchObject({ ok: true, errors: 0, warnings: 1 });
  });

  it('rejects unknown or malformed options', () => {
    expect(() => validate([], { kustomisation: {} } as never)).toThrow(/kustomisation/);
    expect(() => validate([], { kustomization: { resources: 'a.yaml' } } as never)).toThrow(
      TypeError,
    );
    expect(() => validate([], { walReplaySeconds: -1 })).toThrow(/walReplaySeconds/);
  });

  it('never crashes a rule on malformed objects, and reports them', () => {
    const objects = [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'a', namespace: 'x' },
        spec: 'oops',
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'b', namespace: 'x' },
        spec: { template: { spec: { containers: 'none', volumes: [null, 3] } } },
      },
      {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'c', namespace: 'x' },
        spec: { jobTemplate: [] },
      },
      {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata: { name: 'p', namespace: 'x' },
        spec: { groups: [{ rules: [null, { expr: 5 }] }] },
      },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'n', namespace: 'x' },
        spec: { policyTypes: ['Egress'], egress: 'all' },
      },
      { kind: 'Service', metadata: {} },
    ] as unknown as KubeObject[];
    const report = validate(objects);
    expect(report.findings.filter((f) => f.ruleId === RULE_FAILED_ID)).toEqual([]);
    expect(
      report.findings.some((f) => f.ruleId === 'schema/type' && f.object === 'Deployment/x/a'),
    ).toBe(true);
    expect(
      report.findings.some((f) => f.ruleId === 'schema/unknown-kind' && f.path === 'apiVersion'),
    ).toBe(true);
  });

  it('never puts a secret value in a finding or the report', () => {
    const b = goodBundle();
    server(b).env.push({ name: 'STEMEDB_ROOT_API_KEY_LITERAL', value: 'x' });
    server(b).env.push({ name: 'ADMIN_TOKEN', value: 'steme_live_0123456789abcdef' });
    const report = validate(b.objects);
    expect(report.findings.some((f) => f.ruleId === 'policy/secret-literal-env')).toBe(true);
    const text = JSON.stringify(report) + formatReport(report);
    expect(text).not.toContain('steme_live_0123456789abcdef');
  });
});

describe('unknown fields', () => {
  const unknown = (mutate: (b: ReturnType<typeof goodBundle>) => void) => {
    const b = goodBundle();
    mutate(b);
    return validate(b.objects).findings.filter((f) => f.ruleId === 'schema/unknown-field');
  };

  it('says a container-only field on the pod securityContext belongs on each container', () => {
    const [finding] = unknown((b) => {
      b.get('Deployment').spec.template.spec.securityContext.readOnlyRootFilesystem = false;
    });
    expect(finding?.path).toBe('spec.template.spec.securityContext.readOnlyRootFilesystem');
    expect(finding?.fix).toContain(
      'spec.template.spec.containers[*].securityContext.readOnlyRootFilesystem',
    );
  });

  it('says a pod-only field on a container securityContext belongs on the pod', () => {
    const [finding] = unknown((b) => {
      server(b).securityContext.fsGroup = 1000;
    });
    expect(finding?.fix).toContain('spec.template.spec.securityContext.fsGroup');
  });

  it('suggests the field a misspelt one was meant to be', () => {
    const [finding] = unknown((b) => {
      server(b).imagePullPolcy = 'Always';
    });
    expect(finding?.fix).toBe('did you mean "imagePullPolicy"?');
  });

  it('knows every field the Kubernetes OpenAPI lists for a Deployment (cross-checked with @kubernetes/client-node)', () => {
    // client-node 2.0.1 is generated from Kubernetes 1.35; kubernetes-models 5.1.0 knows its fields.
    const models = clientNode as unknown as Record<
      string,
      { attributeTypeMap?: { baseName: string; type: string }[] }
    >;
    const fill = (type: string, depth: number): unknown => {
      const map = models[type]?.attributeTypeMap;
      if (!map || depth > 6) return {};
      const out: Record<string, unknown> = {};
      for (const { baseName, type: t } of map) {
        const item = /^Array<(.+)>$/.exec(t)?.[1];
        out[baseName] =
          t === 'string'
            ? 'x'
            : t === 'number'
              ? 1
              : t === 'boolean'
                ? true
                : t === 'Date'
                  ? '2025-01-01T00:00:00Z'
                  : item
                    ? [fill(item, depth + 1)]
                    : t.startsWith('{')
                      ? {}
                      : fill(t, depth + 1);
      }
      return out;
    };
    const deployment = {
      ...(fill('V1Deployment', 0) as object),
      apiVersion: 'apps/v1',
      kind: 'Deployment',
    };
    const findings = validate([deployment as KubeObject]).findings.filter(
      (f) => f.ruleId === 'schema/unknown-field',
    );
    expect(findings.map((f) => f.path)).toEqual([]);
  });
});

describe('formatReport()', () => {
  it('prints each finding with object, path, rule id, message and fix, then a summary', () => {
    const b = goodBundle();
    b.get('PodDisruptionBudget').spec.maxUnavailable = 0;
    const text = formatReport(validate(b.objects));
    expect(text).toContain('PodDisruptionBudget/stemedb/stemedb-api\n');
    expect(text).toMatch(/ {2}error {3}spec\.maxUnavailable {2}\[policy\/pdb-blocks-eviction]\n/);
    expect(text).toContain('forbids evicting the single replica');
    expect(text).toContain('fix: set spec.maxUnavailable: 1');
    expect(text.trimEnd().split('\n').at(-1)).toBe('1 error, 0 warnings.');
  });

  it('says so when there is nothing to report', () => {
    expect(formatReport({ findings: [], errors: 0, warnings: 0 })).toBe('No problems found.\n');
  });
});
