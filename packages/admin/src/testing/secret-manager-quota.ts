/**
 * The local Secret Manager's request quotas: Secret Manager counts every call against one of
 * three per-minute, per-project quotas (access 90,000, read 600, write 600 by default,
 * https://cloud.google.com/secret-manager/quotas) and refuses a call over its quota with
 * RESOURCE_EXHAUSTED. Here each quota is a sliding window of `intervalMs` (a minute unless a
 * benchmark compresses time); a refused call is not counted, as a refused request uses no quota.
 */
import type { SecretManagerMethod } from './secret-manager-server.js';

/** Which of Secret Manager's three request quotas a method counts against. */
export type SecretManagerQuotaKind = 'access' | 'read' | 'write';

/**
 * Each method's quota, as the quotas page defines them: access is `AccessSecretVersion`; a write
 * is any call that modifies or deletes a secret or a version; every other call is a read.
 */
export const SECRET_MANAGER_QUOTA_KIND: Readonly<
  Record<SecretManagerMethod, SecretManagerQuotaKind>
> = Object.freeze({
  ListSecrets: 'read',
  CreateSecret: 'write',
  AddSecretVersion: 'write',
  GetSecret: 'read',
  DeleteSecret: 'write',
  ListSecretVersions: 'read',
  GetSecretVersion: 'read',
  AccessSecretVersion: 'access',
  DisableSecretVersion: 'write',
  EnableSecretVersion: 'write',
  DestroySecretVersion: 'write',
  UpdateSecret: 'write',
  TestIamPermissions: 'read',
});

/**
 * Request quotas to enforce; a kind left out is not limited (the default: no quota at all, so
 * that tests which do not ask for one never meet it).
 */
export interface SecretManagerQuota {
  /** Write requests allowed per `intervalMs` (Secret Manager's default: 600 a minute). */
  writes?: number | undefined;
  /** Read requests allowed per `intervalMs` (Secret Manager's default: 600 a minute). */
  reads?: number | undefined;
  /** Access requests allowed per `intervalMs` (Secret Manager's default: 90,000 a minute). */
  accesses?: number | undefined;
  /**
   * The window, in milliseconds: a minute, as the real quotas are; shorter only to run a
   * benchmark's quota-bound hour in minutes (every count scaled with it).
   * @default 60000
   */
  intervalMs?: number | undefined;
}

/** Admits or refuses calls against a {@link SecretManagerQuota}. */
export interface QuotaGate {
  /**
   * Counts a call of `method` arriving at `now` and returns undefined, or, when its quota is
   * spent, counts nothing and returns the message of the RESOURCE_EXHAUSTED answer.
   */
  admit(method: SecretManagerMethod, now: number): string | undefined;
}

const LIMIT_NAMES: Readonly<Record<SecretManagerQuotaKind, string>> = {
  access: 'Access requests',
  read: 'Read requests',
  write: 'Write requests',
};

/** A gate enforcing `quota` (undefined: admits everything). */
export function createQuotaGate(quota: SecretManagerQuota | undefined): QuotaGate {
  const intervalMs = quota?.intervalMs ?? 60_000;
  if (!Number.isInteger(intervalMs) || intervalMs <= 0) {
    throw new Error('quota.intervalMs must be a positive whole number of milliseconds');
  }
  const limits: Record<SecretManagerQuotaKind, number | undefined> = {
    access: quota?.accesses,
    read: quota?.reads,
    write: quota?.writes,
  };
  for (const [kind, limit] of Object.entries(limits)) {
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
      throw new Error(`the ${kind} quota must be a whole number`);
    }
  }
  // The arrival times of the admitted calls still inside the window, oldest first.
  const windows: Record<SecretManagerQuotaKind, number[]> = { access: [], read: [], write: [] };
  const perMinute = intervalMs === 60_000 ? 'per minute' : `per ${intervalMs} ms`;
  return {
    admit(method, now) {
      const kind = SECRET_MANAGER_QUOTA_KIND[method];
      const limit = limits[kind];
      if (limit === undefined) return undefined;
      const window = windows[kind];
      let expired = 0;
      while (expired < window.length && window[expired]! <= now - intervalMs) expired += 1;
      if (expired > 0) window.splice(0, expired);
      if (window.length >= limit) {
        // The real service's wording (a 429 on REST, RESOURCE_EXHAUSTED on gRPC).
        return (
          `Quota exceeded for quota metric '${LIMIT_NAMES[kind]}' and limit ` +
          `'${LIMIT_NAMES[kind]} ${perMinute}' of service 'secretmanager.googleapis.com'.`
        );
      }
      window.push(now);
      return undefined;
    },
  };
}
