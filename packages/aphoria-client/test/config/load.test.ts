import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { generateApiKey } from '@stemedb/sdk';
import { describe, expect, it } from 'vitest';
import { HostedConfigError, loadHostedConfig } from '../../src/index.js';
import { allRenderings, leakedPieces, projectWithConfig } from '../fixtures/config.js';

const KEY = generateApiKey();
const OTHER_KEY = generateApiKey();
const GOOD = '[hosted]\nurl = "https://stemedb.example.com"\napi_key_env = "STEMEDB_API_KEY"\n';

/** The key's tail with its 21st character written as a TOML escape: no raw key-like text. */
function escapedTail(key: string): string {
  const tail = key.slice(11);
  return `${tail.slice(0, 20)}\\u00${tail.charCodeAt(20).toString(16)}${tail.slice(21)}`;
}

interface Row {
  name: string;
  /** The config file's text; undefined for no file at all. */
  toml: string | undefined;
  env?: Record<string, string>;
  /** Parts the one-line message must contain ({file} is replaced by the config's path). */
  want: (string | RegExp)[];
  line?: number;
}

const rows: Row[] = [
  {
    name: 'no config file',
    toml: undefined,
    want: [
      'no .aphoria/config.toml found in',
      'or any folder above it',
      'searched up to /',
      'Fix: create',
      'stemedb-admin onboard',
    ],
  },
  {
    name: 'no [hosted] section',
    toml: '[scan]\nrules = "all"\n',
    want: ['{file}: no [hosted] section', 'Fix: add [hosted] with url'],
  },
  { name: 'an empty file', toml: '', want: ['{file}: no [hosted] section'] },
  {
    name: 'a TOML syntax error',
    toml: '[hosted]\nurl = "https://x.example.com\n',
    want: ['{file}:2: not valid TOML', 'Fix: correct the syntax on line 2'],
    line: 2,
  },
  {
    name: 'hosted as a value, not a table',
    toml: 'hosted = "yes"\n',
    want: ['hosted must be a table'],
  },
  {
    name: 'hosted as an array of tables',
    toml: '[[hosted]]\nurl = "https://a.example.com"\n',
    want: ['{file}:1: hosted must be a table'],
    line: 1,
  },
  {
    name: 'an unknown key in [hosted]',
    toml: '[hosted]\nurl = "https://a.example.com"\napi_key_envv = "X"\n',
    want: [
      '{file}:3: unknown key "api_key_envv" in [hosted]',
      'Fix: use only url, api_key_env, spool_dir',
    ],
    line: 3,
  },
  {
    name: 'a url that is a number',
    toml: '[hosted]\nurl = 42\n',
    want: ['{file}:2: [hosted] url must be a string', 'Fix: quote it'],
    line: 2,
  },
  {
    name: 'no url',
    toml: '[hosted]\napi_key_env = "STEMEDB_API_KEY"\n',
    want: [
      '{file}:1: [hosted] has no url',
      'Fix: add url = "https://stemedb.<domain>"',
      'STEMEDB_URL',
    ],
    line: 1,
  },
  {
    name: 'a url that is not one',
    toml: '[hosted]\n\nurl = "stemedb.example.com"\n',
    want: ['{file}:3: [hosted] url is not an absolute URL', 'https://stemedb.example.com'],
    line: 3,
  },
  {
    name: 'a ftp url',
    toml: '[hosted]\nurl = "ftp://stemedb.example.com"\n',
    want: ['[hosted] url must start with https://'],
    line: 2,
  },
  {
    name: 'http to a remote host',
    toml: '[hosted]\nurl = "http://stemedb.example.com"\n',
    want: [
      '{file}:2: [hosted] url uses http:// to stemedb.example.com, which is not loopback',
      'use https://stemedb.example.com',
    ],
    line: 2,
  },
  {
    name: 'a url with credentials',
    toml: '[hosted]\nurl = "https://user:pw@stemedb.example.com"\n',
    want: ['must not carry a user name or password'],
    line: 2,
  },
  {
    name: 'a url with a query',
    toml: '[hosted]\nurl = "https://stemedb.example.com/?a=1"\n',
    want: ['must not have a query'],
    line: 2,
  },
  {
    name: 'STEMEDB_URL with http to a remote host',
    toml: GOOD,
    env: { STEMEDB_URL: 'http://10.0.0.8:18180' },
    want: [
      '{file}: STEMEDB_URL (from the environment, over [hosted] url) uses http:// to 10.0.0.8:18180',
    ],
  },
  {
    name: 'api_key_env that is no env var name',
    toml: '[hosted]\nurl = "https://a.example.com"\napi_key_env = "MY-KEY"\n',
    want: ['{file}:3: [hosted] api_key_env must be an environment variable name'],
    line: 3,
  },
  {
    name: 'the default env var unset',
    toml: '[hosted]\nurl = "https://a.example.com"\n',
    env: {},
    want: [
      'the environment variable STEMEDB_API_KEY (the default; [hosted] api_key_env names another) is not set',
      'Fix: set it',
    ],
  },
  {
    name: 'the named env var unset',
    toml: '[hosted]\nurl = "https://a.example.com"\napi_key_env = "PAYMENTS_KEY"\n',
    env: { STEMEDB_API_KEY: KEY },
    want: ['PAYMENTS_KEY (named by [hosted] api_key_env) is not set'],
  },
  {
    name: 'the env var empty',
    toml: GOOD,
    env: { STEMEDB_API_KEY: '' },
    want: ['STEMEDB_API_KEY (named by [hosted] api_key_env) is empty'],
  },
  {
    name: 'the env var with a trailing newline',
    toml: GOOD,
    env: { STEMEDB_API_KEY: `${KEY}\n` },
    want: [
      'has leading or trailing whitespace or a newline',
      'expected steme_live_ + 48 lowercase hex',
    ],
  },
  {
    name: 'the env var in quotes',
    toml: GOOD,
    env: { STEMEDB_API_KEY: `"${KEY}"` },
    want: ['is wrapped in quotes'],
  },
  {
    name: 'the env var in uppercase',
    toml: GOOD,
    env: { STEMEDB_API_KEY: KEY.toUpperCase() },
    want: ['has uppercase letters'],
  },
  {
    name: 'the env var truncated',
    toml: GOOD,
    env: { STEMEDB_API_KEY: KEY.slice(0, 40) },
    want: ['is not a complete StemeDB key', 'it has 40 characters, a key has 59'],
  },
  {
    name: 'the env var holding something else',
    toml: GOOD,
    env: { STEMEDB_API_KEY: 'hunter2' },
    want: ['is not a StemeDB key'],
  },
  {
    name: 'a key pasted into [hosted]',
    toml: `[hosted]\nurl = "https://a.example.com"\napi_key = "${KEY}"\n`,
    want: [
      '{file}:3: an API key is written in the config file',
      'Fix: delete it from the file, put it in the environment variable STEMEDB_API_KEY',
      'rotate the key',
    ],
    line: 3,
  },
  {
    name: 'a key pasted as api_key_env',
    toml: `[hosted]\nurl = "https://a.example.com"\napi_key_env = "${KEY}"\n`,
    want: ['{file}:3: an API key is written in the config file', 'STEMEDB_API_KEY'],
    line: 3,
  },
  {
    name: 'a key in a comment',
    toml: `# ${KEY}\n${GOOD}`,
    want: ['{file}:1: an API key is written in the config file'],
    line: 1,
  },
  {
    name: 'a key in another table',
    toml: `${GOOD}[scan]\ntoken = "${KEY}"\n`,
    want: ['{file}:5: an API key'],
    line: 5,
  },
  {
    name: 'a key in uppercase',
    toml: `${GOOD}token = "${KEY.toUpperCase()}"\n`,
    want: ['{file}:4: an API key'],
    line: 4,
  },
  {
    name: "a key's 48-hex tail alone",
    toml: `${GOOD}token = "${KEY.slice(11)}"\n`,
    want: ['{file}:4: an API key'],
    line: 4,
  },
  {
    name: 'a key written with a TOML escape',
    toml: `${GOOD}token = "\\u0073teme_live_${escapedTail(KEY)}"\n`,
    want: ['{file}: an API key is written in the config file'],
  },
  {
    name: 'a pasted key naming the custom env var',
    toml: `[hosted]\nurl = "https://a.example.com"\napi_key_env = "PAY_KEY"\nkey = "${KEY}"\n`,
    want: ['environment variable PAY_KEY'],
    line: 4,
  },
];

describe('loadHostedConfig refuses every mistake with one clear message', () => {
  for (const row of rows) {
    it(`${row.name}`, async () => {
      const { root, file } = await projectWithConfig(row.toml);
      const env = row.env ?? { STEMEDB_API_KEY: KEY };
      const error = await loadHostedConfig({ cwd: root, env }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HostedConfigError);
      const e = error as HostedConfigError;
      expect(e.code).toBe('config_invalid');
      expect(e.message).not.toContain('\n');
      for (const part of row.want) {
        const want = typeof part === 'string' ? part.replace('{file}', file) : part;
        if (typeof want === 'string') expect(e.message).toContain(want);
        else expect(e.message).toMatch(want);
      }
      expect(e.line).toBe(row.line);
      expect(e.file).toBe(row.toml === undefined ? undefined : file);
      for (const key of [KEY, OTHER_KEY]) expect(leakedPieces(allRenderings(e), key)).toEqual([]);
    });
  }
});

describe('loadHostedConfig finds and reads the config', () => {
  it('searches upward from cwd and returns url, env var, key, file and spool dir', async () => {
    const { root, file } = await projectWithConfig(GOOD);
    const deep = join(root, 'src', 'deep', 'er');
    await mkdir(deep, { recursive: true });
    const config = await loadHostedConfig({ cwd: deep, env: { STEMEDB_API_KEY: KEY } });
    expect(config.url).toBe('https://stemedb.example.com');
    expect(config.apiKeyEnv).toBe('STEMEDB_API_KEY');
    expect(config.apiKey).toBe(KEY);
    expect(config.configPath).toBe(file);
    expect(config.spoolDir).toBe(join(root, '.aphoria', 'spool'));
  });

  it('takes the nearest config when two folders have one', async () => {
    const outer = await projectWithConfig('[hosted]\nurl = "https://outer.example.com"\n');
    const inner = join(outer.root, 'sub');
    await mkdir(join(inner, '.aphoria'), { recursive: true });
    await writeFile(
      join(inner, '.aphoria', 'config.toml'),
      '[hosted]\nurl = "https://inner.example.com"\n',
    );
    const config = await loadHostedConfig({ cwd: inner, env: { STEMEDB_API_KEY: KEY } });
    expect(config.url).toBe('https://inner.example.com');
  });

  it('reads the key from the env var api_key_env names', async () => {
    const { root } = await projectWithConfig(
      '[hosted]\nurl = "https://a.example.com"\napi_key_env = "PAY_KEY"\n',
    );
    const config = await loadHostedConfig({
      cwd: root,
      env: { PAY_KEY: OTHER_KEY, STEMEDB_API_KEY: KEY },
    });
    expect(config.apiKey).toBe(OTHER_KEY);
    expect(config.apiKeyEnv).toBe('PAY_KEY');
  });

  it('lets STEMEDB_URL override [hosted] url, and stand in for a missing one', async () => {
    const { root } = await projectWithConfig(GOOD);
    const over = await loadHostedConfig({
      cwd: root,
      env: { STEMEDB_API_KEY: KEY, STEMEDB_URL: 'http://127.0.0.1:18180' },
    });
    expect(over.url).toBe('http://127.0.0.1:18180');
    const bare = await projectWithConfig('[hosted]\n');
    const only = await loadHostedConfig({
      cwd: bare.root,
      env: { STEMEDB_API_KEY: KEY, STEMEDB_URL: 'https://b.example.com' },
    });
    expect(only.url).toBe('https://b.example.com');
    const empty = await loadHostedConfig({
      cwd: root,
      env: { STEMEDB_API_KEY: KEY, STEMEDB_URL: '' },
    });
    expect(empty.url).toBe('https://stemedb.example.com');
  });

  it('accepts http:// to loopback hosts only', async () => {
    for (const url of ['http://127.0.0.1:1', 'http://localhost:18180', 'http://[::1]:80']) {
      const { root } = await projectWithConfig(`[hosted]\nurl = "${url}"\n`);
      await expect(
        loadHostedConfig({ cwd: root, env: { STEMEDB_API_KEY: KEY } }),
      ).resolves.toMatchObject({ url });
    }
  });

  it('places the spool by [hosted] spool_dir or the spoolDir option, both relative to .aphoria/', async () => {
    const { root } = await projectWithConfig(`${GOOD}spool_dir = "../tmp/spool"\n`);
    const env = { STEMEDB_API_KEY: KEY };
    expect((await loadHostedConfig({ cwd: root, env })).spoolDir).toBe(join(root, 'tmp', 'spool'));
    // The same text means the same directory in the file and in the option (0.1 took the
    // option from cwd: from a subdirectory, a second spool nobody flushed).
    expect((await loadHostedConfig({ cwd: root, env, spoolDir: '../tmp/spool' })).spoolDir).toBe(
      join(root, 'tmp', 'spool'),
    );
    await mkdir(join(root, 'src'), { recursive: true });
    expect(
      (await loadHostedConfig({ cwd: join(root, 'src'), env, spoolDir: '../tmp/spool' })).spoolDir,
    ).toBe(join(root, 'tmp', 'spool'));
    expect((await loadHostedConfig({ cwd: root, env, spoolDir: '/abs/spool' })).spoolDir).toBe(
      '/abs/spool',
    );
  });

  it('ignores tables other than [hosted] (they belong to Aphoria)', async () => {
    const { root } = await projectWithConfig(`[scan]\nrules = ["a", "b"]\n${GOOD}`);
    await expect(
      loadHostedConfig({ cwd: root, env: { STEMEDB_API_KEY: KEY } }),
    ).resolves.toBeDefined();
  });

  it('refuses unknown options and a cwd that does not exist', async () => {
    await expect(loadHostedConfig({ cwd: '/', env: {}, nope: 1 } as never)).rejects.toThrow(
      /invalid option nope/,
    );
    await expect(loadHostedConfig({ cwd: '/no/such/dir/at/all' })).rejects.toThrow(
      HostedConfigError,
    );
  });

  it('never shows the key: inspect, JSON and String all hide it', async () => {
    const { root } = await projectWithConfig(GOOD);
    const config = await loadHostedConfig({ cwd: root, env: { STEMEDB_API_KEY: KEY } });
    expect(leakedPieces(allRenderings(config), KEY)).toEqual([]);
    expect(leakedPieces(inspect({ nested: { config } }, { depth: 5 }), KEY)).toEqual([]);
    expect(JSON.parse(JSON.stringify(config))).toMatchObject({
      apiKey: '[redacted]',
      apiKeyEnv: 'STEMEDB_API_KEY',
    });
    expect(Object.keys(config)).not.toContain('apiKey');
  });
});
