/**
 * `configJsonSchema()` against the zod schema it is generated from: it accepts every example
 * config and rejects the bad ones zod rejects, except the cross-section checks it cannot express
 * (`CHECKED_BY_VALIDATE_ONLY`), each of which is named here. The committed copy in schema/ is
 * the one the examples and the published package point editors at: it must be current.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  CHECKED_BY_VALIDATE_ONLY,
  configJsonSchema,
  parseConfig,
  STARTER_PLACEHOLDERS,
  starterConfig,
} from '../src/index.js';
import { BAD_CONFIGS, UNKNOWN_KEY_CONFIGS } from './fixtures/bad-configs.js';
import { MINIMAL } from './objects-fixtures.js';

const PACKAGE = join(import.meta.dirname, '..');
const EXAMPLES = join(PACKAGE, 'examples');

// strict: an unknown keyword in the generated schema is a bug in it, not something to ignore.
// strictRequired is Ajv's own style rule (`required` in an `anyOf` branch must repeat the
// property's definition), not a JSON Schema one; the branches name properties defined beside.
const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
const check = ajv.compile(configJsonSchema());

/** Where the JSON Schema finds problems (instance paths, dotted), or [] when it accepts. */
function schemaErrors(input: unknown): string[] {
  if (check(input)) return [];
  return (check.errors ?? []).map(
    (e) => `${e.instancePath.slice(1).replaceAll('/', '.')}: ${e.message}`,
  );
}

function zodAccepts(input: unknown): boolean {
  try {
    parseConfig(input);
    return true;
  } catch {
    return false;
  }
}

/** The bad configs zod alone refuses, by row name, with the CHECKED_BY_VALIDATE_ONLY entry that says why. */
const CRON_CHECK = 'backup.schedule: each field in range (a cron parser, not a pattern)';

const ZOD_ONLY: Readonly<Record<string, string>> = {
  'a request above its limit': 'resources: each request at most its limit',
  'a startup window short of twice the WAL replay':
    'probes.startup: periodSeconds × failureThreshold at least 2 × probes.walReplaySeconds',
  'skipping signatures with auth on':
    'server.extraEnv.STEMEDB_UNSAFE_SKIP_SIGNATURES: not "true" while server.authEnabled',
  'two ExternalSecrets writing one Secret':
    'Secret names: rootApiKey.secretName, ingress.tlsSecretName, backup.secretName and image.pullSecret.name all differ',
  "the backup job's name as the server name":
    'name: not stemedb-backup (the backup job pods carry that name)',
  "Prometheus's namespace as the namespace":
    "namespace: not an operator's namespace the config names (monitoring.prometheusNamespace, networkPolicy.traefikNamespace, backup.longhorn.namespace)",
  'an existing claim with the Longhorn backup':
    'storage.volumes.existingClaim: not with backup.method longhorn (its RecurringJob reaches volumes through labels on their claims)',
  'a cron schedule with a minute out of range': CRON_CHECK,
  'a cron schedule with a weekday out of range': CRON_CHECK,
};

describe('configJsonSchema', () => {
  it('is the committed schema/stemedb-config.schema.json (run `stemedb-manifests schema --out schema/stemedb-config.schema.json`)', async () => {
    const committed = JSON.parse(
      await readFile(join(PACKAGE, 'schema', 'stemedb-config.schema.json'), 'utf8'),
    );
    expect(committed).toEqual(configJsonSchema());
  });

  it('accepts every example config, as zod does', async () => {
    const files = (await readdir(EXAMPLES)).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) {
      const config = parseYaml(await readFile(join(EXAMPLES, file), 'utf8'));
      expect(zodAccepts(config), file).toBe(true);
      expect(schemaErrors(config), file).toEqual([]);
    }
  });

  it('accepts the smallest config and what parseConfig makes of it (every key spelt out)', () => {
    expect(schemaErrors(MINIMAL)).toEqual([]);
    expect(schemaErrors(JSON.parse(JSON.stringify(parseConfig(MINIMAL))))).toEqual([]);
  });

  it.each(BAD_CONFIGS.filter((row) => !(row.name in ZOD_ONLY)))(
    'rejects $name, as zod does, at the same path',
    ({ given, path }) => {
      const input = { ...MINIMAL, ...given };
      expect(zodAccepts(input)).toBe(false);
      const errors = schemaErrors(input);
      expect(errors.length, 'the schema accepted it').toBeGreaterThan(0);
      // The schema reports at the path or at one of its parents (a required key is reported on
      // the object that lacks it, an `anyOf` on the object it constrains).
      expect(
        errors.some(
          (e) =>
            path === e.split(':')[0] ||
            path.startsWith(`${e.split(':')[0]}.`) ||
            e.split(':')[0] === '',
        ),
        errors.join('\n'),
      ).toBe(true);
    },
  );

  it.each(Object.entries(ZOD_ONLY))(
    'leaves "%s" to validate (%s), a cross-section check it cannot express',
    (name, why) => {
      expect(CHECKED_BY_VALIDATE_ONLY).toContain(why);
      const row = BAD_CONFIGS.find((r) => r.name === name);
      expect(row, name).toBeDefined();
      const input = { ...MINIMAL, ...row!.given };
      expect(zodAccepts(input)).toBe(false);
      expect(schemaErrors(input)).toEqual([]);
    },
  );

  it.each(UNKNOWN_KEY_CONFIGS)('rejects the unknown key $path', ({ given }) => {
    expect(schemaErrors({ ...MINIMAL, ...given })).toContainEqual(
      expect.stringMatching(/must NOT have additional properties/),
    );
  });

  it('rejects the starter until both placeholders are replaced, as zod does', () => {
    const starter = parseYaml(starterConfig());
    expect(zodAccepts(starter)).toBe(false);
    expect(schemaErrors(starter).map((e) => e.split(':')[0])).toEqual(
      expect.arrayContaining(['image.tag', 'ingress.host']),
    );
    const filled = parseYaml(
      starterConfig()
        .replace(STARTER_PLACEHOLDERS.tag, '1.4.2')
        .replace(STARTER_PLACEHOLDERS.host, 'stemedb.threesix.ai'),
    );
    expect(zodAccepts(filled)).toBe(true);
    expect(schemaErrors(filled)).toEqual([]);
  });

  it('describes the config for editors: a title, the draft, and the defaults', () => {
    const schema = configJsonSchema() as {
      $schema: string;
      title: string;
      properties: { port: { default: number } };
    };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.title).toMatch(/StemeDB deployment config/);
    expect(schema.properties.port.default).toBe(18180);
  });
});
