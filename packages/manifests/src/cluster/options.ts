/**
 * Options of `applyObjects` and `diffObjects`, checked once on entry: an unknown key or a wrong
 * type throws a TypeError naming it, before anything talks to the cluster.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { z } from 'zod';

const schema = z.strictObject({
  // Duck-typed: a KubeConfig from another copy of client-node is fine too.
  kubeConfig: z
    .custom<KubeConfig>((v) => typeof (v as KubeConfig)?.getCurrentCluster === 'function', {
      message: 'expected a KubeConfig',
    })
    .optional(),
  // The API server's limit: at most 128 printable characters.
  fieldManager: z.string().min(1).max(128).optional(),
  force: z.boolean().optional(),
  fieldValidation: z.enum(['Strict', 'Warn', 'Ignore']).optional(),
  timeoutMs: z.number().int().positive().optional(),
  dryRun: z.boolean().optional(),
  allowVolumeChange: z.boolean().optional(),
  applySet: z
    .strictObject({
      namespace: z.string().min(1),
      name: z.string().min(1).optional(),
      // The spec's `<toolname>/<semver>`.
      tooling: z
        .string()
        .regex(/^[^/\s]+\/\S+$/, 'must be <tool>/<version>')
        .optional(),
    })
    .optional(),
  prune: z.boolean().optional(),
  onProgress: z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function').optional(),
});

type Key = keyof z.infer<typeof schema>;

/** Throws a TypeError unless `options` has only `allowed` keys, each of the right type. */
export function checkOptions(fn: string, options: object, allowed: readonly string[]): void {
  const unknown = Object.keys(options).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw new TypeError(`${fn}: unknown option ${unknown.map((k) => `'${k}'`).join(', ')}`);
  }
  if (
    'prune' in options &&
    options.prune === true &&
    !('applySet' in options && options.applySet)
  ) {
    throw new TypeError(
      `${fn}: prune needs applySet: the set is what says which objects were applied before`,
    );
  }
  const result = schema
    .pick(Object.fromEntries(allowed.map((k) => [k, true])) as Record<Key, true>)
    .safeParse(options);
  if (!result.success) {
    const problems = result.error.issues.map(
      (i) => `${i.path.join('.') || 'options'}: ${i.message}`,
    );
    throw new TypeError(`${fn}: ${problems.join('; ')}`);
  }
}
