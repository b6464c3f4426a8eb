/**
 * A URL that is not StemeDB is a config error, not an outage (issue 21): a 404 on every path
 * (a wrong host or path prefix), or a 200 whose body is HTML (a captive portal). The run fails
 * with NotStemeDbError naming the URL (the CLI's exit 2), and nothing is spooled. 0.1 took both
 * for an outage: exit 0, everything spooled.
 */

import { readdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeOf } from '../../src/cli/io.js';
import { createHostedConfig } from '../../src/config.js';
import { NotStemeDbError, persistScan } from '../../src/index.js';
import { cleanupDirs, makeScan, tempDir } from '../support/persist.js';

const KEY = `steme_live_${'ab'.repeat(24)}`;
let server: Server;
let answer: { status: number; type: string; body: string };
let url: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(answer.status, { 'content-type': answer.type });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(cleanupDirs);
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('a URL that is not StemeDB', () => {
  const cases = [
    { name: '404 on every path', status: 404, type: 'text/plain', body: '404 page not found' },
    {
      name: 'a captive portal: 200 with HTML',
      status: 200,
      type: 'text/html',
      body: '<!doctype html><html><body>Sign in to the Wi-Fi</body></html>',
    },
  ];
  it.each(cases)('$name: NotStemeDbError naming the URL (exit 2), nothing spooled', async (c) => {
    answer = c;
    const dir = await tempDir();
    const config = createHostedConfig({ url, apiKey: KEY, spoolDir: join(dir, 'spool') });
    const error = await persistScan(makeScan(20, 'portal'), { config, onWarning: () => {} }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NotStemeDbError);
    expect((error as Error).message).toContain(url);
    expect((error as Error).message).not.toContain(KEY);
    expect(exitCodeOf(error)).toBe(2);
    expect((await readdir(config.spoolDir)).filter((n) => !n.endsWith('.lock'))).toEqual([]);
  });
});
