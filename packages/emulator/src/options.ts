import { z } from 'zod';
import { API_KEY_PATTERN, generateApiKey } from './keys.js';
import { DEFAULT_RATE_LIMIT, type RateLimitSettings } from './rate-limit.js';
import type { EmulatorOptions } from './types.js';

/** Default port 0: an ephemeral port, so parallel test files never collide. */
export const DEFAULT_PORT = 0;
/** Loopback only by default: the emulator is a development tool with a printed root key. */
export const DEFAULT_HOST = '127.0.0.1';
/** 1 MiB, the body limit the yaml's PayloadTooLarge response assumes. */
export const DEFAULT_BODY_LIMIT_BYTES = 1_048_576;
/** Where the root key comes from when no option gives it (roadmap, ship blocker 3). */
export const ROOT_KEY_ENV = 'STEMEDB_ROOT_API_KEY';

/** Options with every default applied. */
export interface ResolvedOptions {
  port: number;
  host: string;
  rootApiKey: string;
  auth: boolean;
  dataDir: string | undefined;
  rateLimit: RateLimitSettings | false;
  bodyLimitBytes: number;
  idempotency: boolean;
  now: () => number;
}

const KEY_FORMAT = 'must be steme_live_ followed by 48 lowercase hex characters';

const optionsSchema = z.strictObject({
  port: z.number().int().min(0).max(65535).optional(),
  host: z.string().min(1).optional(),
  rootApiKey: z.string().regex(API_KEY_PATTERN, KEY_FORMAT).optional(),
  auth: z.boolean().optional(),
  dataDir: z.string().min(1).optional(),
  rateLimit: z
    .union([
      z.literal(false),
      z.strictObject({ burst: z.number().int().min(1), perSecond: z.number().positive() }),
    ])
    .optional(),
  bodyLimitBytes: z.number().int().min(1).optional(),
  idempotency: z.boolean().optional(),
  now: z
    .custom<() => number>((v) => typeof v === 'function', { message: 'must be a function' })
    .optional(),
}) satisfies z.ZodType<EmulatorOptions>;

/**
 * Validates options once and applies defaults. Unknown keys and a malformed root key throw; the
 * message names the option, never the key's value.
 */
export function resolveOptions(
  options: EmulatorOptions,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedOptions {
  const result = optionsSchema.safeParse(options);
  if (!result.success) {
    const detail = result.error.issues
      .map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`)
      .join('; ');
    throw new TypeError(`Invalid emulator options: ${detail}`);
  }
  const parsed = result.data;
  return {
    port: parsed.port ?? DEFAULT_PORT,
    host: parsed.host ?? DEFAULT_HOST,
    rootApiKey: parsed.rootApiKey ?? rootKeyFromEnv(env) ?? generateApiKey(),
    auth: parsed.auth ?? true,
    dataDir: parsed.dataDir,
    rateLimit: parsed.rateLimit ?? DEFAULT_RATE_LIMIT,
    bodyLimitBytes: parsed.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    idempotency: parsed.idempotency ?? true,
    now: parsed.now ?? Date.now,
  };
}

function rootKeyFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const key = env[ROOT_KEY_ENV];
  if (key === undefined || key === '') return undefined;
  if (!API_KEY_PATTERN.test(key)) throw new TypeError(`Invalid ${ROOT_KEY_ENV}: ${KEY_FORMAT}`);
  return key;
}
