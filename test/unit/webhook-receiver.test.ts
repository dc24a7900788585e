/**
 * The local webhook receiver (local/webhook-receiver.ts): what it records, the answers it can be
 * scripted to give (over real HTTP, with a real client's timeout), and the gateway's
 * `/_local/receiver/{name}` mount.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, type GatewayDeps, startGateway } from '../../local/gateway.ts';
import { ReceiverCore, WebhookReceiver } from '../../local/webhook-receiver.ts';

let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await WebhookReceiver.start();
});
afterAll(() => receiver.stop());
afterEach(() => {
  receiver.reset();
  receiver.clear();
});

const post = (path = '/hook', init: { id?: string; body?: string; signal?: AbortSignal } = {}) =>
  fetch(receiver.url(path), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(init.id ? { 'Webhook-Id': init.id } : {}) },
    body: init.body ?? '{"type":"response.created"}',
    ...(init.signal ? { signal: init.signal } : {}),
  });

const statuses = async (n: number, path = '/hook') => {
  const seen: number[] = [];
  for (let i = 0; i < n; i++) seen.push((await post(path)).status);
  return seen;
};

describe('WebhookReceiver', () => {
  it('listens on a free loopback port and records each request as it arrived', async () => {
    expect(receiver.url()).toBe(`http://127.0.0.1:${receiver.port}/hook`);
    const before = Date.now();
    const res = await post('/hook?x=1', { id: 'msg_1', body: '{"a":1}' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
    const [record, ...rest] = receiver.received();
    expect(rest).toEqual([]);
    expect(record).toMatchObject({
      method: 'POST',
      path: '/hook',
      body: '{"a":1}',
      status: 200,
      webhookId: 'msg_1',
      headers: { 'webhook-id': 'msg_1', 'content-type': 'application/json' },
    });
    expect(record?.at).toBeGreaterThanOrEqual(before);
    expect(record?.at).toBeLessThanOrEqual(Date.now());
    expect(record?.truncated).toBeUndefined();
    expect(receiver.received('/other')).toEqual([]);
  });

  it('keeps the first megabyte of a larger body', async () => {
    const res = await post('/big', { body: 'x'.repeat(1024 * 1024 + 10) });
    expect(res.status).toBe(200);
    const [record] = receiver.received('/big');
    expect(record?.body.length).toBe(1024 * 1024);
    expect(record?.truncated).toBe(true);
  });

  it('fails the next N requests on a path, then succeeds; other paths are not affected', async () => {
    receiver.behave('/hook', { fail: 2 });
    expect(await statuses(1, '/other')).toEqual([200]);
    expect(await statuses(4)).toEqual([500, 500, 200, 200]);
    expect(receiver.received('/hook').map((r) => r.status)).toEqual([500, 500, 200, 200]);
    expect(receiver.accepted('/hook')).toHaveLength(2);

    receiver.behave('/hook', { fail: 1, status: 503, okStatus: 204 });
    expect(await statuses(2)).toEqual([503, 204]);
    receiver.behave('/hook', { status: 502 });
    expect(await statuses(3)).toEqual([502, 502, 502]);
  });

  it('answers 429 with Retry-After on its failures only', async () => {
    receiver.behave('/hook', { fail: 1, status: 429, retryAfter: 7, body: 'slow down' });
    const throttled = await post();
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('7');
    expect(await throttled.text()).toBe('slow down');
    const ok = await post();
    expect(ok.status).toBe(200);
    expect(ok.headers.get('retry-after')).toBeNull();

    receiver.behave('/hook', { fail: 1, status: 503, retryAfter: 'Wed, 21 Oct 2026 07:28:00 GMT' });
    expect((await post()).headers.get('retry-after')).toBe('Wed, 21 Oct 2026 07:28:00 GMT');
  });

  it('answers 410 from the moment it is gone until reset', async () => {
    receiver.behave('/hook', { gone: true });
    expect(await statuses(3)).toEqual([410, 410, 410]);
    receiver.reset('/hook');
    expect(await statuses(1)).toEqual([200]);
  });

  it('holds its answer past a client timeout, and notes that the sender gave up', async () => {
    receiver.behave('/hook', { delayMs: 1_000 });
    const started = Date.now();
    const attempt = post('/hook', { id: 'msg_slow', signal: AbortSignal.timeout(100) });
    await expect(attempt).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeLessThan(900);
    const [record] = await receiver.waitFor((r) => r[0]?.abandoned === true, 1_000);
    expect(record).toMatchObject({ status: 200, webhookId: 'msg_slow', abandoned: true });
  });

  it('a held answer still arrives for a patient client', async () => {
    receiver.behave('/hook', { delayMs: 150, fail: 1, status: 503 });
    const started = Date.now();
    expect((await post()).status).toBe(503);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(receiver.received()[0]?.abandoned).toBeUndefined();
  });

  it('closes the socket without an answer when down', async () => {
    receiver.behave('/hook', { down: true });
    await expect(post('/hook', { id: 'msg_down' })).rejects.toThrow('fetch failed');
    expect(receiver.received()).toMatchObject([{ status: 0, webhookId: 'msg_down' }]);
    expect(receiver.accepted()).toEqual([]);
    receiver.reset('/hook');
    expect(await statuses(1)).toEqual([200]);
  });

  it('counts each accepted webhook-id once, as a de-duplicating receiver does', async () => {
    receiver.behave('/hook', { fail: 1 });
    await post('/hook', { id: 'msg_b' }); // 500: not accepted
    await post('/hook', { id: 'msg_a' });
    await post('/hook', { id: 'msg_a' }); // a retry of a delivery already taken
    await post('/hook', { id: 'msg_b' });
    await post('/elsewhere', { id: 'msg_c' });
    expect(receiver.received('/hook')).toHaveLength(4);
    expect(receiver.uniqueIds('/hook')).toEqual(['msg_a', 'msg_b']);
    expect(receiver.uniqueIds()).toEqual(['msg_a', 'msg_b', 'msg_c']);
  });

  it('waitFor resolves once satisfied and otherwise says what arrived', async () => {
    setTimeout(() => void post('/hook', { id: 'msg_late' }), 60);
    const received = await receiver.waitFor((r) => r.some((x) => x.webhookId === 'msg_late'), 2_000);
    expect(received.map((r) => r.webhookId)).toEqual(['msg_late']);

    await expect(receiver.waitFor((r) => r.length > 5, 100)).rejects.toThrow(
      /not satisfied after 100 ms; 1 arrived:\n.* POST \/hook → 200 webhook-id msg_late/,
    );
    receiver.clear();
    await expect(receiver.waitFor((r) => r.length > 0, 50)).rejects.toThrow('nothing arrived');
  });

  it('refuses a behaviour it cannot honour', () => {
    expect(() => receiver.behave('/hook', { fail: -1 })).toThrow('bad receiver behaviour');
    expect(() => receiver.behave('/hook', { status: 99 })).toThrow('bad receiver behaviour');
    expect(() => receiver.behave('/hook', { retryAfter: '1\r\nx: y' })).toThrow('printable ASCII');
    expect(() => receiver.behave('/hook', { fial: 2 } as never)).toThrow('bad receiver behaviour');
  });
});

describe('the gateway mount /_local/receiver/{name}', () => {
  let gateway: Gateway;
  const core = new ReceiverCore();
  const base = () => `http://127.0.0.1:${gateway.port}/_local/receiver`;

  beforeAll(async () => {
    // The receiver routes need nothing of the stack but readiness.
    const deps = { ready: Promise.resolve(), log: () => {}, receiver: core } as unknown as GatewayDeps;
    gateway = await startGateway(deps, 0);
  });
  afterAll(() => gateway.close());

  it('records deliveries, lists them, takes a script, and clears', async () => {
    const first = await fetch(`${base()}/demo`, {
      method: 'POST',
      headers: { 'webhook-id': 'msg_1' },
      body: '{"n":1}',
    });
    expect(first.status).toBe(200);

    const scripted = await fetch(`${base()}/demo/behaviour`, {
      method: 'POST',
      body: JSON.stringify({ fail: 1, status: 429, retryAfter: 30 }),
    });
    expect(scripted.status).toBe(200);
    expect(await scripted.json()).toMatchObject({ behaviour: { fail: 1, status: 429, remaining: 1 } });
    const throttled = await fetch(`${base()}/demo`, { method: 'PUT', body: 'two' });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('30');

    const listed = (await (await fetch(`${base()}/demo`)).json()) as { received: { status: number }[] };
    expect(listed.received.map((r) => r.status)).toEqual([200, 429]);
    expect(listed.received[0]).toMatchObject({ path: '/_local/receiver/demo', webhookId: 'msg_1' });
    expect(core.uniqueIds('/_local/receiver/demo')).toEqual(['msg_1']);

    const bad = await fetch(`${base()}/demo/behaviour`, { method: 'POST', body: '{"fail":"x"}' });
    expect(bad.status).toBe(400);

    expect((await fetch(`${base()}/demo`, { method: 'DELETE' })).status).toBe(204);
    expect(await (await fetch(`${base()}/demo`)).json()).toEqual({ received: [], behaviour: {} });
    expect((await fetch(`${base()}/demo`, { method: 'PATCH', body: '' })).status).toBe(405);
    expect((await fetch(`${base()}/a/b/c`)).status).toBe(404);
  });

  it('refuses posts that web pages make', async () => {
    const fromPages: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of fromPages) {
      const res = await fetch(`${base()}/demo2/behaviour`, {
        method: 'POST',
        headers,
        body: '{"gone":true}',
      });
      expect(res.status).toBe(403);
      const delivery = await fetch(`${base()}/demo2`, { method: 'POST', headers, body: 'x' });
      expect(delivery.status).toBe(403);
    }
    expect(core.received('/_local/receiver/demo2')).toEqual([]);
    expect(core.behaviourOf('/_local/receiver/demo2')).toBeUndefined();
    expect((await fetch(`${base()}/demo2`, { headers: { 'sec-fetch-site': 'none' } })).status).toBe(200);
  });
});
