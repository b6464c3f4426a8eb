/**
 * The data behind the local Secret Manager: projects' secrets and their versions, with the
 * semantics of the real service that the `gcp:` store relies on (ALREADY_EXISTS on a second
 * CreateSecret, version numbers that never repeat within a secret, `latest` resolving to the
 * most recently created version whatever its state, which AccessSecretVersion then refuses
 * with FAILED_PRECONDITION when it is disabled or destroyed, etags that make a DeleteSecret
 * conditional). Every failure is a {@link GrpcFailure} carrying the status code the real
 * service would send.
 */
import { randomBytes } from 'node:crypto';
import { status } from '@grpc/grpc-js';

/** A failure to send back as a gRPC status. */
export class GrpcFailure extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
    this.name = 'GrpcFailure';
  }
}

/** A version's state, as the API names it. */
export type VersionState = 'ENABLED' | 'DISABLED' | 'DESTROYED';

interface StoredVersion {
  readonly number: number;
  data: Buffer | undefined;
  state: VersionState;
  readonly createdAt: Date;
  destroyedAt: Date | undefined;
}

interface StoredSecret {
  readonly project: string;
  readonly id: string;
  readonly createdAt: Date;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  etag: string;
  lastVersion: number;
  readonly versions: StoredVersion[];
}

/** A timestamp as the protobuf `Timestamp` message. */
export interface Timestamp {
  seconds: string;
  nanos: number;
}

// https://cloud.google.com/secret-manager/docs/reference/rpc/google.cloud.secretmanager.v1#createsecretrequest
const SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/;
const PARENT = /^projects\/([^/]+)$/;
const SECRET_NAME = /^projects\/([^/]+)\/secrets\/([^/]+)$/;
const VERSION_NAME = /^projects\/([^/]+)\/secrets\/([^/]+)\/versions\/([^/]+)$/;
/** The most versions a page may hold, as the real API documents. */
export const MAX_PAGE_SIZE = 25_000;
/** The payload limit of the real API. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

/** The state of one emulator: every project's secrets. */
export class SecretManagerState {
  private readonly secrets = new Map<string, StoredSecret>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** Drops every secret. */
  clear(): void {
    this.secrets.clear();
  }

  /** Full names of every secret, sorted (for tests). */
  names(): string[] {
    return [...this.secrets.keys()].sort();
  }

  createSecret(
    parent: string,
    secretId: string,
    labels: Record<string, string>,
    annotations: Record<string, string>,
    hasReplication: boolean,
  ): object {
    const project = parseParent(parent);
    if (!SECRET_ID.test(secretId)) {
      throw new GrpcFailure(
        status.INVALID_ARGUMENT,
        `Invalid secret_id "${secretId.slice(0, 80)}": use [A-Za-z0-9_-]{1,255}`,
      );
    }
    if (!hasReplication) {
      throw new GrpcFailure(status.INVALID_ARGUMENT, 'Secret.replication is required');
    }
    const name = `projects/${project}/secrets/${secretId}`;
    if (this.secrets.has(name)) {
      throw new GrpcFailure(status.ALREADY_EXISTS, `Secret [${name}] already exists.`);
    }
    const secret: StoredSecret = {
      project,
      id: secretId,
      createdAt: this.now(),
      labels: { ...labels },
      annotations: { ...annotations },
      etag: newEtag(),
      lastVersion: 0,
      versions: [],
    };
    this.secrets.set(name, secret);
    return secretMessage(secret);
  }

  /** True when `name` (`projects/p/secrets/s`) is a secret held here. */
  hasSecret(name: string): boolean {
    return this.secrets.has(name);
  }

  getSecret(name: string): object {
    return secretMessage(this.secret(name));
  }

  /**
   * UpdateSecret of `labels` and/or `annotations` (the paths of the update mask). With an etag
   * it is conditional, as the real API is: a stale etag fails with ABORTED and changes nothing.
   */
  updateSecret(
    name: string,
    etag: string,
    paths: readonly string[],
    labels: Record<string, string>,
    annotations: Record<string, string>,
  ): object {
    const secret = this.secret(name);
    if (etag !== '' && etag !== secret.etag) {
      throw new GrpcFailure(status.ABORTED, `The etag given for [${name}] does not match`);
    }
    if (paths.length === 0)
      throw new GrpcFailure(status.INVALID_ARGUMENT, 'update_mask is required');
    for (const path of paths) {
      const target =
        path === 'labels' ? secret.labels : path === 'annotations' ? secret.annotations : undefined;
      if (target === undefined) {
        throw new GrpcFailure(status.INVALID_ARGUMENT, `update_mask path ${path} is not supported`);
      }
      for (const key of Object.keys(target)) delete target[key];
      Object.assign(target, path === 'labels' ? labels : annotations);
    }
    secret.etag = newEtag();
    return secretMessage(secret);
  }

  deleteSecret(name: string, etag: string): void {
    const secret = this.secret(name);
    if (etag !== '' && etag !== secret.etag) {
      throw new GrpcFailure(status.ABORTED, `The etag given for [${name}] does not match`);
    }
    this.secrets.delete(name);
  }

  listSecrets(
    parent: string,
    filter: string,
    pageSize: number,
    pageToken: string,
    maxPageSize: number,
  ): { secrets: object[]; nextPageToken: string; totalSize: number } {
    const project = parseParent(parent);
    const match = parseFilter(filter);
    const all = [...this.secrets.values()]
      .filter((s) => s.project === project && match(s))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const page = paginate(all, pageSize, pageToken, maxPageSize);
    return {
      secrets: page.items.map(secretMessage),
      nextPageToken: page.next,
      totalSize: all.length,
    };
  }

  addSecretVersion(parent: string, data: Buffer): object {
    const secret = this.secret(parent);
    if (data.length === 0 || data.length > MAX_PAYLOAD_BYTES) {
      throw new GrpcFailure(
        status.INVALID_ARGUMENT,
        `The payload must be between 1 and ${MAX_PAYLOAD_BYTES} bytes`,
      );
    }
    secret.lastVersion += 1;
    const version: StoredVersion = {
      number: secret.lastVersion,
      data: Buffer.from(data),
      state: 'ENABLED',
      createdAt: this.now(),
      destroyedAt: undefined,
    };
    secret.versions.push(version);
    return versionMessage(secret, version);
  }

  getSecretVersion(name: string): object {
    const { secret, version } = this.version(name);
    return versionMessage(secret, version);
  }

  accessSecretVersion(name: string): { name: string; payload: { data: Buffer } } {
    const { secret, version } = this.version(name);
    const full = versionName(secret, version);
    if (version.state !== 'ENABLED' || version.data === undefined) {
      throw new GrpcFailure(
        status.FAILED_PRECONDITION,
        `Secret Version [${full}] is in ${version.state} state.`,
      );
    }
    return { name: full, payload: { data: Buffer.from(version.data) } };
  }

  listSecretVersions(
    parent: string,
    filter: string,
    pageSize: number,
    pageToken: string,
    maxPageSize: number,
  ): { versions: object[]; nextPageToken: string; totalSize: number } {
    const secret = this.secret(parent);
    const wanted = parseStateFilter(filter);
    // The real API lists the newest version first.
    const all = [...secret.versions]
      .filter((v) => wanted === undefined || v.state === wanted)
      .sort((a, b) => b.number - a.number);
    const page = paginate(all, pageSize, pageToken, maxPageSize);
    return {
      versions: page.items.map((v) => versionMessage(secret, v)),
      nextPageToken: page.next,
      totalSize: all.length,
    };
  }

  setVersionState(name: string, state: VersionState): object {
    const { secret, version } = this.version(name);
    if (version.state === 'DESTROYED') {
      throw new GrpcFailure(
        status.FAILED_PRECONDITION,
        `Secret Version [${versionName(secret, version)}] is destroyed.`,
      );
    }
    version.state = state;
    if (state === 'DESTROYED') {
      version.data = undefined;
      version.destroyedAt = this.now();
    }
    return versionMessage(secret, version);
  }

  private secret(name: string): StoredSecret {
    const match = SECRET_NAME.exec(name);
    if (match === null) {
      throw new GrpcFailure(status.INVALID_ARGUMENT, `Invalid secret name [${name.slice(0, 200)}]`);
    }
    const secret = this.secrets.get(name);
    if (secret === undefined) {
      throw new GrpcFailure(status.NOT_FOUND, `Secret [${name}] not found or has no versions.`);
    }
    return secret;
  }

  private version(name: string): { secret: StoredSecret; version: StoredVersion } {
    const match = VERSION_NAME.exec(name);
    if (match === null) {
      throw new GrpcFailure(
        status.INVALID_ARGUMENT,
        `Invalid secret version name [${name.slice(0, 200)}]`,
      );
    }
    const secret = this.secret(`projects/${match[1]}/secrets/${match[2]}`);
    const id = match[3] ?? '';
    const version =
      id === 'latest'
        ? secret.versions.at(-1)
        : /^[1-9][0-9]*$/.test(id)
          ? secret.versions.find((v) => v.number === Number(id))
          : undefined;
    if (id !== 'latest' && !/^[1-9][0-9]*$/.test(id)) {
      throw new GrpcFailure(status.INVALID_ARGUMENT, `Invalid secret version id "${id}"`);
    }
    if (version === undefined) {
      throw new GrpcFailure(status.NOT_FOUND, `Secret Version [${name}] not found.`);
    }
    return { secret, version };
  }
}

function parseParent(parent: string): string {
  const match = PARENT.exec(parent);
  if (match?.[1] === undefined) {
    throw new GrpcFailure(status.INVALID_ARGUMENT, `Invalid parent [${parent.slice(0, 200)}]`);
  }
  return match[1];
}

// The subset of https://cloud.google.com/secret-manager/docs/filtering the store uses: `name:x`
// (the name contains x), `name=x`, `labels.k=v` and `labels.k:v` (the label k is v), joined by
// `AND`; anything else is refused, so that a store relying on a filter this server would
// silently ignore fails its tests instead.
function parseFilter(filter: string): (secret: StoredSecret) => boolean {
  const text = filter.trim();
  if (text === '') return () => true;
  const terms = text.split(/\s+AND\s+/).map((term) => parseTerm(term, text));
  return (secret) => terms.every((term) => term(secret));
}

function parseTerm(term: string, text: string): (secret: StoredSecret) => boolean {
  const name = /^name\s*([:=])\s*"?([A-Za-z0-9_-]+)"?$/.exec(term);
  if (name !== null) {
    const value = name[2] ?? '';
    return name[1] === '=' ? (s) => s.id === value : (s) => s.id.includes(value);
  }
  const label = /^labels\.([a-z][a-z0-9_-]{0,62})\s*[:=]\s*"?([a-z0-9_-]{0,63})"?$/.exec(term);
  if (label !== null) {
    const key = label[1] ?? '';
    const value = label[2] ?? '';
    return (s) => s.labels[key] === value;
  }
  throw new GrpcFailure(
    status.INVALID_ARGUMENT,
    `Filter "${text.slice(0, 100)}" is not supported here`,
  );
}

function parseStateFilter(filter: string): VersionState | undefined {
  const text = filter.trim();
  if (text === '') return undefined;
  const match = /^state\s*[:=]\s*(ENABLED|DISABLED|DESTROYED)$/.exec(text);
  if (match === null) {
    throw new GrpcFailure(
      status.INVALID_ARGUMENT,
      `Filter "${text.slice(0, 100)}" is not supported here`,
    );
  }
  return match[1] as VersionState;
}

function paginate<T>(
  all: readonly T[],
  pageSize: number,
  pageToken: string,
  maxPageSize: number,
): { items: T[]; next: string } {
  if (pageSize < 0) throw new GrpcFailure(status.INVALID_ARGUMENT, 'page_size must be positive');
  let start = 0;
  if (pageToken !== '') {
    const decoded = /^offset:(\d+)$/.exec(Buffer.from(pageToken, 'base64url').toString('utf8'));
    if (decoded === null) throw new GrpcFailure(status.INVALID_ARGUMENT, 'Invalid page_token');
    start = Number(decoded[1]);
  }
  const size = Math.min(pageSize === 0 ? maxPageSize : pageSize, maxPageSize);
  const items = all.slice(start, start + size);
  const end = start + items.length;
  return {
    items,
    next: end < all.length ? Buffer.from(`offset:${end}`, 'utf8').toString('base64url') : '',
  };
}

function secretMessage(secret: StoredSecret): object {
  return {
    name: `projects/${secret.project}/secrets/${secret.id}`,
    replication: { automatic: {}, replication: 'automatic' },
    createTime: timestamp(secret.createdAt),
    labels: { ...secret.labels },
    annotations: { ...secret.annotations },
    etag: secret.etag,
  };
}

function versionMessage(secret: StoredSecret, version: StoredVersion): object {
  return {
    name: versionName(secret, version),
    createTime: timestamp(version.createdAt),
    ...(version.destroyedAt === undefined ? {} : { destroyTime: timestamp(version.destroyedAt) }),
    state: version.state,
    etag: `"${secret.etag.slice(1, 9)}${version.number}"`,
  };
}

function versionName(secret: StoredSecret, version: StoredVersion): string {
  return `projects/${secret.project}/secrets/${secret.id}/versions/${version.number}`;
}

function timestamp(date: Date): Timestamp {
  const ms = date.getTime();
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
}

function newEtag(): string {
  return `"${randomBytes(6).toString('hex')}"`;
}
