/**
 * What an object module tells the bundle about the object it builds: the builder, when the
 * object is emitted, the cross-reference rules it must pass when built, and its row of the
 * README's "What is emitted" table. The registry (registry.ts) lists the descriptors in apply
 * order, so that a new object is its config section plus its module, not an edit in every file
 * that assembles, checks or documents the bundle.
 */
import type { StemeDeploymentConfig } from '../config/index.js';
import type { Rule } from '../validate/rule.js';
import type { toKubeObject } from './meta.js';

/** What a builder returns: a typed object that {@link toKubeObject} turns into a KubeObject. */
export type EmittedObject = Parameters<typeof toKubeObject>[0];

/** A row of the README's "What is emitted" table. */
export interface EmittedDocRow {
  /** The object and what is notable about it, e.g. `Deployment (1 replica, Recreate)`. */
  readonly object: string;
  /** Its name with the default config, in backticks. */
  readonly name: string;
  /** The config keys that emit it, or `always`. */
  readonly when: string;
  /**
   * Emitted instead of the row before it (never with it), so it shares that row's number: the
   * rclone CronJob and the Longhorn RecurringJob are the two ways of backing up.
   * @default false
   */
  readonly alternative?: boolean;
}

/** One object (or group of objects of one kind) of the bundle, as its module registers it. */
export interface ObjectDescriptor {
  /** A short stable id, e.g. `deployment` or `external-secret/root-key`. */
  readonly id: string;
  /** The kind the builder emits. */
  readonly kind: string;
  /** Whether the config emits it. */
  readonly when: (c: StemeDeploymentConfig) => boolean;
  /** The objects, built from a parsed config; called only when {@link when} holds. */
  readonly build: (
    c: StemeDeploymentConfig,
  ) => EmittedObject | readonly EmittedObject[] | undefined;
  /**
   * Cross-reference rules (`ref/*`, errors) the built bundle must pass: a finding of one of them
   * in a bundle this package built is a bug here, so `buildBundle` throws on it, while `lint`
   * reports the same rule for manifests from anywhere. Each relation is written once, as a rule.
   */
  readonly invariants: readonly Rule[];
  /** Its row of the README's "What is emitted" table (a test keeps the two equal). */
  readonly docs: EmittedDocRow;
}

/** The backup method that emits objects: none when the backup is off. */
export function backupMethod(
  c: StemeDeploymentConfig,
): StemeDeploymentConfig['backup']['method'] | undefined {
  return c.backup.enabled ? c.backup.method : undefined;
}
