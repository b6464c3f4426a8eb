/**
 * `@stemedb/aphoria-client`: hosted scans for Aphoria. Everything not exported here is private.
 *
 * @packageDocumentation
 */
export { CLIENT_NAME } from './version.js';
