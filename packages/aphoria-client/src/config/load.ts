/**
 * `loadHostedConfig`: finds `.aphoria/config.toml` upward from `cwd` (as git, eslint and cargo
 * find theirs), reads `[hosted]`, takes the key from the env var it names, and checks it all.
 * Every mistake is one `HostedConfigError` naming the file, the line where one is known, and
 * the fix; none quotes a key or any part of one (roadmap: onboarding runbook, "the key itself
 * only ever lives in that env var").
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, parse as parsePath, resolve } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { z } from 'zod';
import { HostedConfigError } from '../errors.js';
import type { HostedConfig } from '../types.js';
import { checkApiKey, checkApiKeyEnv, checkUrl, looksLikeKey } from './checks.js';
import {
  CONFIG_RELATIVE_PATH,
  DEFAULT_API_KEY_ENV,
  DEFAULT_SPOOL_DIR,
  ONBOARD_HINT,
  URL_ENV,
} from './defaults.js';
import { newHostedConfig } from './hosted-config.js';
import { findKeyLikeLine, findKeyLine, findTableLine } from './toml-lines.js';

/** Options of {@link loadHostedConfig}. Unknown keys throw. */
export interface LoadHostedConfigOptions {
  /** Where the upward search starts. @default process.cwd() */
  cwd?: string | undefined;
  /** The environment to read the key and `STEMEDB_URL` from. @default process.env */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /**
   * The spool directory, over `[hosted] spool_dir` and the default; a relative path is taken from the config file's directory, as `spool_dir` is (not from `cwd`).
   * @default `[hosted] spool_dir`, else `.aphoria/spool/` beside the config
   */
  spoolDir?: string | undefined;
}

const OptionsSchema = z.strictObject({
  cwd: z.string().min(1).optional(),
  // Any object: `process.env` itself is not a plain object, which z.record refuses.
  env: z
    .custom<Readonly<Record<string, string | undefined>>>(
      (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
      'must be an object of environment variables, such as process.env',
    )
    .optional(),
  spoolDir: z.string().min(1).optional(),
});

/** `[hosted]`, strictly: an unknown key is a mistake (a typo of one of these, or a pasted key). */
const HostedSchema = z.strictObject({
  url: z.string().optional(),
  api_key_env: z.string().optional(),
  spool_dir: z.string().min(1).optional(),
  project: z.string().min(1).optional(),
});
const HOSTED_KEYS = Object.keys(HostedSchema.shape).join(', ');

/**
 * Finds, reads and checks the hosted config.
 *
 * @throws HostedConfigError for every mistake, with the file, the line and the fix
 */
export async function loadHostedConfig(
  options: LoadHostedConfigOptions = {},
): Promise<HostedConfig> {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const at =
      first?.code === 'unrecognized_keys' ? first.keys.join(', ') : (first?.path.join('.') ?? '');
    throw new HostedConfigError(
      `loadHostedConfig: invalid option ${at}: ${first?.message ?? 'invalid'}`,
    );
  }
  const cwd = resolve(parsed.data.cwd ?? process.cwd());
  const env = parsed.data.env ?? process.env;
  const file = await findConfigFile(cwd);
  const text = await readConfig(file);
  const fail = (message: string, line?: number, cause?: unknown): never => {
    throw new HostedConfigError(`${line === undefined ? file : `${file}:${line}`}: ${message}`, {
      file,
      line,
      cause,
    });
  };

  // Before parsing: a key in the file is refused even if the file is otherwise broken.
  const keyLine = findKeyLikeLine(text);
  if (keyLine !== undefined) fail(pastedKeyMessage(env, text), keyLine);

  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    // Only the reason: smol-toml's message goes on with an excerpt of the file.
    const reason = (error.message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, '');
    fail(
      `not valid TOML (column ${error.column}): ${reason}. Fix: correct the syntax on line ${error.line}`,
      error.line,
    );
    throw error;
  }
  if (containsKeyLike(doc)) fail(pastedKeyMessage(env, text));

  const hostedRaw = doc.hosted;
  if (hostedRaw === undefined) {
    fail(
      `no [hosted] section. Fix: add [hosted] with url = "https://stemedb.<domain>" (${ONBOARD_HINT} prints the snippet)`,
    );
  }
  if (typeof hostedRaw !== 'object' || hostedRaw === null || Array.isArray(hostedRaw)) {
    fail(
      'hosted must be a table: write it as a [hosted] section, once',
      findTableLine(text, 'hosted'),
    );
  }
  const result = HostedSchema.safeParse(hostedRaw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0] ?? '';
      fail(
        `unknown key ${JSON.stringify(key.slice(0, 64))} in [hosted]. Fix: use only ${HOSTED_KEYS}`,
        findKeyLine(text, 'hosted', key),
      );
    }
    const key = String(issue.path[0] ?? '');
    fail(
      `[hosted] ${key} must be a ${key === 'spool_dir' ? 'non-empty ' : ''}string. Fix: quote it, e.g. ${key} = "…"`,
      findKeyLine(text, 'hosted', key),
    );
    throw result.error;
  }
  const hosted = result.data;

  const envUrl = env[URL_ENV];
  const url = envUrl !== undefined && envUrl !== '' ? envUrl : hosted.url;
  if (url === undefined) {
    fail(
      `[hosted] has no url. Fix: add url = "https://stemedb.<domain>" under [hosted] (or set ${URL_ENV})`,
      findTableLine(text, 'hosted'),
    );
  }
  const urlProblem = checkUrl(url);
  if (urlProblem !== undefined) {
    if (url === envUrl) fail(`${URL_ENV} (from the environment, over [hosted] url) ${urlProblem}`);
    fail(`[hosted] url ${urlProblem}`, findKeyLine(text, 'hosted', 'url'));
  }

  const apiKeyEnv = hosted.api_key_env ?? DEFAULT_API_KEY_ENV;
  const envProblem = checkApiKeyEnv(apiKeyEnv);
  if (envProblem !== undefined) {
    fail(`[hosted] api_key_env ${envProblem}`, findKeyLine(text, 'hosted', 'api_key_env'));
  }
  const named =
    hosted.api_key_env === undefined
      ? ' (the default; [hosted] api_key_env names another)'
      : ' (named by [hosted] api_key_env)';
  const apiKey = env[apiKeyEnv];
  if (apiKey === undefined || apiKey === '') {
    fail(
      `the environment variable ${apiKeyEnv}${named} is ${apiKey === undefined ? 'not set' : 'empty'}. Fix: set it to the project's key (${ONBOARD_HINT} shows how to fetch it; in CI, a masked secret variable)`,
    );
  }
  const keyProblem = checkApiKey(apiKey);
  if (keyProblem !== undefined) {
    fail(
      `the environment variable ${apiKeyEnv}${named} ${keyProblem}. Fix: set it to the key exactly as provisioned (${ONBOARD_HINT})`,
    );
  }

  const configDir = dirname(file);
  const spoolDir =
    parsed.data.spoolDir !== undefined
      ? resolve(configDir, parsed.data.spoolDir)
      : resolve(configDir, hosted.spool_dir ?? DEFAULT_SPOOL_DIR);
  return newHostedConfig({
    url: url!,
    apiKeyEnv,
    apiKey: apiKey!,
    configPath: file,
    spoolDir,
    project: hosted.project,
  });
}

/** The nearest `.aphoria/config.toml` at or above `cwd`. */
export async function findConfigFile(cwd: string): Promise<string> {
  const start = resolve(cwd);
  const cwdStat = await stat(start).catch(() => undefined);
  if (cwdStat === undefined || !cwdStat.isDirectory()) {
    throw new HostedConfigError(
      `${start}: no such directory to search for ${CONFIG_RELATIVE_PATH}. Fix: pass an existing --cwd`,
    );
  }
  const root = parsePath(start).root;
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, CONFIG_RELATIVE_PATH);
    const found = await stat(candidate).catch(() => undefined);
    if (found?.isFile()) return candidate;
    if (dir === root || dirname(dir) === dir) break;
  }
  throw new HostedConfigError(
    `no ${CONFIG_RELATIVE_PATH} found in ${start} or any folder above it (searched up to ${root}). Fix: create ${join(start, CONFIG_RELATIVE_PATH)} with a [hosted] section holding url = "https://stemedb.<domain>" (${ONBOARD_HINT} prints it), or run from inside the project`,
  );
}

async function readConfig(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new HostedConfigError(
      `${file}: cannot read the config file (${code}). Fix: make it a readable file`,
      {
        file,
        cause: error,
      },
    );
  }
}

function pastedKeyMessage(env: Readonly<Record<string, string | undefined>>, text: string): string {
  // Name the env var the file asks for if it can be read without trusting the rest of the file.
  const named = /^\s*api_key_env\s*=\s*"([A-Za-z_][A-Za-z0-9_]*)"/m.exec(text)?.[1];
  const name = named !== undefined && !looksLikeKey(named) ? named : DEFAULT_API_KEY_ENV;
  const isSet = env[name] !== undefined && env[name] !== '';
  return `an API key is written in the config file, which is refused: keys never go in files. Fix: delete it from the file, put it in the environment variable ${name}${isSet ? ' (already set here)' : ''}, and if the file was ever committed, rotate the key (stemedb-admin rotate <project>)`;
}

function containsKeyLike(value: unknown): boolean {
  if (typeof value === 'string') return looksLikeKey(value);
  if (Array.isArray(value)) return value.some(containsKeyLike);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(([k, v]) => looksLikeKey(k) || containsKeyLike(v));
  }
  return false;
}
