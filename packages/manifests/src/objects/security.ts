/**
 * Pod and container security contexts shared by the server and the backup job: non-root, no
 * privilege escalation, no capabilities, RuntimeDefault seccomp, read-only root filesystem.
 * Together they meet the `restricted` Pod Security Standard the namespace enforces.
 */
import type {
  V1PodSecurityContext,
  V1SecurityContext,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import type { StemeDeploymentConfig } from '../config/index.js';

/**
 * Pod-level context. The roadmap (deployment.yaml) puts `readOnlyRootFilesystem` here, where it
 * is an unknown field (kubectl's strict field validation rejects it; without validation the API
 * server silently drops it): it only exists on containers (see {@link containerSecurityContext}). `fsGroupChangePolicy: OnRootMismatch` skips the recursive
 * chown of a large volume on every start once ownership is right.
 */
export function podSecurityContext(c: StemeDeploymentConfig): V1PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: c.securityContext.runAsUser,
    runAsGroup: c.securityContext.runAsGroup,
    fsGroup: c.securityContext.fsGroup,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * Container-level context, missing from the roadmap: `allowPrivilegeEscalation: false`,
 * `capabilities.drop: [ALL]`, and a read-only root filesystem (the roadmap's
 * `readOnlyRootFilesystem: false  # WAL writes to /data` confuses the root filesystem with the
 * volumes: /data is a mounted volume and stays writable). Writable scratch space is the
 * emptyDir of {@link tmpVolume}.
 */
export function containerSecurityContext(): V1SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** A small emptyDir for /tmp, the one writable path besides the data volumes. */
export function tmpVolume(): { volume: V1Volume; mount: V1VolumeMount } {
  return {
    volume: { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } },
    mount: { name: 'tmp', mountPath: '/tmp' },
  };
}
