/**
 * `@stemedb/admin`: StemeDB key administration. Everything not exported here is private.
 *
 * @packageDocumentation
 */
export { ROOT_KEY_SECRET } from './stores/names.js';
