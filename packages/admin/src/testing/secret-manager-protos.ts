/**
 * Loads `google.cloud.secretmanager.v1.SecretManagerService` from the .proto files that ship in
 * `@google-cloud/secret-manager`, with the google/api, google/iam and google/protobuf imports from
 * the copy of `google-gax` that package depends on (resolved from its own location, since under
 * pnpm it is not a dependency of ours). The server and the real client thus agree on the wire
 * format by construction.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type GrpcObject, loadPackageDefinition, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

const SERVICE_PROTO = 'google/cloud/secretmanager/v1/service.proto';

let cached: ServiceDefinition | undefined;

/** The directories holding the service's .proto files and every file it imports. */
export function secretManagerProtoDirs(): string[] {
  const require = createRequire(import.meta.url);
  const clientEntry = require.resolve('@google-cloud/secret-manager');
  // build/src/index.js -> the package root.
  const clientRoot = join(dirname(clientEntry), '..', '..');
  const gaxEntry = createRequire(clientEntry).resolve('google-gax');
  const gaxRoot = join(dirname(gaxEntry), '..', '..');
  return [join(clientRoot, 'build', 'protos'), join(gaxRoot, 'build', 'protos')];
}

/** The service definition to pass to `Server.addService` (loaded once per process). */
export function secretManagerServiceDefinition(): ServiceDefinition {
  if (cached !== undefined) return cached;
  const definition = loadSync(SERVICE_PROTO, {
    includeDirs: secretManagerProtoDirs(),
    keepCase: false,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const root = loadPackageDefinition(definition);
  const service = walk(root, ['google', 'cloud', 'secretmanager', 'v1', 'SecretManagerService']);
  cached = (service as { service: ServiceDefinition }).service;
  return cached;
}

function walk(root: GrpcObject, path: readonly string[]): unknown {
  let node: unknown = root;
  for (const part of path) {
    node = (node as Record<string, unknown> | undefined)?.[part];
    if (node === undefined) throw new Error(`${path.join('.')} is missing from ${SERVICE_PROTO}`);
  }
  return node;
}
