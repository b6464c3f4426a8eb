/**
 * `@stemedb/emulator`: a local StemeDB HTTP server to develop and test against.
 * Everything not exported here is private.
 *
 * @module \@stemedb/emulator
 */
export {
  type AfterApplyMode,
  type AfterApplyOptions,
  DEFAULT_AFTER_APPLY_SEED,
} from './after-apply.js';
export { DataFileError, JournalCorruptError } from './data-schemas.js';
export { startEmulator } from './server.js';
export type { Emulator, EmulatorOptions, Faults, RecordedRequest } from './types.js';
