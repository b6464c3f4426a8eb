/**
 * Connect, write and read with `@stemedb/sdk`: check the server's health, write assertions
 * (one, then a batch), and read them back, one page and then every page.
 *
 * Run it with `pnpm build && npx tsx examples/connect-write-read.ts`: with no environment it
 * starts a StemeDB emulator in-process and uses its root key. Against a real StemeDB: export
 * `STEMEDB_API_KEY` from your secret store (a `write_agent` key is enough; never typed on a
 * command line, where shell history keeps it), then
 * `STEMEDB_URL=https://stemedb.<domain> npx tsx examples/connect-write-read.ts`
 * (each run writes under a subject of its own).
 */
import { randomBytes } from 'node:crypto';
import { startEmulator } from '@stemedb/emulator';
import { isStemeError, StemeClient } from '@stemedb/sdk';

async function main(): Promise<void> {
  const emulator = process.env.STEMEDB_URL ? undefined : await startEmulator();
  const baseUrl = emulator?.url ?? (process.env.STEMEDB_URL as string);
  // The emulator's root key stands in for your project's key; never print a key.
  const apiKey = emulator?.rootApiKey ?? process.env.STEMEDB_API_KEY;
  console.log(`StemeDB at ${baseUrl}${emulator ? ' (emulator)' : ''}`);

  const client = new StemeClient({ baseUrl, apiKey });
  try {
    const health = await client.health();
    console.log(`health: ${health.status ?? 'ok'}`);

    // A subject of this run's own, so the read below sees exactly what this run wrote.
    const subject = `examples/service-${randomBytes(4).toString('hex')}`;
    const first = await client.assert({
      subject,
      predicate: 'language',
      value: 'typescript',
      agent_id: 'example',
    });
    console.log(`wrote 1 assertion (id ${first.id})`);

    // `assertMany` never rejects for one item: each result says whether it was stored.
    const batch = await client.assertMany([
      { subject, predicate: 'owner', value: 'platform', agent_id: 'example' },
      { subject, predicate: 'tier', value: 1, agent_id: 'example' },
      { subject, predicate: 'alive', value: true, agent_id: 'example' },
    ]);
    const failed = batch.filter((r) => !r.ok);
    console.log(`wrote ${batch.length - failed.length}/${batch.length} assertions in a batch`);
    for (const r of failed) if (!r.ok) console.log(`  #${r.index} failed: ${r.error.code}`);

    // One page, newest first.
    const page = await client.listAssertions({ subject, limit: 2 });
    console.log(`first page: ${page.items.length} of them, more: ${page.next_cursor !== null}`);
    for (const a of page.items) console.log(`  ${a.predicate} = ${JSON.stringify(a.value)}`);

    // Every page: the iterator follows the cursors.
    const predicates: string[] = [];
    for await (const a of client.iterateAssertions({ subject, limit: 2 })) {
      predicates.push(a.predicate);
    }
    console.log(`read back ${predicates.length}: ${predicates.sort().join(', ')}`);
  } finally {
    await client.close();
    await emulator?.close();
  }
}

main().catch((error: unknown) => {
  // An SDK error's message is one line and never contains the key.
  console.error(isStemeError(error) ? `${error.code}: ${error.message}` : error);
  process.exitCode = 1;
});
