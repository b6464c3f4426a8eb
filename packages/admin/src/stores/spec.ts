/**
 * Store specs: the one string (`--store`) that says which secret store to use.
 *
 * | spec | store |
 * | --- | --- |
 * | `gcp:<project>` | Google Secret Manager in that GCP project (`gcp:` alone: `GOOGLE_CLOUD_PROJECT`) |
 * | `k8s:<namespace>` | Kubernetes Secrets in that namespace |
 * | `file:<absolute path>` | a local JSON file, mode 0600 |
 * | `memory:` | a fresh in-process store that dies with the process (tests, the gate's throwaway keys) |
 */
import { isAbsolute, normalize } from 'node:path';
import { SecretStoreError, type SecretStoreKind } from './errors.js';

/** A parsed store spec. */
export type StoreSpec =
  | { readonly kind: 'gcp'; readonly project: string }
  | { readonly kind: 'k8s'; readonly namespace: string }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'memory' };

/** Options of {@link parseStoreSpec}. */
export interface ParseStoreSpecOptions {
  /**
   * Where `gcp:` with no project finds `GOOGLE_CLOUD_PROJECT`.
   * @default process.env
   */
  env?: Readonly<Record<string, string | undefined>> | undefined;
}

/** The schemes a spec may start with. */
export const STORE_SCHEMES: readonly SecretStoreKind[] = ['gcp', 'k8s', 'file', 'memory'];

// https://cloud.google.com/resource-manager/docs/creating-managing-projects: 6 to 30 lowercase
// letters, digits or hyphens, starting with a letter, not ending with a hyphen. Project numbers
// and legacy domain-scoped IDs (`example.com:my-project`) are accepted by the API too.
const GCP_PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const GCP_PROJECT_NUMBER = /^[1-9][0-9]{0,19}$/;
const GCP_DOMAIN_SCOPED = /^[a-z0-9][a-z0-9.-]{0,62}:[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
// Namespaces are DNS-1123 labels: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-label-names
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MAX_LABEL = 63;

/**
 * Parses a store spec. Throws a {@link SecretStoreError} with code `invalid_store_spec` whose
 * `part` names what is wrong (`spec`, `scheme`, `project`, `namespace`, `path`, `memory`).
 */
export function parseStoreSpec(spec: string, options: ParseStoreSpecOptions = {}): StoreSpec {
  if (typeof spec !== 'string' || spec.trim() === '') {
    throw specError(
      'spec',
      'The store spec is empty; use gcp:<project>, k8s:<namespace>, file:<path> or memory:',
    );
  }
  const text = spec.trim();
  const colon = text.indexOf(':');
  if (colon <= 0) {
    throw specError(
      'scheme',
      `The store spec "${text}" has no scheme; use gcp:<project>, k8s:<namespace>, file:<path> or memory:`,
    );
  }
  const scheme = text.slice(0, colon);
  const rest = text.slice(colon + 1);
  switch (scheme) {
    case 'gcp':
      return { kind: 'gcp', project: gcpProject(rest, options.env ?? process.env) };
    case 'k8s':
      return { kind: 'k8s', namespace: k8sNamespace(rest) };
    case 'file':
      return { kind: 'file', path: filePath(rest) };
    case 'memory':
      if (rest !== '') {
        throw specError(
          'memory',
          `The store spec "memory:" takes nothing after the colon (got "${rest}")`,
        );
      }
      return { kind: 'memory' };
    default:
      throw specError(
        'scheme',
        `Unknown store scheme "${scheme}:" in "${text}"; known schemes: ${STORE_SCHEMES.map((s) => `${s}:`).join(', ')}`,
      );
  }
}

/** The canonical spec string of a parsed spec (what `SecretStore.spec` shows). */
export function formatStoreSpec(spec: StoreSpec): string {
  switch (spec.kind) {
    case 'gcp':
      return `gcp:${spec.project}`;
    case 'k8s':
      return `k8s:${spec.namespace}`;
    case 'file':
      return `file:${spec.path}`;
    case 'memory':
      return 'memory:';
  }
}

function gcpProject(given: string, env: Readonly<Record<string, string | undefined>>): string {
  const fromEnv = env.GOOGLE_CLOUD_PROJECT?.trim() ?? '';
  const project = given !== '' ? given : fromEnv;
  if (project === '') {
    throw specError(
      'project',
      'The store spec "gcp:" names no GCP project and GOOGLE_CLOUD_PROJECT is not set; use gcp:<project-id>',
    );
  }
  const where = given !== '' ? `in "gcp:${given}"` : 'from GOOGLE_CLOUD_PROJECT';
  if (
    !GCP_PROJECT_ID.test(project) &&
    !GCP_PROJECT_NUMBER.test(project) &&
    !GCP_DOMAIN_SCOPED.test(project)
  ) {
    throw specError(
      'project',
      `The GCP project "${project}" ${where} is not a project ID (6-30 lowercase letters, digits or hyphens, starting with a letter) or a project number`,
    );
  }
  return project;
}

function k8sNamespace(namespace: string): string {
  if (namespace === '') {
    throw specError('namespace', 'The store spec "k8s:" names no namespace; use k8s:<namespace>');
  }
  if (namespace.length > MAX_LABEL || !DNS_1123_LABEL.test(namespace)) {
    throw specError(
      'namespace',
      `The Kubernetes namespace "${namespace}" is not a DNS-1123 label (at most 63 lowercase letters, digits or hyphens, starting and ending with a letter or digit)`,
    );
  }
  return namespace;
}

function filePath(path: string): string {
  if (path === '') {
    throw specError('path', 'The store spec "file:" names no file; use file:<absolute path>');
  }
  if (path.includes('\0')) throw specError('path', 'The file store path contains a NUL character');
  if (!isAbsolute(path)) {
    // A relative path would depend on the directory the CLI happens to run in, so that two runs
    // from two directories would silently use two stores.
    throw specError(
      'path',
      `The file store path "${path}" is relative; give an absolute path (e.g. file:$PWD/${path})`,
    );
  }
  if (path.endsWith('/')) {
    throw specError('path', `The file store path "${path}" names a directory; name a file`);
  }
  return normalize(path);
}

function specError(part: string, message: string): SecretStoreError {
  return new SecretStoreError({ code: 'invalid_store_spec', part, message });
}
