/**
 * `@stemedb/admin/testing`: local stand-ins for the services the admin tooling talks to, for
 * tests, the benchmark and examples. Nothing here is for production use.
 *
 * @module \@stemedb/admin/testing
 */

export {
  type KubernetesFault,
  type KubernetesRequest,
  type KubernetesSecretsServer,
  type KubernetesSecretsServerOptions,
  type StoredKubernetesSecret,
  startKubernetesSecretsServer,
} from './testing/kubernetes-secrets-server.js';
export {
  createQuotaGate,
  type QuotaGate,
  SECRET_MANAGER_QUOTA_KIND,
  type SecretManagerQuota,
  type SecretManagerQuotaKind,
} from './testing/secret-manager-quota.js';
export {
  type GrpcStatusName,
  SECRET_MANAGER_METHODS,
  SECRET_MANAGER_PERMISSIONS,
  type SecretManagerCall,
  type SecretManagerEmulator,
  type SecretManagerEmulatorOptions,
  type SecretManagerFault,
  type SecretManagerMethod,
  startSecretManagerEmulator,
} from './testing/secret-manager-server.js';
