/**
 * Builds the real `SecretManagerServiceClient` for the `gcp:` store: against Google with
 * Application Default Credentials, or against a loopback endpoint over plaintext with no
 * credentials at all.
 *
 * Without credentials the client would still look for some (and probe the GCE metadata server,
 * 169.254.169.254, for them): for a loopback endpoint it gets {@link LOOPBACK_AUTH}, a stub that
 * answers the one question the client asks before dialling (the universe domain) and refuses
 * every request for a credential, so that a local run can never reach Google or a metadata
 * server, and needs no GOOGLE_APPLICATION_CREDENTIALS (see ../shared/STACK.md).
 */
import type { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import type { LoopbackEndpoint } from './gcp-endpoint.js';

/** The universe the client is told it is in; the stub agrees with it. */
const UNIVERSE = 'googleapis.com';

/**
 * The auth stub of a loopback client. `getUniverseDomain` is what google-gax asks in
 * `createStub`; anything that wants a credential fails loudly instead of searching for one.
 */
export const LOOPBACK_AUTH = Object.freeze({
  getUniverseDomain: async (): Promise<string> => UNIVERSE,
  getClient: async (): Promise<never> => {
    throw new Error('A loopback Secret Manager endpoint uses no credentials');
  },
  getProjectId: async (): Promise<never> => {
    throw new Error('A loopback Secret Manager endpoint has no default project');
  },
  getRequestHeaders: async (): Promise<never> => {
    throw new Error('A loopback Secret Manager endpoint uses no credentials');
  },
});

/**
 * The client for `endpoint`, or for Google itself (ADC) when it is undefined. The client
 * libraries are imported here, on first use, so that the CLI's start (`--help`, a `file:`
 * store) does not pay for loading gax and gRPC.
 */
export async function createSecretManagerClient(
  endpoint: LoopbackEndpoint | undefined,
): Promise<SecretManagerServiceClient> {
  // The v1 client's own module: the package's index also loads the v1beta2 client and
  // `protos.js` (800 kB of generated classes for every API version, which the client does not
  // use: it reads `protos.json`). It is the class the index exports, and the package has no
  // `exports` map to refuse the path (test/stores/lazy-clients.test.ts checks both).
  const { SecretManagerServiceClient } = await import(
    '@google-cloud/secret-manager/build/src/v1/secret_manager_service_client.js'
  );
  if (endpoint === undefined) return new SecretManagerServiceClient();
  const { credentials } = await import('@grpc/grpc-js');
  // The client copies its options; each store gets its own stub-holding object so that
  // `useJWTAccessWithScope` and friends, which the client sets on `auth`, stay per client.
  const auth = { ...LOOPBACK_AUTH };
  return new SecretManagerServiceClient({
    apiEndpoint: endpoint.host,
    port: endpoint.port,
    sslCreds: credentials.createInsecure(),
    universeDomain: UNIVERSE,
    // google-gax types this as a GoogleAuth; the stub implements what a loopback client calls.
    auth: auth as never,
  });
}
