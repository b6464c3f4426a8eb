import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isSecretStoreError, openSecretStore, parseStoreSpec } from '../../src/index.js';

const NO_ENV = {};

describe('parseStoreSpec', () => {
  it.each([
    { given: 'gcp:my-project', want: { kind: 'gcp', project: 'my-project' } },
    { given: '  gcp:my-project ', want: { kind: 'gcp', project: 'my-project' } },
    { given: 'gcp:123456789012', want: { kind: 'gcp', project: '123456789012' } },
    {
      given: 'gcp:example.com:my-project',
      want: { kind: 'gcp', project: 'example.com:my-project' },
    },
    { given: 'k8s:stemedb', want: { kind: 'k8s', namespace: 'stemedb' } },
    { given: 'k8s:a', want: { kind: 'k8s', namespace: 'a' } },
    {
      given: 'file:/var/lib/steme/secrets.json',
      want: { kind: 'file', path: '/var/lib/steme/secrets.json' },
    },
    { given: 'file:/tmp/../tmp/x.json', want: { kind: 'file', path: '/tmp/x.json' } },
    { given: 'memory:', want: { kind: 'memory' } },
  ])('parses $given', ({ given, want }) => {
    expect(parseStoreSpec(given, { env: NO_ENV })).toEqual(want);
  });

  it('takes the project of gcp: from GOOGLE_CLOUD_PROJECT, and the spec wins over it', () => {
    expect(parseStoreSpec('gcp:', { env: { GOOGLE_CLOUD_PROJECT: 'from-env-1' } })).toEqual({
      kind: 'gcp',
      project: 'from-env-1',
    });
    expect(
      parseStoreSpec('gcp:from-spec', { env: { GOOGLE_CLOUD_PROJECT: 'from-env-1' } }),
    ).toEqual({ kind: 'gcp', project: 'from-spec' });
  });

  it.each([
    { given: '', part: 'spec', says: 'empty' },
    { given: '   ', part: 'spec', says: 'empty' },
    { given: 'my-project', part: 'scheme', says: 'no scheme' },
    { given: ':x', part: 'scheme', says: 'no scheme' },
    { given: 'gsm:my-project', part: 'scheme', says: 'Unknown store scheme "gsm:"' },
    { given: 'GCP:my-project', part: 'scheme', says: 'Unknown store scheme "GCP:"' },
    { given: 'gcp:', part: 'project', says: 'GOOGLE_CLOUD_PROJECT is not set' },
    { given: 'gcp:My-Project', part: 'project', says: '"My-Project"' },
    { given: 'gcp:abc', part: 'project', says: 'not a project ID' },
    { given: 'gcp:ends-with-', part: 'project', says: 'not a project ID' },
    { given: 'gcp:1project', part: 'project', says: 'not a project ID' },
    { given: 'k8s:', part: 'namespace', says: 'names no namespace' },
    { given: 'k8s:Stemedb', part: 'namespace', says: 'DNS-1123' },
    { given: 'k8s:steme_db', part: 'namespace', says: 'DNS-1123' },
    { given: 'k8s:-stemedb', part: 'namespace', says: 'DNS-1123' },
    { given: `k8s:${'a'.repeat(64)}`, part: 'namespace', says: 'DNS-1123' },
    { given: 'file:', part: 'path', says: 'names no file' },
    { given: 'file:secrets.json', part: 'path', says: 'is relative' },
    { given: 'file:./secrets.json', part: 'path', says: 'is relative' },
    { given: 'file:/var/lib/', part: 'path', says: 'names a directory' },
    { given: 'file:/tmp/a\0b', part: 'path', says: 'NUL' },
    { given: 'memory:x', part: 'memory', says: 'takes nothing after the colon' },
  ])('refuses "$given", naming the $part', ({ given, part, says }) => {
    let error: unknown;
    try {
      parseStoreSpec(given, { env: NO_ENV });
    } catch (e) {
      error = e;
    }
    expect(isSecretStoreError(error) && { code: error.code, part: error.part }).toEqual({
      code: 'invalid_store_spec',
      part,
    });
    expect(String(error)).toContain(says);
    expect(String(error)).not.toContain('\n');
  });

  it('checks a project from GOOGLE_CLOUD_PROJECT and says where it came from', () => {
    expect(() => parseStoreSpec('gcp:', { env: { GOOGLE_CLOUD_PROJECT: 'Bad' } })).toThrow(
      /"Bad" from GOOGLE_CLOUD_PROJECT/,
    );
  });

  it('masks a key pasted into a spec by mistake', () => {
    const key = `steme_live_${'d4'.repeat(24)}`;
    let error: unknown;
    try {
      parseStoreSpec(`file:${key}`);
    } catch (e) {
      error = e;
    }
    expect(`${String(error)} ${JSON.stringify(error)} ${inspect(error)}`).not.toContain('d4d4d4');
  });
});

describe('openSecretStore', () => {
  it('takes process.env itself as env (it is not a plain object)', async () => {
    const store = await openSecretStore('memory:', { env: process.env });
    expect(store.spec).toBe('memory:');
    await store.close();
  });

  it('opens memory: fresh each time', async () => {
    const a = await openSecretStore('memory:');
    const b = await openSecretStore('memory:');
    await a.writeVersion('stemedb-key-x', 'value-1');
    expect(await b.readLatest('stemedb-key-x')).toBeUndefined();
    expect(a.spec).toBe('memory:');
  });

  it.each([
    { options: { nope: 1 }, part: 'nope' },
    { options: { gcpEndpoint: '127.0.0.1:1' }, part: 'gcpEndpoint' },
    { options: { file: { lockTimeoutMs: -1 } }, part: 'lockTimeoutMs' },
    { options: { file: { bogus: true } }, part: 'bogus' },
  ])('refuses options $options for file:, naming $part', async ({ options, part }) => {
    const error = await openSecretStore('file:/tmp/x.json', options as never).catch(
      (e: unknown) => e,
    );
    expect(isSecretStoreError(error) && { code: error.code, part: error.part }).toEqual({
      code: 'invalid_store_options',
      part,
    });
  });
});
