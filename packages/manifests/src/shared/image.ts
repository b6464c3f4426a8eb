// In src/shared/: helpers that config, objects and validate all use, and so belong to none of them.
/**
 * Container image references. The roadmap deploys `stemedb-api:latest` and `rclone/rclone:latest`;
 * a moving tag makes a rollout unreproducible (and, with `IfNotPresent`, a node may keep running
 * an old `latest`). We require a fixed tag or a digest, and refuse `latest`.
 */

/** An OCI tag: up to 128 characters of `[A-Za-z0-9_.-]`, not starting with `.` or `-`. */
export const TAG_PATTERN = /^\w[\w.-]{0,127}$/;

/** A sha256 digest, as registries print it. */
export const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;

/** A repository path (optionally with a registry host and port): lowercase path components. */
export const REPOSITORY_PATTERN =
  /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;

/**
 * Tags that stand in for a real one (`stemedb-manifests init` writes `REPLACE-ME`): valid OCI
 * tags that no registry should hold, refused so a starter config cannot be deployed unfilled.
 */
export const PLACEHOLDER_TAG = /^(?:replace-?me|change-?me|todo|tbd|xxx)$/i;

/** The parts of an image reference. */
export interface ImageParts {
  repository: string;
  tag?: string;
  digest?: string;
}

/** `repository[:tag][@digest]`. */
export function formatImage(parts: ImageParts): string {
  return `${parts.repository}${parts.tag ? `:${parts.tag}` : ''}${parts.digest ? `@${parts.digest}` : ''}`;
}

/** Splits `repository[:tag][@digest]`; the tag is looked for after the last `/` only. */
export function parseImage(ref: string): ImageParts {
  const [name = '', digest] = ref.split('@', 2);
  const slash = name.lastIndexOf('/');
  const colon = name.indexOf(':', slash + 1);
  const repository = colon === -1 ? name : name.slice(0, colon);
  const tag = colon === -1 ? undefined : name.slice(colon + 1);
  return { repository, ...(tag !== undefined ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/**
 * Why an image reference is not acceptable, or undefined when it is: it must name a
 * repository and be pinned by a tag other than `latest` or by a sha256 digest.
 */
export function imageProblem(parts: ImageParts): string | undefined {
  if (!REPOSITORY_PATTERN.test(parts.repository)) {
    return `"${parts.repository}" is not a valid image repository`;
  }
  if (parts.tag !== undefined && !TAG_PATTERN.test(parts.tag)) {
    return `"${parts.tag}" is not a valid image tag`;
  }
  if (parts.digest !== undefined && !DIGEST_PATTERN.test(parts.digest)) {
    return `"${parts.digest}" is not a sha256 digest (sha256:<64 hex>)`;
  }
  if (parts.tag !== undefined && PLACEHOLDER_TAG.test(parts.tag)) {
    return `the tag "${parts.tag}" is a placeholder: set the version tag (or a digest) you deploy`;
  }
  if (parts.tag?.toLowerCase() === 'latest') {
    return 'the tag "latest" is not allowed: pin a version tag or a digest so rollouts are reproducible';
  }
  if (parts.tag === undefined && parts.digest === undefined) {
    return 'an image tag or digest is required (e.g. "1.4.2" or "sha256:…"); an untagged image means latest';
  }
  return undefined;
}
