/**
 * One error type for everything that goes wrong talking to a cluster, made from whatever
 * @kubernetes/client-node threw. The message names the object and says what to do; `code` is
 * stable for scripts; `applied` lists what an apply had already done when it stopped.
 *
 * This module imports nothing from client-node: the main entry point exports ClusterError, and
 * loading client-node costs more than the rest of the package. Its
 * ApiException is recognised by shape instead (`isApiException`).
 */
import { type KubeObject, objectRef } from '../types.js';
import type { ApplyResult } from './types.js';

export type ClusterErrorCode =
  | 'cluster/no-kubeconfig'
  | 'cluster/unreachable'
  | 'cluster/timeout'
  | 'cluster/unauthorized'
  | 'cluster/forbidden'
  | 'cluster/conflict'
  | 'cluster/invalid'
  | 'cluster/not-found'
  | 'cluster/unknown-kind'
  | 'cluster/volume-change'
  | 'cluster/prune-volume'
  | 'cluster/applyset'
  | 'cluster/api-error';

/** A cause the API server listed in its Status (`details.causes`). */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export class ClusterError extends Error {
  override readonly name = 'ClusterError';
  readonly code: ClusterErrorCode;
  /** HTTP status from the API server, when there was a response. */
  readonly status: number | undefined;
  /** The object being applied, as `Kind/namespace/name`. */
  readonly object: string | undefined;
  /** What was applied before the failure (empty for diff and for the first object). */
  readonly applied: readonly ApplyResult[];
  readonly causes: readonly StatusCause[];

  constructor(
    code: ClusterErrorCode,
    message: string,
    extra: {
      status?: number;
      object?: string;
      applied?: readonly ApplyResult[];
      causes?: readonly StatusCause[];
      cause?: unknown;
    } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.code = code;
    this.status = extra.status;
    this.object = extra.object;
    this.applied = extra.applied ?? [];
    this.causes = extra.causes ?? [];
  }
}

export function isClusterError(error: unknown): error is ClusterError {
  return error instanceof ClusterError;
}

interface Status {
  message?: string;
  reason?: string;
  details?: { causes?: StatusCause[] };
}

/** The same error with what was applied before it attached. */
export function withApplied(error: ClusterError, applied: readonly ApplyResult[]): ClusterError {
  return new ClusterError(error.code, error.message, {
    status: error.status,
    object: error.object,
    causes: error.causes,
    applied,
    cause: error.cause,
  });
}

/**
 * Turns what the client threw while handling `obj` into a ClusterError. `server` (the API
 * server URL) is named when it cannot be reached; no credential is ever part of the message.
 */
export function toClusterError(error: unknown, obj: KubeObject, server: string): ClusterError {
  if (error instanceof ClusterError) return error;
  const ref = objectRef(obj);
  if (isApiException(error)) return fromStatus(error, obj);
  const err = error as {
    name?: string;
    code?: string;
    type?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  if (err?.name === 'AbortError' || err?.name === 'TimeoutError' || err?.type === 'aborted') {
    return new ClusterError(
      'cluster/timeout',
      `${ref}: the API server at ${server} did not answer in time`,
      {
        object: ref,
        cause: error,
      },
    );
  }
  // undici's fetch fails with a TypeError "fetch failed" whose cause is the socket's error.
  if (err?.name === 'TypeError' && err.message?.endsWith('fetch failed')) {
    const why = err.cause?.code ?? err.cause?.message ?? err.message;
    return new ClusterError(
      'cluster/unreachable',
      `${ref}: cannot reach the API server at ${server} (${why}); check the kubeconfig's context and the network`,
      { object: ref, cause: error },
    );
  }
  if (err?.message?.startsWith('Unrecognized API version and kind')) return unknownKind(obj, error);
  return new ClusterError('cluster/api-error', `${ref}: ${err?.message ?? String(error)}`, {
    object: ref,
    cause: error,
  });
}

/** What client-node's ApiException carries that we read. */
interface ApiExceptionShape {
  code: number;
  body: unknown;
  message: string;
}

/**
 * client-node's ApiException, by shape: an Error with a numeric HTTP `code`, a `body` and the
 * response `headers` (its name is plain `Error`). Matched this way so that this module need not
 * load client-node, and so that an exception from another copy of client-node is recognised too.
 */
export function isApiException(error: unknown): error is ApiExceptionShape {
  return (
    error instanceof Error &&
    typeof (error as { code?: unknown }).code === 'number' &&
    'body' in error &&
    'headers' in error
  );
}

function fromStatus(error: ApiExceptionShape, obj: KubeObject): ClusterError {
  const ref = objectRef(obj);
  const status = parseStatus(error.body);
  const causes = status.details?.causes ?? [];
  const said = status.message ?? `HTTP ${error.code}`;
  const extra = { status: error.code, object: ref, causes, cause: error };
  // Discovery (GET /apis/<group>/<version>) failing with 404: the CRD is not installed.
  if (error.code === 404 && error.message.startsWith('Failed to fetch resource metadata')) {
    return unknownKind(obj, error);
  }
  switch (error.code) {
    case 401:
      return new ClusterError(
        'cluster/unauthorized',
        `${ref}: the API server rejected the credentials (401): ${said}; refresh the kubeconfig's token or certificate`,
        extra,
      );
    case 403:
      return new ClusterError(
        'cluster/forbidden',
        `${ref}: forbidden (403): ${said}; grant the kubeconfig's user get and patch on this resource, or use another context`,
        extra,
      );
    case 409: {
      const fields = causes.filter((c) => c.reason === 'FieldManagerConflict' && c.field);
      if (fields.length === 0) {
        return new ClusterError('cluster/conflict', `${ref}: conflict (409): ${said}`, extra);
      }
      const owned = fields.map((c) => c.field).join(', ');
      return new ClusterError(
        'cluster/conflict',
        `${ref}: field ownership conflict (409) on ${owned}: ${said}; another field manager set these fields: apply with force to take them over, or stop managing them here`,
        extra,
      );
    }
    case 400:
    case 422: {
      const detail = causes
        .map((c) => (c.field ? `${c.field}: ${c.message}` : c.message))
        .filter(Boolean);
      const list = detail.length > 0 ? ` [${detail.join('; ')}]` : '';
      return new ClusterError(
        'cluster/invalid',
        `${ref}: the API server rejected the object (${error.code}): ${said}${list}`,
        extra,
      );
    }
    case 404:
      return new ClusterError(
        'cluster/not-found',
        `${ref}: not found (404): ${said}; is its namespace created first?`,
        extra,
      );
    default:
      return new ClusterError(
        'cluster/api-error',
        `${ref}: the API server answered ${error.code}: ${said}`,
        extra,
      );
  }
}

function unknownKind(obj: KubeObject, cause: unknown): ClusterError {
  const ref = objectRef(obj);
  return new ClusterError(
    'cluster/unknown-kind',
    `${ref}: the cluster does not serve ${obj.apiVersion} ${obj.kind}: install its CRD (its operator) first`,
    { object: ref, cause, status: isApiException(cause) ? cause.code : undefined },
  );
}

/** client-node hands the Status body over as a string or as parsed JSON. */
function parseStatus(body: unknown): Status {
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as Status;
    } catch {
      return { message: body.slice(0, 500) };
    }
  }
  return typeof body === 'object' && body !== null ? (body as Status) : {};
}
