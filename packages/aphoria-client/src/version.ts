/** The package's name, as sent in the User-Agent of its StemeDB client. */
export const CLIENT_NAME = '@stemedb/aphoria-client';

/**
 * The package's version (kept equal to package.json's by test/journal/version.test.ts): put in
 * every journal header, so that a run that cannot read a journal names the one that wrote it.
 */
export const CLIENT_VERSION = '0.1.0';
