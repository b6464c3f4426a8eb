/**
 * The config every building command starts from (`--config file`, YAML or JSON, or the
 * defaults alone), the bundle built from it, and the validation options that follow from it.
 */

import {
  ConfigError,
  loadConfigFile,
  parseConfig,
  type StemeDeploymentConfig,
} from '../config/index.js';
import { applySets } from '../config/source.js';
import { buildKustomization, objectFileName } from '../objects/kustomization.js';
import type { KubeObject } from '../types.js';
import type { ValidateOptions } from '../validate/context.js';
import { UsageError } from './io.js';

/** Why a config file could not be read, in words, for the codes `readFile` fails with. */
const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  ENOTDIR: 'a parent is not a directory',
};

/**
 * The config from `path`, or the defaults when there is none, with the `--set` overrides
 * applied. The defaults lack the two keys with no default (`ingress.host`, `image.tag`), so
 * without a file (or `--set`s for them) this fails naming them.
 */
export async function loadCliConfig(
  path: string | undefined,
  set: readonly string[] = [],
): Promise<StemeDeploymentConfig> {
  if (path === undefined) {
    try {
      return parseConfig(
        asUsage(() => applySets({}, set)).data,
        set.length > 0 ? '--set' : undefined,
      );
    } catch (error) {
      if (!(error instanceof ConfigError) || set.length > 0) throw error;
      const missing = error.issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ');
      throw new UsageError(`no --config given, and the defaults are not enough: ${missing}`);
    }
  }
  try {
    return await loadConfigFile(path, { set });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code && code in READ_ERRORS) {
      throw new UsageError(`cannot read config ${path}: ${READ_ERRORS[code]}`, { cause: error });
    }
    throw error;
  }
}

/** `parse()`, its Error (a malformed `--set`) as a usage error. */
function asUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * How to validate a bundle built from `config`, for the cluster the config describes: traffic
 * comes from its Traefik and Prometheus namespaces, and the Secrets it says exist already (a
 * pull Secret without `remoteKey`, a TLS Secret without a cluster issuer) are not missing, nor
 * is the claim it takes over (`storage.volumes.existingClaim`).
 */
export function validateOptionsFor(
  config: StemeDeploymentConfig,
  objects: readonly KubeObject[],
  kustomize: boolean,
): ValidateOptions {
  const existingSecrets: string[] = [];
  const pull = config.image.pullSecret;
  if (pull && pull.remoteKey === null) existingSecrets.push(`${config.namespace}/${pull.name}`);
  if (config.ingress.clusterIssuer === null) {
    existingSecrets.push(`${config.namespace}/${config.ingress.tlsSecretName}`);
  }
  const volumes = config.storage.volumes;
  const existingClaims =
    volumes.layout === 'single' && volumes.existingClaim
      ? [`${config.namespace}/${volumes.existingClaim}`]
      : [];
  return {
    existingSecrets,
    existingClaims,
    walReplaySeconds: config.probes.walReplaySeconds,
    trafficSources: {
      ingress: config.networkPolicy.traefikNamespace,
      prometheus: config.monitoring.prometheusNamespace,
    },
    // The kustomize output's own file list, checked like a hand-written one.
    ...(kustomize
      ? {
          kustomization: {
            resources: buildKustomization(objects).resources,
            files: objects.map(objectFileName),
          },
        }
      : {}),
  };
}
