/**
 * The resolved config object and its in-code constructor. The key is held in a private field:
 * readable as `apiKey`, never shown by `util.inspect`, `JSON.stringify` or `String()`.
 */
import { isAbsolute, resolve } from 'node:path';
import { HostedConfigError } from '../errors.js';
import type { HostedConfig } from '../types.js';
import { checkApiKey, checkApiKeyEnv, checkUrl } from './checks.js';
import { DEFAULT_API_KEY_ENV } from './defaults.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
/** What stands in for the key wherever the config is shown. */
export const REDACTED_KEY = '[redacted]';

/** A {@link HostedConfig} whose key cannot be printed by accident. */
class ResolvedHostedConfig implements HostedConfig {
  readonly url: string;
  readonly apiKeyEnv: string;
  readonly configPath: string | undefined;
  readonly spoolDir: string;
  readonly project: string | undefined;
  readonly #apiKey: string;

  constructor(fields: HostedConfig) {
    this.url = fields.url;
    this.apiKeyEnv = fields.apiKeyEnv;
    this.#apiKey = fields.apiKey;
    this.configPath = fields.configPath;
    this.spoolDir = fields.spoolDir;
    this.project = fields.project;
    Object.freeze(this);
  }

  get apiKey(): string {
    return this.#apiKey;
  }

  toJSON(): Record<string, unknown> {
    return {
      url: this.url,
      apiKeyEnv: this.apiKeyEnv,
      apiKey: REDACTED_KEY,
      configPath: this.configPath,
      spoolDir: this.spoolDir,
    };
  }

  toString(): string {
    return `HostedConfig(${this.url}, key from ${this.apiKeyEnv})`;
  }

  [INSPECT](): string {
    return `HostedConfig ${JSON.stringify(this.toJSON(), null, 2)}`;
  }
}

/** Options of {@link createHostedConfig}. */
export interface CreateHostedConfigOptions {
  /** StemeDB's base URL: `https://…`, or `http://` to a loopback host only. */
  url: string;
  /** The key, `steme_live_` + 48 lowercase hex. */
  apiKey: string;
  /** The spool's directory; a relative path is resolved against `process.cwd()`. */
  spoolDir: string;
  /** Named in messages about the key. @default DEFAULT_API_KEY_ENV (`STEMEDB_API_KEY`) */
  apiKeyEnv?: string | undefined;
  /** The config file it stands for, if any. */
  configPath?: string | undefined;
}

const OPTION_KEYS = new Set(['url', 'apiKey', 'spoolDir', 'apiKeyEnv', 'configPath']);
const WHERE = 'createHostedConfig';

/**
 * Builds a config in code, with the same checks as {@link loadHostedConfig}.
 *
 * @throws HostedConfigError naming the option at fault and the fix (never the key)
 */
export function createHostedConfig(options: CreateHostedConfigOptions): HostedConfig {
  if (typeof options !== 'object' || options === null) {
    throw new HostedConfigError(`${WHERE}: options must be an object { url, apiKey, spoolDir }`);
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) {
      throw new HostedConfigError(
        `${WHERE}: unknown option ${JSON.stringify(key.slice(0, 64))}. Fix: use only url, apiKey, spoolDir, apiKeyEnv, configPath`,
      );
    }
  }
  const apiKeyEnv = options.apiKeyEnv ?? DEFAULT_API_KEY_ENV;
  const envProblem = checkApiKeyEnv(apiKeyEnv);
  if (envProblem !== undefined) throw new HostedConfigError(`${WHERE}: apiKeyEnv ${envProblem}`);
  const urlProblem = checkUrl(options.url);
  if (urlProblem !== undefined) throw new HostedConfigError(`${WHERE}: url ${urlProblem}`);
  const keyProblem = checkApiKey(options.apiKey);
  if (keyProblem !== undefined) {
    throw new HostedConfigError(
      `${WHERE}: apiKey ${keyProblem}. Fix: pass the key of ${apiKeyEnv} as provisioned (stemedb-admin onboard <project>)`,
    );
  }
  if (typeof options.spoolDir !== 'string' || options.spoolDir.trim() === '') {
    throw new HostedConfigError(`${WHERE}: spoolDir must be a non-empty path`);
  }
  const configPath = options.configPath;
  if (configPath !== undefined && (typeof configPath !== 'string' || configPath === '')) {
    throw new HostedConfigError(`${WHERE}: configPath must be a non-empty path when given`);
  }
  return newHostedConfig({
    url: options.url,
    apiKey: options.apiKey,
    apiKeyEnv,
    configPath: configPath === undefined ? undefined : resolve(configPath),
    spoolDir: isAbsolute(options.spoolDir) ? options.spoolDir : resolve(options.spoolDir),
  });
}

/** Wraps already-checked fields (the loader's path). */
export function newHostedConfig(fields: HostedConfig): HostedConfig {
  return new ResolvedHostedConfig(fields);
}
