/**
 * Where the `k8s:` store finds its cluster, in kubectl's order: an explicit `KubeConfig`, a
 * kubeconfig file, `KUBECONFIG` / `~/.kube/config`, then the in-cluster service account. Unlike
 * client-node's `loadFromDefault`, finding none is an error, not a silent
 * `http://localhost:8080`. A `server` URL (for tests and `kubectl proxy`) replaces all of that;
 * plain `http://` is accepted only for loopback hosts, as the gcp: store's endpoint is.
 *
 * client-node is imported on first use (it is ESM-only and slow to load; the CLI's start must
 * not pay for it).
 */
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CoordinationV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { SecretStoreError } from './errors.js';

/** How to reach the cluster. */
export interface K8sConnectionOptions {
  /** A loaded kubeconfig (wins over every other source). */
  kubeConfig?: KubeConfig | undefined;
  /** A kubeconfig file. @default KUBECONFIG, then ~/.kube/config, then in-cluster */
  kubeconfig?: string | undefined;
  /** The kubeconfig context to use. @default its current-context */
  context?: string | undefined;
  /**
   * The API server's URL, instead of a kubeconfig (tests, `kubectl proxy`). `http://` only for
   * loopback hosts.
   */
  server?: string | undefined;
  /** A bearer token for `server`. */
  token?: string | undefined;
}

/** Validates `server` up front (a bad URL is an option error, before any call). */
export function checkServerUrl(server: string): URL {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw optionError('server', `The Kubernetes API server "${server}" is not a URL`);
  }
  if (url.protocol === 'https:') return url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopback =
    host === 'localhost' || (isIP(host) === 4 && host.startsWith('127.')) || host === '::1';
  if (url.protocol === 'http:' && loopback) return url;
  throw optionError(
    'server',
    `The Kubernetes API server "${server}" must be https:// (plain http:// only on a loopback address)`,
  );
}

/** The per-request options client-node takes. */
export type K8sRequestOptions = Parameters<CoreV1Api['readNamespacedSecret']>[1];

/** A connected client, and the per-request options that make a request abortable. */
export interface K8sClient {
  readonly api: CoreV1Api;
  /** The coordination.k8s.io/v1 API, for the run lease (a Lease object). */
  readonly coordination: CoordinationV1Api;
  /** The loaded configuration, for the other API groups a store needs (authorization). */
  readonly kubeConfig: KubeConfig;
  /** Options whose middleware sets `signal` on the request (client-node has no timeout). */
  withSignal(signal: AbortSignal): K8sRequestOptions;
}

/** Builds the CoreV1Api client for `options`. */
export async function connectCoreV1(options: K8sConnectionOptions): Promise<K8sClient> {
  const k8s = await import('@kubernetes/client-node');
  const kc = options.kubeConfig ?? new k8s.KubeConfig();
  if (options.kubeConfig === undefined) {
    if (options.server !== undefined) {
      const url = checkServerUrl(options.server);
      kc.loadFromOptions({
        clusters: [
          {
            name: 'stemedb-admin',
            server: url.href.replace(/\/$/, ''),
            // client-node refuses http:// unless TLS verification is off; there is no TLS to
            // verify on a loopback http:// server (checkServerUrl allows no other).
            skipTLSVerify: url.protocol === 'http:',
          },
        ],
        users: [
          {
            name: 'stemedb-admin',
            ...(options.token === undefined ? {} : { token: options.token }),
          },
        ],
        contexts: [{ name: 'stemedb-admin', cluster: 'stemedb-admin', user: 'stemedb-admin' }],
        currentContext: 'stemedb-admin',
      });
    } else if (options.kubeconfig !== undefined) {
      load(() => kc.loadFromFile(options.kubeconfig ?? ''), `the kubeconfig ${options.kubeconfig}`);
    } else if (hasDefaultKubeconfig()) {
      load(() => kc.loadFromDefault(), 'the kubeconfig (KUBECONFIG or ~/.kube/config)');
    } else if (process.env.KUBERNETES_SERVICE_HOST !== undefined) {
      load(() => kc.loadFromCluster(), 'the in-cluster service account');
    } else {
      throw optionError(
        'kubeconfig',
        'No Kubernetes configuration found: set KUBECONFIG, create ~/.kube/config, or run in a cluster',
      );
    }
  }
  if (options.context !== undefined) {
    if (!kc.getContexts().some((c) => c.name === options.context)) {
      throw optionError('context', `The kubeconfig has no context "${options.context}"`);
    }
    kc.setCurrentContext(options.context);
  }
  if (kc.getCurrentCluster() === null) {
    throw optionError('kubeconfig', 'The kubeconfig names no cluster for its current context');
  }
  const api = kc.makeApiClient(k8s.CoreV1Api);
  return {
    api,
    coordination: kc.makeApiClient(k8s.CoordinationV1Api),
    kubeConfig: kc,
    withSignal: (signal) => ({
      // ObjectParamAPI hands these to the Observable API: middleware returns Observables.
      middleware: [
        {
          pre: (context) => {
            context.setSignal(signal);
            return new k8s.Observable(Promise.resolve(context));
          },
          post: (response) => new k8s.Observable(Promise.resolve(response)),
        },
      ],
      middlewareMergeStrategy: 'append',
    }),
  };
}

function hasDefaultKubeconfig(): boolean {
  const fromEnv = process.env.KUBECONFIG;
  if (fromEnv !== undefined && fromEnv !== '') return true;
  return existsSync(join(homedir(), '.kube', 'config'));
}

function load(loader: () => void, what: string): void {
  try {
    loader();
  } catch (error) {
    // The loader's message can quote the file; keep only its first line's gist.
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw optionError('kubeconfig', `Cannot load ${what}: ${reason}`);
  }
}

function optionError(part: string, message: string): SecretStoreError {
  return new SecretStoreError({ code: 'invalid_store_options', store: 'k8s', part, message });
}
