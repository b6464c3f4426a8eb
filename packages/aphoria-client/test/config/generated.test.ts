/**
 * Generated configs (fast-check): whatever the file and the environment hold, loadHostedConfig
 * resolves to a config or rejects with a one-line HostedConfigError, and never shows the key.
 */
import { generateApiKey } from '@stemedb/sdk';
import fc from 'fast-check';
import { stringify } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { HostedConfigError, loadHostedConfig } from '../../src/index.js';
import { allRenderings, leakedPieces, projectWithConfig } from '../fixtures/config.js';

const KEY = generateApiKey();

/** A value for a [hosted] key: often right, often a near miss, sometimes the key itself. */
const hostedValue = fc.oneof(
  fc.constantFrom(
    'https://stemedb.example.com',
    'http://stemedb.example.com',
    'http://127.0.0.1:9',
    'STEMEDB_API_KEY',
    'spool',
    KEY,
    KEY.slice(11),
    `${KEY.slice(0, 30)}`,
  ),
  fc.string({ maxLength: 30 }),
  fc.integer(),
  fc.boolean(),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
);
const hostedTable = fc.dictionary(
  fc.constantFrom('url', 'api_key_env', 'spool_dir', 'api_key', 'URL', 'token'),
  hostedValue,
  { maxKeys: 4 },
);
const envValue = fc.oneof(
  fc.constantFrom(KEY, `${KEY}\n`, ` ${KEY}`, KEY.toUpperCase(), KEY.slice(0, 50), '', 'x'),
  fc.string({ maxLength: 20 }),
);
const environment = fc.record(
  {
    STEMEDB_API_KEY: envValue,
    STEMEDB_URL: fc.constantFrom('', 'https://a.example.com', 'http://a.example.com', 'nope'),
  },
  { requiredKeys: [] },
);

async function expectCleanOutcome(text: string, env: Record<string, string>): Promise<void> {
  const { root, file } = await projectWithConfig(text);
  const outcome = await loadHostedConfig({ cwd: root, env }).then(
    (config) => config,
    (error: unknown) => error,
  );
  if (outcome instanceof Error) {
    expect(outcome).toBeInstanceOf(HostedConfigError);
    expect(outcome.message).not.toContain('\n');
    expect(outcome.message.startsWith(file)).toBe(true);
  }
  expect(leakedPieces(allRenderings(outcome), KEY)).toEqual([]);
}

describe('loadHostedConfig on generated input', () => {
  it('answers generated [hosted] tables and environments cleanly', async () => {
    await fc.assert(
      fc.asyncProperty(hostedTable, environment, async (hosted, env) => {
        await expectCleanOutcome(stringify({ hosted }), env);
      }),
      { numRuns: 150 },
    );
  });

  it('answers arbitrary text cleanly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (text) => {
        await expectCleanOutcome(text, { STEMEDB_API_KEY: KEY });
      }),
      { numRuns: 150 },
    );
  });

  it('refuses any document holding the key, wherever it is', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('hosted', 'scan', 'other'),
        fc.constantFrom('url', 'x', 'api_key_env'),
        fc.constantFrom(KEY, KEY.slice(11), KEY.toUpperCase()),
        async (table, key, value) => {
          const { root } = await projectWithConfig(
            stringify({ hosted: { url: 'https://a.example.com' }, [table]: { [key]: value } }),
          );
          const error = await loadHostedConfig({ cwd: root, env: { STEMEDB_API_KEY: KEY } }).catch(
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(HostedConfigError);
          expect((error as Error).message).toContain('an API key is written in the config file');
          expect(leakedPieces(allRenderings(error), KEY)).toEqual([]);
        },
      ),
      { numRuns: 30 },
    );
  });
});
