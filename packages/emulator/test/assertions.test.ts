import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { call } from './support/http.js';

/** The write and read paths: ids, order, filters and cursor paging. */

interface Assertion {
  id: string;
  subject: string;
  predicate: string;
  value: unknown;
  agent_id: string;
  accepted_at: string;
}
interface Page {
  items: Assertion[];
  next_cursor: string | null;
}

let emu: Emulator;
const written: string[] = [];

async function write(subject: string, predicate: string, agent_id: string, value: unknown = true) {
  const res = await call(emu.url, '/v1/assert', {
    method: 'POST',
    key: emu.rootApiKey,
    body: { subject, predicate, value, agent_id },
  });
  expect(res.status).toBe(201);
  const id = (res.json as { id: string }).id;
  written.push(id);
  return id;
}

async function page(query: string): Promise<Page> {
  const res = await call(emu.url, `/v1/assertions?${query}`, { key: emu.rootApiKey });
  expect(res.status).toBe(200);
  return res.json as Page;
}

async function allPages(query: string): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const p: Page = await page(`${query}${cursor ? `&cursor=${cursor}` : ''}`);
    ids.push(...p.items.map((a) => a.id));
    cursor = p.next_cursor;
    pages++;
  } while (cursor !== null);
  return { ids, pages };
}

beforeAll(async () => {
  emu = await startEmulator({ rateLimit: false });
  for (let i = 0; i < 7; i++) {
    await write(
      `repo/${i % 2 === 0 ? 'even' : 'odd'}`,
      i < 4 ? 'finding' : 'status',
      `agent-${i % 3}`,
      { i },
    );
  }
});
afterAll(() => emu?.close());

describe('assertions', () => {
  it('gives every assertion a distinct id', () => {
    expect(new Set(written).size).toBe(written.length);
  });

  it('returns what was written, newest first', async () => {
    const p = await page('');
    expect(p.items.map((a) => a.id)).toEqual([...written].reverse());
    expect(p.items[0]).toMatchObject({
      subject: 'repo/even',
      predicate: 'status',
      value: { i: 6 },
      agent_id: 'agent-0',
    });
    expect(p.next_cursor).toBeNull();
  });

  it.each([
    ['subject=repo%2Feven', (a: Assertion) => a.subject === 'repo/even'],
    ['predicate=status', (a: Assertion) => a.predicate === 'status'],
    ['agent_id=agent-1', (a: Assertion) => a.agent_id === 'agent-1'],
    [
      'subject=repo%2Fodd&predicate=finding',
      (a: Assertion) => a.subject === 'repo/odd' && a.predicate === 'finding',
    ],
    ['subject=nothing', () => false],
  ])('filters exactly by %s', async (query, keep) => {
    const all = (await page('')).items;
    expect((await page(query)).items).toEqual(all.filter(keep));
  });

  it('pages through everything with limit and cursor, in order, without repeats', async () => {
    const { ids, pages } = await allPages('limit=2');
    expect(ids).toEqual([...written].reverse());
    expect(pages).toBe(4);
  });

  it('pages through a filtered set', async () => {
    const { ids } = await allPages('limit=1&subject=repo%2Fodd');
    const odd = (await page('subject=repo%2Fodd')).items.map((a) => a.id);
    expect(ids).toEqual(odd);
  });

  it('gives next_cursor null when the last page is exactly full', async () => {
    const p = await page(`limit=${written.length}`);
    expect(p.items).toHaveLength(written.length);
    expect(p.next_cursor).toBeNull();
  });

  it('keeps a cursor stable when newer assertions arrive', async () => {
    const first = await page('limit=3');
    const newer = await write('repo/new', 'finding', 'agent-9');
    const second = await page(`limit=3&cursor=${first.next_cursor}`);
    expect(second.items.map((a) => a.id)).not.toContain(newer);
    expect(second.items[0]!.id).toBe(written.at(-5));
  });

  it('issues opaque cursors with no readable sequence', async () => {
    const { next_cursor } = await page('limit=1');
    expect(next_cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(next_cursor).not.toMatch(/^\d+$/);
  });
});
