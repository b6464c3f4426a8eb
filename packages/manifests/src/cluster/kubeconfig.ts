/**
 * Where the kubeconfig comes from, in kubectl's order: an explicit file, `KUBECONFIG` (files
 * joined by the path delimiter, merged), `~/.kube/config`, then the in-cluster service account.
 * Unlike client-node's `loadFromDefault`, finding none is an error, not a silent
 * `http://localhost:8080`. Every source is injectable so tests touch no real config.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ClusterError } from './errors.js';

export interface KubeConfigSource {
  /** A kubeconfig file to use instead of the usual places (the CLI's `--kubeconfig`). */
  kubeconfig?: string;
  /** Context to use instead of the file's `current-context`. */
  context?: string;
  /** @default process.env */
  env?: Record<string, string | undefined>;
  /** @default os.homedir() */
  homeDir?: string;
  /** Root under which the service account is mounted. @default '/' */
  root?: string;
}

const SERVICE_ACCOUNT = 'var/run/secrets/kubernetes.io/serviceaccount';

export function loadKubeConfig(source: KubeConfigSource = {}): KubeConfig {
  const env = source.env ?? process.env;
  const kc = new KubeConfig();
  const files = source.kubeconfig
    ? [source.kubeconfig]
    : (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  const home = join(source.homeDir ?? homedir(), '.kube', 'config');
  const serviceAccount = join(source.root ?? '/', SERVICE_ACCOUNT);

  if (files.length > 0) {
    loadFiles(kc, files, source.kubeconfig ? '--kubeconfig' : 'KUBECONFIG');
  } else if (existsSync(home)) {
    loadFiles(kc, [home], '~/.kube/config');
  } else if (env.KUBERNETES_SERVICE_HOST && existsSync(join(serviceAccount, 'token'))) {
    loadInCluster(kc, env, serviceAccount);
  } else {
    throw new ClusterError(
      'cluster/no-kubeconfig',
      'no kubeconfig found: set KUBECONFIG, create ~/.kube/config, pass --kubeconfig, or run inside a cluster',
    );
  }

  if (source.context) {
    if (!kc.getContextObject(source.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new ClusterError(
        'cluster/no-kubeconfig',
        `no context "${source.context}" in the kubeconfig (it has: ${known.join(', ') || 'none'})`,
      );
    }
    kc.setCurrentContext(source.context);
  }
  if (!kc.getCurrentCluster()) {
    throw new ClusterError(
      'cluster/no-kubeconfig',
      `the kubeconfig's current context "${kc.getCurrentContext()}" names no cluster; pick one with --context`,
    );
  }
  return kc;
}

/** `context "name" (https://server)`, for messages; never includes credentials. */
export function describeKubeConfig(kc: KubeConfig): string {
  return `context "${kc.getCurrentContext()}" (${kc.getCurrentCluster()?.server ?? 'no cluster'})`;
}

function loadFiles(kc: KubeConfig, files: string[], origin: string): void {
  for (const [i, file] of files.entries()) {
    if (!existsSync(file)) {
      throw new ClusterError(
        'cluster/no-kubeconfig',
        `${origin} names ${file}, which does not exist`,
      );
    }
    const next = i === 0 ? kc : new KubeConfig();
    try {
      next.loadFromFile(file);
    } catch (error) {
      throw new ClusterError(
        'cluster/no-kubeconfig',
        `cannot read kubeconfig ${file}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    if (i === 0) continue;
    // Like kubectl: the first file that names a cluster, user or context wins, and so does the
    // first current-context (client-node's mergeConfig would throw on a duplicate name instead).
    for (const c of next.clusters) if (!kc.getCluster(c.name)) kc.addCluster(c);
    for (const u of next.users) if (!kc.getUser(u.name)) kc.addUser(u);
    for (const c of next.contexts) if (!kc.getContextObject(c.name)) kc.addContext(c);
    if (!kc.getCurrentContext() && next.getCurrentContext()) {
      kc.setCurrentContext(next.getCurrentContext());
    }
  }
}

/** The service account's token and CA, as client-node's `loadFromCluster` sets them up. */
function loadInCluster(kc: KubeConfig, env: Record<string, string | undefined>, dir: string): void {
  const host = env.KUBERNETES_SERVICE_HOST ?? '';
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  const namespaceFile = join(dir, 'namespace');
  kc.loadFromOptions({
    clusters: [
      {
        name: 'inCluster',
        server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
        caFile: join(dir, 'ca.crt'),
        skipTLSVerify: false,
      },
    ],
    users: [
      {
        name: 'inClusterUser',
        authProvider: { name: 'tokenFile', config: { tokenFile: join(dir, 'token') } },
      },
    ],
    contexts: [
      {
        name: 'inClusterContext',
        cluster: 'inCluster',
        user: 'inClusterUser',
        namespace: existsSync(namespaceFile)
          ? readFileSync(namespaceFile, 'utf8').trim()
          : undefined,
      },
    ],
    currentContext: 'inClusterContext',
  });
}
