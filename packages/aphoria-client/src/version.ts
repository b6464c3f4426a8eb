/** The package's name, as sent in the User-Agent of its StemeDB client. */
export const CLIENT_NAME = '@stemedb/aphoria-client';
