/**
 * Provisioning project keys into Google Secret Manager with `@stemedb/admin` (what
 * `stemedb-admin provision --store gcp:<project>` runs): the plan, the run that creates one
 * `write_agent` key per project and stores it as `stemedb-key-<project>`, a re-run that changes
 * nothing, the server's keys matched against the store, and off-boarding (revoke the keys,
 * delete the secrets) so the example leaves nothing behind but the released run lease.
 *
 * Run it with `pnpm build && npx tsx examples/provision-gcp.ts`: with no environment it starts a
 * StemeDB emulator and a local Secret Manager (the gRPC server of `@stemedb/admin/testing`)
 * in-process. Pointed at real services by the environment:
 * - `STEMEDB_URL=https://stemedb.<domain>` and `STEMEDB_ADMIN_KEY` for StemeDB, the key put in
 *   the environment from the store (`export STEMEDB_ADMIN_KEY="$(gcloud secrets versions access
 *   latest --secret=stemedb-root-api-key)"`), never typed on a command line;
 * - `STEMEDB_STORE=gcp:<gcp-project>` for Secret Manager, with Application Default Credentials
 *   (`gcloud auth application-default login`) and `roles/secretmanager.admin` on the project;
 * - or `STEMEDB_STORE=gcp:<any> STEMEDB_GCP_ENDPOINT=127.0.0.1:<port>` for a local Secret
 *   Manager you run yourself (plaintext, loopback only: how the tests run this file).
 */
import {
  isAdminError,
  isSecretStoreError,
  list,
  openSecretStore,
  planProvision,
  provision,
  resolveAdminKey,
  revoke,
} from '@stemedb/admin';
import { startSecretManagerEmulator } from '@stemedb/admin/testing';
import { startEmulator } from '@stemedb/emulator';

const PROJECTS = ['example-billing', 'example-search'];

async function main(): Promise<void> {
  const stemedb = process.env.STEMEDB_URL ? undefined : await startEmulator();
  const secretManager = process.env.STEMEDB_STORE ? undefined : await startSecretManagerEmulator();
  const url = stemedb?.url ?? (process.env.STEMEDB_URL as string);
  // Never from a flag or a file: the environment (STEMEDB_ADMIN_KEY), stdin, or the store.
  const adminKey = stemedb?.rootApiKey ?? (await resolveAdminKey({ env: process.env }));
  const spec = process.env.STEMEDB_STORE ?? 'gcp:example-project';
  const gcpEndpoint = secretManager?.endpoint ?? process.env.STEMEDB_GCP_ENDPOINT;
  // Nothing is contacted yet; without an endpoint the client finds credentials as gcloud does.
  const store = await openSecretStore(spec, { gcpEndpoint });
  console.log(`StemeDB at ${url}${stemedb ? ' (emulator)' : ''}`);
  console.log(`store ${spec}${gcpEndpoint ? ` at ${gcpEndpoint} (local Secret Manager)` : ''}`);
  try {
    const server = { url, adminKey, store };
    const plan = await planProvision({ ...server, projects: PROJECTS });
    for (const p of plan.projects) console.log(`plan  ${p.project}: ${p.action} (${p.reason})`);

    for (const run of ['run', 're-run']) {
      const { summary: s } = await provision({ ...server, projects: PROJECTS });
      console.log(
        `${run}: created ${s.created}, replaced ${s.replaced}, unchanged ${s.unchanged}, revoked ${s.revoked}, failed ${s.failed}`,
      );
      if (s.failed > 0) throw new Error(`provision failed for ${s.failed} project(s)`);
    }

    // What `stemedb-admin list` shows: each key by its hash, and whether the store holds it.
    const { keys } = await list(server);
    for (const k of keys.filter((k) => PROJECTS.some((p) => k.label === `project-${p}`))) {
      console.log(
        `key   ${k.label} ${k.role} hash ${k.hash.slice(0, 12)} in ${k.secret}: ${k.stored ? 'stored' : 'NOT stored'}`,
      );
    }

    for (const project of PROJECTS) {
      const r = await revoke({ ...server, project });
      console.log(
        `off-boarded ${project}: revoked ${r.revoked}, secret deleted ${r.secretDeleted}`,
      );
    }
  } finally {
    await store.close();
    await secretManager?.close();
    await stemedb?.close();
  }
}

main().catch((error: unknown) => {
  // Admin and store errors are one line, with a stable code, and never carry a key.
  const known = isAdminError(error) || isSecretStoreError(error);
  console.error(known ? `${error.code}: ${error.message}` : error);
  process.exitCode = 1;
});
