/** `loadHostedConfig({ env: process.env })`: the real environment object is accepted as it is. */
import { generateApiKey } from '@stemedb/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { HostedConfigError, loadHostedConfig } from '../../src/index.js';
import { projectWithConfig } from '../fixtures/config.js';

const NAME = 'APHORIA_PROCESS_ENV_TEST_KEY';
afterEach(() => {
  delete process.env[NAME];
});

describe('loadHostedConfig env', () => {
  it('accepts process.env itself (not a plain object) and reads the key from it', async () => {
    const { root } = await projectWithConfig(
      `[hosted]\nurl = "https://stemedb.example.com"\napi_key_env = "${NAME}"\n`,
    );
    const key = generateApiKey();
    process.env[NAME] = key;
    const config = await loadHostedConfig({ cwd: root, env: process.env });
    expect(config.apiKey).toBe(key);
  });

  it('still refuses an env that is not an object', async () => {
    const error = await loadHostedConfig({ env: 'nope' as never }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostedConfigError);
    expect((error as Error).message).toMatch(/invalid option env/);
  });
});
