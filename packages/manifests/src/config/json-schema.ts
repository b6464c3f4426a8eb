/**
 * The JSON Schema of the deployment config (`stemedb-manifests schema`), generated from the zod
 * schema so the two cannot drift: editors that read `# yaml-language-server: $schema=…` complete
 * and check `stemedb.yaml` as they type.
 *
 * It describes what a config file may say (zod's input side: every key with a default is
 * optional). The refines that JSON Schema can express are mirrored next to them with `.meta()`
 * (a host that is a placeholder, a `latest` tag, a managed env var, ...); the few that compare
 * fields of different sections are checked by `stemedb-manifests validate` only, and listed in
 * {@link CHECKED_BY_VALIDATE_ONLY}.
 */
import { z } from 'zod';
import { configSchema } from './index.js';

/** The `$id` of the schema (the npm package's published copy of `stemedb-manifests schema`). */
export const CONFIG_SCHEMA_ID =
  'https://unpkg.com/@stemedb/manifests/schema/stemedb-config.schema.json';

/** Checks of the config that the JSON Schema cannot make (they compare separate fields). */
export const CHECKED_BY_VALIDATE_ONLY: readonly string[] = [
  'backup.schedule: each field in range (a cron parser, not a pattern)',
  'name: not stemedb-backup (the backup job pods carry that name)',
  "namespace: not an operator's namespace the config names (monitoring.prometheusNamespace, networkPolicy.traefikNamespace, backup.longhorn.namespace)",
  'Secret names: rootApiKey.secretName, ingress.tlsSecretName, backup.secretName and image.pullSecret.name all differ',
  'resources: each request at most its limit',
  'probes.startup: periodSeconds × failureThreshold at least 2 × probes.walReplaySeconds',
  'server.extraEnv.STEMEDB_UNSAFE_SKIP_SIGNATURES: not "true" while server.authEnabled',
  'storage.volumes.existingClaim: not with backup.method longhorn (its RecurringJob reaches volumes through labels on their claims)',
  'backup.image: a valid repository (the schema checks the pin: a tag other than latest, or a digest)',
];

/** A JSON Schema document (draft 2020-12). */
export type JsonSchema = { readonly [key: string]: unknown };

/** The JSON Schema (draft 2020-12) of a `stemedb.yaml` / `stemedb.json` config file. */
export function configJsonSchema(): JsonSchema {
  // `unrepresentable: 'throw'`: a zod type JSON Schema cannot say (a transform, a date) must
  // fail here, in the tests, rather than turn into an `{}` that accepts anything.
  const generated = z.toJSONSchema(configSchema, {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'throw',
  }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: CONFIG_SCHEMA_ID,
    title: 'StemeDB deployment config (@stemedb/manifests)',
    description:
      'Input of stemedb-manifests render/validate/apply. Every key has a default except ingress.host and image.tag (or image.digest). Checks across sections are made by `stemedb-manifests validate` only.',
    ...rest,
    // `image` has defaults for registry and repository but none for the tag, so a file must
    // name it (zod reaches the same answer through the image's refine on `{}`).
    required: [...new Set([...((rest.required as string[] | undefined) ?? []), 'image'])],
  };
}
