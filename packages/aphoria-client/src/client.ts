/**
 * The one place a StemeDB client is made for a config (issue 21: one StemeClient construction):
 * the URL, the key and the package's User-Agent, plus whatever the caller adds.
 */
import { DEFAULT_USER_AGENT, StemeClient, type StemeClientOptions } from '@stemedb/sdk';
import type { HostedConfig } from './types.js';
import { CLIENT_NAME } from './version.js';

/** A client for `config`'s StemeDB; `options` may set anything but the URL, key and agent. */
export function clientFor(
  config: Pick<HostedConfig, 'url' | 'apiKey'>,
  options: Omit<StemeClientOptions, 'baseUrl' | 'apiKey' | 'userAgent'> = {},
): StemeClient {
  return new StemeClient({
    ...options,
    baseUrl: config.url,
    apiKey: config.apiKey,
    userAgent: `${CLIENT_NAME} ${DEFAULT_USER_AGENT}`,
  });
}
