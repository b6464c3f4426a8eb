import { resolve } from 'node:path';
import { generateApiKey } from '@stemedb/sdk';
import { describe, expect, it } from 'vitest';
import { createHostedConfig, HostedConfigError } from '../../src/index.js';
import { allRenderings, leakedPieces } from '../fixtures/config.js';

const KEY = generateApiKey();
const base = { url: 'https://stemedb.example.com', apiKey: KEY, spoolDir: '/var/spool/aphoria' };

describe('createHostedConfig', () => {
  it('builds a config with defaults, resolving a relative spool dir', () => {
    const config = createHostedConfig({ ...base, spoolDir: 'rel/spool' });
    expect(config).toMatchObject({
      url: base.url,
      apiKeyEnv: 'STEMEDB_API_KEY',
      configPath: undefined,
    });
    expect(config.apiKey).toBe(KEY);
    expect(config.spoolDir).toBe(resolve('rel/spool'));
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('hides the key from inspect, JSON and String', () => {
    const config = createHostedConfig({ ...base, apiKeyEnv: 'PAY_KEY' });
    expect(leakedPieces(allRenderings(config), KEY)).toEqual([]);
    expect(String(config)).toBe('HostedConfig(https://stemedb.example.com, key from PAY_KEY)');
  });

  const rows: { name: string; change: Record<string, unknown>; want: RegExp }[] = [
    { name: 'an unknown option', change: { apikey: KEY }, want: /unknown option "apikey"/ },
    { name: 'a bad url', change: { url: 'not a url' }, want: /url is not an absolute URL/ },
    {
      name: 'http to a remote host',
      change: { url: 'http://db.example.com' },
      want: /not loopback/,
    },
    {
      name: 'a key that is not one',
      change: { apiKey: 'steme_live_abc' },
      want: /apiKey is not a complete StemeDB key/,
    },
    {
      name: 'a key with a newline',
      change: { apiKey: `${KEY}\n` },
      want: /whitespace or a newline/,
    },
    { name: 'no key', change: { apiKey: undefined }, want: /apiKey must be a string/ },
    {
      name: 'a bad env var name',
      change: { apiKeyEnv: '1KEY' },
      want: /apiKeyEnv must be an environment variable name/,
    },
    {
      name: 'a key as the env var name',
      change: { apiKeyEnv: KEY },
      want: /apiKeyEnv holds what looks like an API key/,
    },
    {
      name: 'an empty spool dir',
      change: { spoolDir: ' ' },
      want: /spoolDir must be a non-empty path/,
    },
    {
      name: 'a key in the url',
      change: { url: `https://db.example.com/${KEY}` },
      want: /url contains what looks like an API key/,
    },
  ];
  for (const row of rows) {
    it(`refuses ${row.name} with a HostedConfigError that shows no key`, () => {
      let error: unknown;
      try {
        createHostedConfig({ ...base, ...row.change } as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(HostedConfigError);
      expect((error as Error).message).toMatch(/^createHostedConfig: /);
      expect((error as Error).message).toMatch(row.want);
      expect(leakedPieces(allRenderings(error), KEY)).toEqual([]);
    });
  }
});
