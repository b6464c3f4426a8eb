/**
 * client-node's KubernetesObjectApi, used as the stack recipe says (`patch(…, fieldManager,
 * force, PatchStrategy.ServerSideApply)`: discovery GET, then PATCH), with four fixes:
 *
 * - The body is the object exactly as rendered. client-node re-serialises it through its own
 *   models, which silently drop every field they do not know (seen on a recording API server: an unknown
 *   Deployment field vanished from the PATCH), so a typo or a newer field would be skipped
 *   instead of rejected.
 * - `fieldValidation=Strict`, as `kubectl apply --server-side` sends: unknown fields are a 400.
 * - Responses come back as plain JSON (not model classes with Date objects), so diffs compare
 *   what the server said, and we keep the status code (201 = created).
 * - Every request has a timeout; node-fetch has none by default.
 */
import {
  type Configuration,
  HttpMethod,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import type { KubeObject } from '../types.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface ApplyCall {
  dryRun: boolean;
  force: boolean;
  fieldManager: string;
}

/** What the server returned for an apply, and whether it created the object. */
export interface Applied {
  object: KubeObject;
  created: boolean;
}

export class ServerSideApplyClient extends KubernetesObjectApi {
  /** Objects being applied right now, as handed to `patch` (which may default their namespace). */
  private readonly pending = new Set<KubeObject>();
  private readonly statusOf = new WeakMap<object, number>();
  private timeoutMs = 30_000;
  private fieldValidation: FieldValidation = 'Strict';

  static forKubeConfig(
    kc: KubeConfig,
    settings: { timeoutMs?: number; fieldValidation?: FieldValidation } = {},
  ): ServerSideApplyClient {
    const client = kc.makeApiClient(ServerSideApplyClient);
    client.setDefaultNamespace(kc);
    client.timeoutMs = settings.timeoutMs ?? client.timeoutMs;
    client.fieldValidation = settings.fieldValidation ?? client.fieldValidation;
    return client;
  }

  /** Server-side apply of one object; `dryRun` runs every admission stage without persisting. */
  async apply(obj: KubeObject, call: ApplyCall): Promise<Applied> {
    const body = structuredClone(obj);
    this.pending.add(body);
    try {
      const result = await this.patch(
        body as KubernetesObject,
        undefined,
        call.dryRun ? 'All' : undefined,
        call.fieldManager,
        call.force ? true : undefined,
        PatchStrategy.ServerSideApply,
      );
      return { object: result as KubeObject, created: this.statusOf.get(result) === 201 };
    } finally {
      this.pending.delete(body);
    }
  }

  /** The live object, or undefined when it does not exist (404 on the object, not the kind). */
  async get(obj: KubeObject): Promise<KubeObject | undefined> {
    const header = { apiVersion: obj.apiVersion, kind: obj.kind, metadata: { ...obj.metadata } };
    // Discover first, so that a kind the cluster does not serve is not mistaken for a missing object.
    const resource = await this.resource(obj.apiVersion, obj.kind);
    if (!resource)
      throw new Error(`Unrecognized API version and kind: ${obj.apiVersion} ${obj.kind}`);
    try {
      return (await this.read(header)) as KubeObject;
    } catch (error) {
      if ((error as { code?: number }).code === 404) return undefined;
      throw error;
    }
  }

  /**
   * The objects of one kind that carry `labelSelector`, in `namespace` (a namespaced kind) or
   * cluster-wide. A list's items come without apiVersion and kind; they are set here.
   */
  async listSelected(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    labelSelector: string,
  ): Promise<KubeObject[]> {
    const list = (await this.list(
      apiVersion,
      kind,
      namespace,
      undefined,
      undefined,
      undefined,
      undefined,
      labelSelector,
    )) as unknown as { items?: KubeObject[] };
    return (list.items ?? []).map((item) => ({ ...item, apiVersion, kind }));
  }

  /** Whether the cluster serves `kind` namespaced, cluster-scoped, or not at all (undefined). */
  async scopeOf(apiVersion: string, kind: string): Promise<'namespaced' | 'cluster' | undefined> {
    const resource = await this.resource(apiVersion, kind);
    if (!resource) return undefined;
    return resource.namespaced ? 'namespaced' : 'cluster';
  }

  /**
   * The version the cluster prefers for an API group (`v1` for the core group), from group
   * discovery (`GET /apis/<group>`); undefined when the group is not served (its CRD is gone).
   */
  async preferredVersion(group: string): Promise<string | undefined> {
    if (group === '') return 'v1';
    const ctx = this.configuration.baseServer.makeRequestContext(
      `/apis/${encodeURIComponent(group)}`,
      HttpMethod.GET,
    );
    ctx.setHeaderParam('Accept', 'application/json');
    try {
      const found = (await this.requestPromise(ctx)) as unknown as {
        preferredVersion?: { groupVersion?: string };
      };
      return found.preferredVersion?.groupVersion;
    } catch (error) {
      if ((error as { code?: number }).code === 404) return undefined;
      throw error;
    }
  }

  /**
   * Deletes `obj` in the background (its dependents after it), only if it is still the object
   * that was listed (a uid precondition: one re-created since is left alone). A 404 means it is
   * gone already, which is what was wanted.
   */
  async remove(obj: KubeObject, dryRun: boolean): Promise<void> {
    const uid = typeof obj.metadata.uid === 'string' ? obj.metadata.uid : undefined;
    const target = {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace },
    };
    try {
      await this.delete(
        target,
        undefined,
        dryRun ? 'All' : undefined,
        undefined,
        undefined,
        'Background',
        uid ? { preconditions: { uid } } : undefined,
      );
    } catch (error) {
      if ((error as { code?: number }).code === 404) return;
      throw error;
    }
  }

  protected override async requestPromise<T extends KubernetesObject>(
    ctx: RequestContext,
    type?: string,
    options?: Configuration,
  ): Promise<T> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    ctx.setSignal(signal);
    if (ctx.getHttpMethod() === HttpMethod.PATCH && isApply(ctx)) {
      const sent = JSON.parse(String(ctx.getBody())) as KubeObject;
      const exact = [...this.pending].find((p) => sameObject(p, sent));
      if (exact) ctx.setBody(JSON.stringify(exact));
      ctx.setQueryParam('fieldValidation', this.fieldValidation);
    }
    try {
      return await super.requestPromise<T>(ctx, type, options);
    } catch (error) {
      // undici rejects with the signal's DOMException, whose message is read-only: client-node's
      // discovery then fails rewriting it (a TypeError that hides the timeout). Ours is writable.
      if (signal.aborted) throw new RequestTimeoutError(this.timeoutMs, error);
      throw error;
    }
  }

  protected override async processResponse<T extends KubernetesObject>(
    response: ResponseContext,
    type?: string,
  ): Promise<T> {
    // Typed responses (discovery's APIResourceList) keep client-node's handling, as do errors.
    const ok = response.httpStatusCode >= 200 && response.httpStatusCode <= 299;
    if (type !== undefined || !ok) return super.processResponse<T>(response, type);
    const data = JSON.parse(await response.body.text()) as T;
    this.statusOf.set(data, response.httpStatusCode);
    return data;
  }
}

/** A request that got no answer within the client's timeout. */
export class RequestTimeoutError extends Error {
  override readonly name = 'TimeoutError';
  constructor(ms: number, cause: unknown) {
    super(`no answer within ${ms} ms`, { cause });
  }
}

function isApply(ctx: RequestContext): boolean {
  return Object.entries(ctx.getHeaders()).some(
    ([name, value]) =>
      name.toLowerCase() === 'content-type' && value === PatchStrategy.ServerSideApply,
  );
}

function sameObject(a: KubeObject, b: KubeObject): boolean {
  return (
    a.apiVersion === b.apiVersion &&
    a.kind === b.kind &&
    a.metadata.name === b.metadata.name &&
    a.metadata.namespace === b.metadata.namespace
  );
}
