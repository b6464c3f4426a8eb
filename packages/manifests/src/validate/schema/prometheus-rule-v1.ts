/**
 * OUR strict schema for prometheus-operator `monitoring.coreos.com/v1` PrometheusRule, written
 * field for field from the published one in @kubernetes-models/prometheus-operator 4.4.4.
 *
 * Why not use the published validator: its one case-insensitive pattern
 * (`partial_response_strategy: ^(?i)(abort|warn)?$`) makes it load re2-wasm, about 150 ms of a
 * cold `stemedb-manifests render` whose budget is 500 ms (README, "Speed"). The pattern is written
 * here as an ordinary case-insensitive RegExp. A test checks that this schema and the published
 * one agree on the same objects, so a drift in either shows.
 */
import { z } from 'zod';

// Prometheus durations, as the CRD writes them (`0`, `30s`, `1h30m`, …).
const duration = z
  .string()
  .regex(
    /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/,
  );
const strMap = z.record(z.string(), z.string());

const rule = z.strictObject({
  alert: z.string().optional(),
  annotations: strMap.optional(),
  expr: z.union([z.string(), z.int()]),
  for: duration.optional(),
  labels: strMap.optional(),
  record: z.string().optional(),
});

const group = z.strictObject({
  name: z.string().min(1),
  interval: duration.optional(),
  limit: z.int().optional(),
  partial_response_strategy: z
    .string()
    .regex(/^(abort|warn)?$/i)
    .optional(),
  rules: z.array(rule).optional(),
});

/** `monitoring.coreos.com/v1` PrometheusRule, without metadata (checked against ObjectMeta). */
export const prometheusRuleV1 = z.strictObject({
  apiVersion: z.literal('monitoring.coreos.com/v1'),
  kind: z.literal('PrometheusRule'),
  metadata: z.unknown(),
  spec: z.strictObject({ groups: z.array(group).optional() }),
});
