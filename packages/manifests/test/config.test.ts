import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  DEFAULT_ALERT_THRESHOLDS,
  DEFAULT_BACKUP_IMAGE,
  DEFAULT_LONGHORN_BACKUP,
  DEFAULT_PORT,
  DEFAULT_RESOURCES,
  loadConfigFile,
  parseConfig,
} from '../src/index.js';
import { BAD_CONFIGS, UNKNOWN_KEY_CONFIGS } from './fixtures/bad-configs.js';
import { at, MINIMAL, withConfig } from './objects-fixtures.js';

/** The issues of a config that must not parse. */
function issuesOf(input: unknown): { path: string; message: string }[] {
  try {
    parseConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).issues];
  }
  throw new Error('the config parsed');
}

describe('backup.method', () => {
  it('defaults to longhorn, and the rclone settings come only with method rclone', () => {
    expect(parseConfig(MINIMAL).backup).toEqual({
      method: 'longhorn',
      enabled: true,
      schedule: '0 */6 * * *',
      longhorn: DEFAULT_LONGHORN_BACKUP,
    });
    expect(parseConfig(withConfig({ backup: { method: 'rclone' } })).backup).toMatchObject({
      method: 'rclone',
      bucket: 'stemedb-backups',
      image: DEFAULT_BACKUP_IMAGE,
      secretName: 'rclone-gcs-config',
      credentialsRemoteKey: 'stemedb-backup-gcs-sa',
    });
  });

  it('lets the rclone Secret name be anything when the method is longhorn', () => {
    // The cross-field Secret check applies to the rclone Secret only when it is emitted.
    expect(() =>
      parseConfig(withConfig({ rootApiKey: { secretName: 'rclone-gcs-config' } })),
    ).not.toThrow();
  });
});

describe('parseConfig defaults', () => {
  const config = parseConfig(MINIMAL);

  it.each([
    ['namespace', 'stemedb'],
    ['name', 'stemedb-api'],
    ['port', DEFAULT_PORT],
    ['port', 18180],
    ['image.registry', 'us-central1-docker.pkg.dev/orchard9/docker-images'],
    ['image.repository', 'stemedb-api'],
    ['image.pullPolicy', 'IfNotPresent'],
    ['image.pullSecret', { name: 'gcr-secret', remoteKey: 'stemedb-image-pull-secret' }],
    ['server.authEnabled', true],
    ['server.meterEnabled', true],
    [
      'rootApiKey',
      {
        secretName: 'stemedb-secrets',
        secretKey: 'root-api-key',
        remoteKey: 'stemedb-root-api-key',
      },
    ],
    [
      'secretStore',
      { name: 'gcp-secret-manager', kind: 'ClusterSecretStore', refreshInterval: '1h' },
    ],
    // Per instance: derived from the namespace when the objects are built (objects-instances).
    ['storage.storageClass.name', undefined],
    ['storage.storageClass.numberOfReplicas', 2],
    ['storage.storageClass.dataLocality', 'best-effort'],
    ['storage.volumes', { layout: 'split', walSize: '20Gi', dbSize: '50Gi' }],
    ['resources', DEFAULT_RESOURCES],
    ['probes.path', '/v1/health'],
    ['terminationGracePeriodSeconds', 30],
    ['securityContext', { runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 }],
    ['ingress.className', 'traefik'],
    ['ingress.clusterIssuer', 'letsencrypt-prod'],
    ['ingress.tlsSecretName', 'stemedb-tls'],
    ['rateLimit', { enabled: true, average: 500, burst: 1000, period: '1s', scope: 'global' }],
    ['networkPolicy.traefikNamespace', 'kube-system'],
    ['backup.method', 'longhorn'],
    ['backup.schedule', '0 */6 * * *'],
    ['backup.longhorn', DEFAULT_LONGHORN_BACKUP],
    ['monitoring.releaseLabel', 'prometheus'],
    ['monitoring.scrapeInterval', '15s'],
    ['monitoring.alerts', { ...DEFAULT_ALERT_THRESHOLDS, backupMaxAgeSeconds: 43200 }],
  ])('defaults %s to the roadmap value', (path, want) => {
    expect(at(config, path)).toEqual(want);
  });

  // Not the roadmap's: its startup window was exactly the replay, its liveness as tight as
  // readiness (the rules policy/startup-window-too-short and
  // policy/liveness-kills-slow-database say why).
  it.each([
    ['probes.walReplaySeconds', 60],
    ['probes.startup', { periodSeconds: 5, failureThreshold: 24, timeoutSeconds: 2 }],
    ['probes.liveness', { periodSeconds: 20, failureThreshold: 6, timeoutSeconds: 10 }],
    ['probes.readiness', { periodSeconds: 5, failureThreshold: 3, timeoutSeconds: 2 }],
  ])(
    'defaults %s to twice the replay for startup, loose liveness, tight readiness',
    (path, want) => {
      expect(at(config, path)).toEqual(want);
    },
  );

  it.each([
    { given: { walReplaySeconds: 90 }, want: 36 },
    { given: { walReplaySeconds: 90, startup: { periodSeconds: 10 } }, want: 18 },
    { given: { walReplaySeconds: 61 }, want: 25 },
    { given: { startup: { failureThreshold: 30 } }, want: 30 },
  ])('derives the startup failureThreshold from $given unless it is given', ({ given, want }) => {
    const c = parseConfig(withConfig({ probes: given }));
    expect(c.probes.startup.failureThreshold).toBe(want);
  });

  it('keeps the given values over the defaults', () => {
    const c = parseConfig(withConfig({ namespace: 'steme-staging', rateLimit: { average: 50 } }));
    expect(c.namespace).toBe('steme-staging');
    expect(c.rateLimit).toMatchObject({ average: 50, burst: 1000 });
  });

  it('accepts its own output again unchanged', () => {
    expect(parseConfig(parseConfig(MINIMAL))).toEqual(parseConfig(MINIMAL));
  });

  it('accepts a digest instead of a tag', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(parseConfig(withConfig({ image: { digest } })).image.digest).toBe(digest);
  });

  it('accepts the single-volume layout with its own default size', () => {
    const c = parseConfig(withConfig({ storage: { volumes: { layout: 'single' } } }));
    expect(c.storage.volumes).toEqual({ layout: 'single', size: '50Gi' });
  });

  it('merges the defaults into a partial volumes section without a layout (the split layout)', () => {
    const c = parseConfig(withConfig({ storage: { volumes: { dbSize: '100Gi' } } }));
    expect(c.storage.volumes).toEqual({ layout: 'split', walSize: '20Gi', dbSize: '100Gi' });
  });
});

describe('parseConfig errors', () => {
  it.each(BAD_CONFIGS)('refuses $name, at its path', ({ given, path, message }) => {
    const issues = issuesOf({ ...MINIMAL, ...given });
    const issue = issues.find((i) => i.path === path);
    expect(issue, JSON.stringify(issues)).toBeDefined();
    expect(issue!.message).toMatch(message);
  });

  it.each(UNKNOWN_KEY_CONFIGS.map((r) => [r.given, r.path] as const))(
    'reports the unknown key of %j at %s',
    (given, path) => {
      expect(issuesOf({ ...MINIMAL, ...given })).toContainEqual({ path, message: 'unknown key' });
    },
  );

  it('reports every problem at once, one per line of the message', () => {
    let error: ConfigError | undefined;
    try {
      parseConfig({
        image: { tag: 'latest' },
        ingress: { host: 'stemedb.yourdomain.com' },
        bogus: 1,
      });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error?.code).toBe('config/invalid');
    expect(error?.issues.map((i) => i.path)).toEqual(['image.tag', 'ingress.host', 'bogus']);
    expect(error?.message.split('\n')).toHaveLength(4);
  });

  it('refuses a config that is not an object', () => {
    expect(issuesOf('namespace: stemedb')[0]?.path).toBe('');
  });
});

describe('loadConfigFile', () => {
  const dir = mkdtemp(join(tmpdir(), 'stemedb-config-'));

  it('reads YAML', async () => {
    const file = join(await dir, 'stemedb.yaml');
    await writeFile(file, 'ingress:\n  host: stemedb.threesix.ai\nimage:\n  tag: "0.9.0"\n');
    expect((await loadConfigFile(file)).ingress.host).toBe('stemedb.threesix.ai');
  });

  it('reads JSON', async () => {
    const file = join(await dir, 'stemedb.json');
    await writeFile(file, JSON.stringify(withConfig({ namespace: 'steme-json' })));
    expect((await loadConfigFile(file)).namespace).toBe('steme-json');
  });

  it('names the file and the path of a bad value', async () => {
    const file = join(await dir, 'bad.yaml');
    await writeFile(file, 'ingress:\n  host: stemedb.threesix.ai\nimage:\n  tag: latest\n');
    await expect(loadConfigFile(file)).rejects.toThrow(
      /in .*bad\.yaml:\n {2}.*bad\.yaml:4:8: image\.tag: .*\n {4}3 \| image:\n {2}> 4 \| {3}tag: latest\n/,
    );
  });

  it('reports a syntax error as a ConfigError', async () => {
    const file = join(await dir, 'broken.yaml');
    await writeFile(file, 'ingress: [unclosed\n');
    await expect(loadConfigFile(file)).rejects.toBeInstanceOf(ConfigError);
  });

  it('treats an empty file as an empty config', async () => {
    const file = join(await dir, 'empty.yaml');
    await writeFile(file, '');
    await expect(loadConfigFile(file)).rejects.toThrow(/ingress: required/);
  });
});
