/**
 * `onboard <project>`: what a project team needs to start writing to the hosted StemeDB
 * (roadmap, onboarding runbook): the `.aphoria/config.toml` `[hosted]` snippet, the CI variable
 * to set, and the command that fetches the key from the store in use. The key itself only with
 * `reveal`.
 */
import { z } from 'zod';
import { AdminError } from '../errors.js';
import { checkProjectName } from '../projects-file.js';
import { projectKeySecret } from '../stores/names.js';
import type { SecretStore } from '../stores/types.js';
import { fields, parseOptions, storeFailure } from './context.js';

/** The variable the key lives in, in CI and locally (roadmap: `api_key_env`). */
export const API_KEY_ENV = 'STEMEDB_API_KEY';

/** Options of {@link onboard}. */
export interface OnboardOptions {
  /** The public URL the project writes to, e.g. `https://stemedb.example.com`. */
  url: string;
  store: SecretStore;
  project: string;
  /** Put the key in the result. @default false */
  reveal?: boolean | undefined;
  signal?: AbortSignal | undefined;
}

/** What a project needs; `key` only with `reveal`. */
export interface OnboardResult {
  project: string;
  secret: string;
  /** The `[hosted]` section of `.aphoria/config.toml`. */
  config: string;
  /** The CI variable to set to the key. */
  ciVariable: typeof API_KEY_ENV;
  /** A shell command that prints the key from the store in use. */
  fetchCommand: string;
  /** Whether the store holds a key for the project (run provision when not). */
  stored: boolean;
  key?: string | undefined;
}

const schema = z.strictObject({
  url: fields.url,
  store: fields.store,
  project: z.string(),
  reveal: z.boolean().optional(),
  signal: fields.signal,
});

/** Builds the onboarding instructions for `project`; reads the store, never the server. */
export async function onboard(options: OnboardOptions): Promise<OnboardResult> {
  const o = parseOptions(schema, options, 'onboard');
  const project = checkProjectName(o.project);
  const secret = projectKeySecret(project);
  let url: URL;
  try {
    url = new URL(o.url);
  } catch {
    throw new AdminError({
      code: 'invalid_options',
      message: `onboard: url ${o.url} is not an absolute URL`,
    });
  }
  let value: string | undefined;
  try {
    value = await o.store.readLatest(secret, { signal: o.signal });
  } catch (error) {
    throw storeFailure(error, `reading ${secret}`);
  }
  const base = url.href.replace(/\/+$/, '');
  const result: OnboardResult = {
    project,
    secret,
    config: `[hosted]\nurl = ${JSON.stringify(base)}\napi_key_env = "${API_KEY_ENV}"\n`,
    ciVariable: API_KEY_ENV,
    fetchCommand: fetchCommand(o.store.spec, secret),
    stored: value !== undefined,
  };
  if (o.reveal === true && value !== undefined) result.key = value;
  return result;
}

/** The shell command that prints the latest version of `secret` from the store `spec`. */
export function fetchCommand(spec: string, secret: string): string {
  const colon = spec.indexOf(':');
  const scheme = spec.slice(0, colon);
  const rest = spec.slice(colon + 1);
  switch (scheme) {
    case 'gcp':
      return `gcloud secrets versions access latest --secret=${secret} --project=${rest}`;
    case 'k8s':
      return `kubectl get secret ${secret} -n ${rest} -o jsonpath='{.data.value}' | base64 -d`;
    case 'file':
      return `jq -r '.secrets["${secret}"].versions[-1].value' ${shellQuote(rest)}`;
    default:
      return `stemedb-admin onboard ${secret.replace(/^stemedb-key-/, '')} --store ${spec} --reveal`;
  }
}

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
