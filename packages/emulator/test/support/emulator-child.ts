// A persistent emulator in a child process, for the kill -9 tests: prints its URL, then serves
// until it is killed. A tiny compaction threshold makes a kill land mid-compaction often.
import { startEmulatorWith } from '../../src/server.js';

const [dataDir] = process.argv.slice(2);
const emu = await startEmulatorWith(
  { dataDir: dataDir!, rateLimit: false, rootApiKey: process.env.STEMEDB_ROOT_API_KEY! },
  { minCompactionBytes: 4_096 },
);
process.stdout.write(`${emu.url}\n`);
