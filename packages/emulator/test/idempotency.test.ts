import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IDEMPOTENCY_TTL_MS } from '../src/idempotency.js';
import { type Emulator, startEmulator } from '../src/index.js';
import { type CallResult, call, networkErrorCode } from './support/http.js';

/** Idempotency-Key, honoured as Stripe does: replay, refusal on reuse, 24 h, per API key. */

let emu: Emulator;
let clock = Date.UTC(2026, 0, 1);
beforeEach(async () => {
  clock = Date.UTC(2026, 0, 1);
  emu = await startEmulator({ rateLimit: false, now: () => clock });
});
afterEach(() => emu.close());

const assertion = (subject: string, value: unknown = 1) => ({
  subject,
  predicate: 'seen',
  value,
  agent_id: 'idem',
});

function write(subject: string, idem?: string, opts: { key?: string; value?: unknown } = {}) {
  return call(emu.url, '/v1/assert', {
    method: 'POST',
    key: opts.key ?? emu.rootApiKey,
    body: assertion(subject, opts.value),
    headers: idem === undefined ? {} : { 'idempotency-key': idem },
  });
}

async function stored(subject: string): Promise<number> {
  const query = `subject=${encodeURIComponent(subject)}&limit=500`;
  const res = await call(emu.url, `/v1/assertions?${query}`, { key: emu.rootApiKey });
  return (res.json as { items: unknown[] }).items.length;
}

const idOf = (res: CallResult) => (res.json as { id: string }).id;

describe('replay', () => {
  it('the same key and request replays the first answer without applying again', async () => {
    const key = randomUUID();
    const first = await write('replay/1', key);
    const again = await write('replay/1', key);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(await stored('replay/1')).toBe(1);
  });

  it('without the header every request applies', async () => {
    await write('plain/1');
    await write('plain/1');
    expect(await stored('plain/1')).toBe(2);
  });

  it('requests() records the key sent', async () => {
    const key = randomUUID();
    await write('record/1', key);
    expect(emu.requests().at(-1)).toMatchObject({ path: '/v1/assert', idempotencyKey: key });
  });

  it('concurrent requests with one key apply once and all get the same answer', async () => {
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 5 }, () => write('together/1', key)));
    expect(new Set(answers.map(idOf)).size).toBe(1);
    expect(await stored('together/1')).toBe(1);
  });

  it('a rotation replayed returns the same new key and rotates once', async () => {
    const admin = (path: string, method: string, headers = {}, body?: unknown) =>
      call(emu.url, path, { method, key: emu.rootApiKey, headers, ...(body ? { body } : {}) });
    const created = await admin(
      '/v1/admin/api-keys',
      'POST',
      {},
      { label: 'rot', role: 'read_agent' },
    );
    const { hash } = created.json as { hash: string };
    const headers = { 'idempotency-key': randomUUID() };
    const first = await admin(`/v1/admin/api-keys/${hash}/rotate`, 'POST', headers);
    const again = await admin(`/v1/admin/api-keys/${hash}/rotate`, 'POST', headers);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    const keys = (await admin('/v1/admin/api-keys', 'GET')).json as { keys: { label: string }[] };
    expect(keys.keys.filter((k) => k.label === 'rot')).toHaveLength(2); // the old one and one new
  });
});

describe('with an answer lost after apply', () => {
  it.each([{ mode: 'reset' as const }, { mode: 502 as const }])(
    'a resend with the same key after a lost answer ($mode) stores nothing twice',
    async ({ mode }) => {
      const key = randomUUID();
      emu.faults.afterApply({ mode, count: 1 });
      const subject = `lost/${mode}`;
      if (mode === 'reset') {
        const sent = fetch(`${emu.url}/v1/assert`, {
          method: 'POST',
          headers: {
            'x-api-key': emu.rootApiKey,
            'content-type': 'application/json',
            'idempotency-key': key,
          },
          body: JSON.stringify(assertion(subject)),
        });
        expect(await networkErrorCode(sent)).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
      } else {
        expect((await write(subject, key)).status).toBe(502);
      }
      const resent = await write(subject, key);
      expect(resent.status).toBe(201);
      expect(resent.headers.get('idempotent-replayed')).toBe('true');
      expect(await stored(subject)).toBe(1);
    },
  );

  it('a fault before apply keeps no answer: the resend applies, once', async () => {
    const key = randomUUID();
    emu.faults.failNext(1, 503);
    expect((await write('before/1', key)).status).toBe(503);
    const resent = await write('before/1', key);
    expect(resent.status).toBe(201);
    expect(resent.headers.get('idempotent-replayed')).toBeNull();
    expect(await stored('before/1')).toBe(1);
  });
});

describe('refusals', () => {
  it('the same key with another body is 400 idempotency_error and applies nothing', async () => {
    const key = randomUUID();
    await write('reuse/1', key, { value: 1 });
    const other = await write('reuse/1', key, { value: 2 });
    expect(other.status).toBe(400);
    expect(other.json).toMatchObject({ error: { code: 'idempotency_error' } });
    expect(await stored('reuse/1')).toBe(1);
  });

  it('the same key on another path is 400 idempotency_error too', async () => {
    const key = randomUUID();
    await write('reuse/2', key);
    const other = await call(emu.url, '/v1/admin/api-keys', {
      method: 'POST',
      key: emu.rootApiKey,
      headers: { 'idempotency-key': key },
      body: { label: 'reuse', role: 'read_agent' },
    });
    expect(other.status).toBe(400);
    expect(other.json).toMatchObject({ error: { code: 'idempotency_error' } });
  });

  it('a refused request (400) keeps no answer: the key may be used again', async () => {
    const key = randomUUID();
    const bad = await call(emu.url, '/v1/assert', {
      method: 'POST',
      key: emu.rootApiKey,
      headers: { 'idempotency-key': key },
      body: { subject: '' },
    });
    expect(bad.json).toMatchObject({ error: { code: 'invalid_request' } });
    expect((await write('fixed/1', key)).status).toBe(201);
    expect(await stored('fixed/1')).toBe(1);
  });

  it('a key over 255 characters is 400 invalid_request', async () => {
    const res = await write('long/1', 'k'.repeat(256));
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { code: 'invalid_request' } });
    expect(await stored('long/1')).toBe(0);
    expect((await write('long/1', 'k'.repeat(255))).status).toBe(201);
  });
});

describe('idempotency: false', () => {
  it('ignores the header, as a server without the feature would', async () => {
    const plain = await startEmulator({ rateLimit: false, idempotency: false });
    try {
      const key = randomUUID();
      const send = () =>
        call(plain.url, '/v1/assert', {
          method: 'POST',
          key: plain.rootApiKey,
          body: assertion('ignored/1'),
          headers: { 'idempotency-key': key },
        });
      expect((await send()).status).toBe(201);
      expect((await send()).headers.get('idempotent-replayed')).toBeNull();
      const list = await call(plain.url, '/v1/assertions?subject=ignored%2F1', {
        key: plain.rootApiKey,
      });
      expect((list.json as { items: unknown[] }).items).toHaveLength(2);
      expect(plain.requests().at(-2)).toMatchObject({ idempotencyKey: key });
    } finally {
      await plain.close();
    }
  });
});

describe('scope and expiry', () => {
  it('is per API key: another key with the same key string applies its own write', async () => {
    const issued = await call(emu.url, '/v1/admin/api-keys', {
      method: 'POST',
      key: emu.rootApiKey,
      body: { label: 'other-writer', role: 'write_agent' },
    });
    const other = (issued.json as { key: string }).key;
    const key = randomUUID();
    const mine = await write('scope/1', key);
    const theirs = await write('scope/1', key, { key: other });
    expect(theirs.status).toBe(201);
    expect(idOf(theirs)).not.toBe(idOf(mine));
    expect(await stored('scope/1')).toBe(2);
  });

  it('is forgotten 24 h after first use, on the emulator clock', async () => {
    const key = randomUUID();
    await write('expiry/1', key);
    clock += IDEMPOTENCY_TTL_MS - 1;
    expect((await write('expiry/1', key)).headers.get('idempotent-replayed')).toBe('true');
    expect(await stored('expiry/1')).toBe(1);
    clock += 1;
    const later = await write('expiry/1', key, { value: 2 }); // another body: no longer a reuse
    expect(later.status).toBe(201);
    expect(later.headers.get('idempotent-replayed')).toBeNull();
    expect(await stored('expiry/1')).toBe(2);
  });

  it('stamps what it stores with the injected clock', async () => {
    const res = await write('clock/1');
    expect((res.json as { accepted_at: string }).accepted_at).toBe(new Date(clock).toISOString());
  });
});
