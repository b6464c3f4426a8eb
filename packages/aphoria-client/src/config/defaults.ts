/** The config's defaults, in one place. */

/** Where the config lives, relative to a project's root: found by searching upward. */
export const CONFIG_RELATIVE_PATH = '.aphoria/config.toml';
/** The env var that holds the key when `[hosted] api_key_env` is not given. */
export const DEFAULT_API_KEY_ENV = 'STEMEDB_API_KEY';
/** An env var that, when set and not empty, replaces `[hosted] url`. */
export const URL_ENV = 'STEMEDB_URL';
/** The spool's directory, relative to the folder holding config.toml (`.aphoria/spool/`). */
export const DEFAULT_SPOOL_DIR = 'spool';
/** Where provisioning is explained in fixes. */
export const ONBOARD_HINT = 'stemedb-admin onboard <project>';
