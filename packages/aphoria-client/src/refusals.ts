/**
 * The one wording of each refusal (issue 21, "one 401/403 message"): a key StemeDB refused, or a
 * URL that is not StemeDB. persist, flush and status all say it this way.
 */
import type { StemeError } from '@stemedb/sdk';
import { HostedAuthError } from './errors.js';

/**
 * What StemeDB said no to: the key (401) or its role (403). `use` is what the key was used for:
 * a 403 on a read (`readScanHistory`) names the roles that may read, one on a write the role
 * that may write.
 */
export function authMessage(
  status: 401 | 403,
  apiKeyEnv: string,
  use: 'write' | 'read' = 'write',
): string {
  if (status === 401) {
    return `StemeDB refused the API key in ${apiKeyEnv} (401 Unauthorized): it is unknown, revoked or for another server. Put this project's key in ${apiKeyEnv}; a project's key is issued with \`stemedb-admin onboard <project>\``;
  }
  return use === 'read'
    ? `The API key in ${apiKeyEnv} may not read assertions (403 Forbidden): its role lacks the permission. Use a key with the write_agent or read_agent role (\`stemedb-admin onboard <project>\`)`
    : `The API key in ${apiKeyEnv} may not do this (403 Forbidden): its role lacks the permission. Issue a write_agent key with \`stemedb-admin onboard <project>\` and put it in ${apiKeyEnv}`;
}

/** The {@link HostedAuthError} of a 401/403 from the SDK, naming the env var. */
export function authError(
  error: StemeError,
  apiKeyEnv: string,
  use: 'write' | 'read' = 'write',
): HostedAuthError {
  const status = error.status === 403 ? 403 : 401;
  return new HostedAuthError(authMessage(status, apiKeyEnv, use), {
    status,
    apiKeyEnv,
    cause: error,
  });
}

/** True when `error` says the server at the URL is not StemeDB (a 404, or a 2xx not its JSON). */
export function isNotStemeDb(error: StemeError): boolean {
  if (error.status === 404) return true;
  return error.code === 'invalid_response' && error.status !== undefined && error.status < 300;
}

/** Why `url` is not StemeDB, naming where the URL is set. */
export function notStemeDbMessage(
  url: string,
  error: StemeError,
  configPath: string | undefined,
): string {
  const call = `${error.method ?? ''} ${error.path ?? ''}`.trim();
  const what =
    error.status !== undefined && error.status < 300
      ? `answered ${call} with ${error.status} and a body that is not StemeDB's JSON (a captive portal or another service?)`
      : `answered ${call} with ${error.status ?? 'an error'} Not Found`;
  return `${url} is not StemeDB: it ${what}. Check the url in ${configPath ?? '.aphoria/config.toml'} (or STEMEDB_URL); nothing was spooled`;
}
