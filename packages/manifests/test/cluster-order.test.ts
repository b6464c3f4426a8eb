import { describe, expect, it } from 'vitest';
import { APPLY_ORDER, sortForApply } from '../src/cluster/order.js';
import type { KubeObject } from '../src/types.js';

const obj = (kind: string, name = kind.toLowerCase()): KubeObject => ({
  apiVersion: 'v1',
  kind,
  metadata: { name, namespace: kind === 'Namespace' ? undefined : 'stemedb' },
});
const kinds = (objects: KubeObject[]) => objects.map((o) => o.kind);

describe('sortForApply', () => {
  it('puts what others depend on first', () => {
    const given = [
      'PrometheusRule',
      'ServiceMonitor',
      'Ingress',
      'Middleware',
      'CronJob',
      'Deployment',
      'Service',
      'ConfigMap',
      'PersistentVolumeClaim',
      'Secret',
      'ExternalSecret',
      'PodDisruptionBudget',
      'NetworkPolicy',
      'StorageClass',
      'Namespace',
    ].map((k) => obj(k));
    expect(kinds(sortForApply(given))).toEqual([
      'Namespace',
      'StorageClass',
      'NetworkPolicy',
      'PodDisruptionBudget',
      'ExternalSecret',
      'Secret',
      'PersistentVolumeClaim',
      'ConfigMap',
      'Service',
      'Deployment',
      'CronJob',
      'Middleware',
      'Ingress',
      'ServiceMonitor',
      'PrometheusRule',
    ]);
  });

  it.each<{ given: [string, string]; want: string }>([
    { given: ['Deployment', 'Namespace'], want: 'Namespace' },
    { given: ['Namespace', 'CustomResourceDefinition'], want: 'Namespace' },
    { given: ['Secret', 'ExternalSecret'], want: 'ExternalSecret' },
    { given: ['Deployment', 'PersistentVolumeClaim'], want: 'PersistentVolumeClaim' },
    { given: ['Deployment', 'NetworkPolicy'], want: 'NetworkPolicy' },
    { given: ['Ingress', 'Middleware'], want: 'Middleware' },
    { given: ['PrometheusRule', 'Deployment'], want: 'Deployment' },
  ])('applies $want first of $given', ({ given, want }) => {
    expect(sortForApply(given.map((k) => obj(k)))[0]?.kind).toBe(want);
  });

  it('keeps the given order within a kind', () => {
    const given = [
      obj('Service', 'b'),
      obj('ConfigMap', 'z'),
      obj('Service', 'a'),
      obj('ConfigMap', 'y'),
    ];
    expect(sortForApply(given).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ConfigMap/z',
      'ConfigMap/y',
      'Service/b',
      'Service/a',
    ]);
  });

  it('puts kinds it does not know last, in their given order', () => {
    const given = [obj('Zeta'), obj('PrometheusRule'), obj('Alpha'), obj('Namespace')];
    expect(kinds(sortForApply(given))).toEqual(['Namespace', 'PrometheusRule', 'Zeta', 'Alpha']);
  });

  it('returns a new array and leaves its input alone', () => {
    const given = [obj('Service'), obj('Namespace')];
    const sorted = sortForApply(given);
    expect(sorted).not.toBe(given);
    expect(kinds(given)).toEqual(['Service', 'Namespace']);
  });

  it('lists each kind once', () => {
    expect(new Set(APPLY_ORDER).size).toBe(APPLY_ORDER.length);
  });
});
