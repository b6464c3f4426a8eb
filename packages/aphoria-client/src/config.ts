/** The hosted config: loading it from `.aphoria/config.toml`, or building it in code. */
export {
  CONFIG_RELATIVE_PATH,
  DEFAULT_API_KEY_ENV,
  DEFAULT_SPOOL_DIR,
  URL_ENV,
} from './config/defaults.js';
export { type CreateHostedConfigOptions, createHostedConfig } from './config/hosted-config.js';
export { findConfigFile, type LoadHostedConfigOptions, loadHostedConfig } from './config/load.js';
