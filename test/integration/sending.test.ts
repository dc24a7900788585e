/**
 * Sending waves through `npm start` child stacks whose SES stand-in lives in this test process, so
 * its outbox outlives a `kill -9` of the stack and a proxy in front of it can throttle or refuse
 * calls: every selected contact gets exactly one email, whatever crashes or throttling happen, and
 * never faster than the configured rate.
 */

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertPortFree, loopback } from '../../local/ports.ts';
import { type SesStandIn, startSes } from '../../local/ses.ts';
import { contactIdFor } from '../../shared/ids.ts';
import { type ChildStack, freePorts, startChildStack } from './setup/child-stack.ts';
import { api, type OutboxEmail, waveInvitations } from './setup/helpers.ts';

const adminKey = 'npsw_sending_test_key';
/** What the SES stand-in's GetAccount answers; a stack may cap it lower with SES_MAX_SEND_RATE. */
const accountRate = 200;

interface WaveView {
  id: string;
  status: 'sending' | 'open' | 'closed';
  counts: Record<string, number>;
}

let ses: SesStandIn;
const dirs: string[] = [];
const children: ChildStack[] = [];

beforeAll(async () => {
  ses = await startSes({ port: 0, maxSendRate: accountRate });
});

afterAll(async () => {
  for (const child of children) await child.stop('SIGTERM');
  await ses?.stop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A data folder that survives a restart, on a RAM-backed file system where there is one: DynamoDB
 * Local's writes to its file are then about twice as fast as on this machine's disk.
 */
async function dataDir(): Promise<string> {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const dir = await mkdtemp(join(base, 'npswave-sending-'));
  dirs.push(dir);
  return dir;
}

async function start(env: Record<string, string>): Promise<ChildStack> {
  const child = await startChildStack(env, 90_000);
  children.push(child);
  return child;
}

/** The outbox's emails to one domain (`since`: epoch seconds, to keep the answer small). */
async function outboxOf(domain: string, since = 0): Promise<OutboxEmail[]> {
  const response = await fetch(`${ses.url}/store?since=${Math.floor(since)}`);
  if (!response.ok) throw new Error(`outbox answered ${response.status}`);
  const { emails } = (await response.json()) as { emails: OutboxEmail[] };
  return emails.filter((e) => e.destination.to.some((to) => to.toLowerCase().endsWith(`@${domain}`)));
}

/** Emails per recipient. */
function perRecipient(emails: OutboxEmail[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const email of emails) {
    for (const to of email.destination.to)
      counts.set(to.toLowerCase(), (counts.get(to.toLowerCase()) ?? 0) + 1);
  }
  return counts;
}

const addresses = (domain: string, n: number) =>
  Array.from({ length: n }, (_, i) => `p${String(i).padStart(5, '0')}@${domain}`);

/** Contacts in batches of 1,000, a published survey whose audience is the domain, and a wave. */
async function startWave(
  base: string,
  domain: string,
  emails: string[],
): Promise<{ surveyId: string; waveId: string }> {
  const key = adminKey;
  for (let i = 0; i < emails.length; i += 1000) {
    const batch = emails.slice(i, i + 1000).map((email) => ({ email }));
    const answer = await api<{ created: number; errors: unknown[] }>('/api/contacts', {
      baseUrl: base,
      key,
      body: { contacts: batch },
    });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ created: batch.length, errors: [] });
  }
  const survey = await api<{ id: string }>('/api/surveys', {
    baseUrl: base,
    key,
    body: {
      kind: 'nps',
      name: `sending ${domain}`,
      companyName: 'Acme',
      audience: { where: [{ field: 'email', endsWith: `@${domain}` }] },
    },
  });
  expect(survey.status).toBe(201);
  const surveyId = survey.json.id;
  expect((await api(`/api/surveys/${surveyId}/publish`, { baseUrl: base, key, method: 'POST' })).status).toBe(
    200,
  );
  const wave = await api<{ waveId: string }>(`/api/surveys/${surveyId}/waves`, {
    baseUrl: base,
    key,
    method: 'POST',
  });
  expect(wave.status).toBe(202);
  return { surveyId, waveId: wave.json.waveId };
}

async function getWave(base: string, waveId: string): Promise<WaveView> {
  const answer = await api<WaveView>(`/api/waves/${waveId}`, { baseUrl: base, key: adminKey });
  if (answer.status !== 200) throw new Error(`GET /api/waves/${waveId} answered ${answer.status}`);
  return answer.json;
}

/** Polls the wave until it leaves `sending` (bounded). */
async function waitUntilSent(base: string, waveId: string, withinMs: number): Promise<WaveView> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const wave = await getWave(base, waveId);
    if (wave.status !== 'sending') return wave;
    if (Date.now() > deadline) {
      throw new Error(`wave ${waveId} still sending after ${withinMs} ms: ${JSON.stringify(wave.counts)}`);
    }
    await sleep(500);
  }
}

/** Waits until a port can be bound again (the killed stack's DynamoDB Local has let go of it). */
async function waitForFreePort(port: number, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      await assertPortFree(port, 'port');
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(200);
    }
  }
}

/** The wave's invitations as stored, straight from the stack's DynamoDB Local. */
function invitationsOf(dynamoUrl: string, waveId: string): Promise<Record<string, unknown>[]> {
  return waveInvitations(waveId, dynamoUrl);
}

/**
 * Each email is counted in the whole second SES took it (`at`); the send path's token bucket holds
 * `rate` per second with a burst of one token. So no run of k whole seconds may hold more than
 * rate·k + burst emails; one more is allowed for the jitter between a token and SES's clock.
 */
function assertPaced(emails: OutboxEmail[], rate: number, burst = 1): void {
  const perSecond = new Map<number, number>();
  for (const email of emails) perSecond.set(email.at, (perSecond.get(email.at) ?? 0) + 1);
  const first = Math.min(...perSecond.keys());
  const last = Math.max(...perSecond.keys());
  const series = Array.from({ length: last - first + 1 }, (_, i) => perSecond.get(first + i) ?? 0);
  const most = (k: number) => rate * k + burst + 1;
  expect(Math.max(...series), `emails per second: ${series.join(' ')}`).toBeLessThanOrEqual(most(1));
  for (let k = 2; k <= series.length; k++) {
    for (let i = 0; i + k <= series.length; i++) {
      const sum = series.slice(i, i + k).reduce((a, b) => a + b, 0);
      expect(sum, `${k} s from second ${i}: ${series.join(' ')}`).toBeLessThanOrEqual(most(k));
    }
  }
  // The wave took at least as long as the rate demands.
  expect(series.length).toBeGreaterThanOrEqual(Math.floor((emails.length - burst) / rate));
}

/**
 * What the proxy does with one SendEmail call: pass it on; answer it itself (throttled, or refused
 * for good); or hold the caller's request open forever, after passing it on (SES took the email, the
 * stack never hears so) or without (the stack dies before SES gets it).
 */
type Verdict = 'forward' | 'throttle' | 'reject' | 'accept-and-hold' | 'drop-and-hold';

/** A proxy in front of the SES stand-in; GetAccount, the outbox and the rest pass unchanged. */
class SesProxy {
  readonly calls: { n: number; to: string; verdict: Verdict; at: number }[] = [];
  decide: (n: number, to: string) => Verdict = () => 'forward';
  private readonly held: ServerResponse[] = [];
  private server: Server | undefined;
  url = '';

  constructor(private readonly upstream: string) {}

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(502);
        res.end(String(err));
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, loopback, resolve));
    const address = server.address();
    this.url = `http://${loopback}:${typeof address === 'object' && address ? address.port : 0}`;
  }

  get heldCount(): number {
    return this.held.length;
  }

  /** Drops the held requests' connections (their caller is gone by then). */
  releaseHeld(): void {
    for (const res of this.held.splice(0)) res.destroy();
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.releaseHeld();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== '/v2/email/outbound-emails') {
      await this.forward(req, body, res);
      return;
    }
    const to = String(
      (JSON.parse(body.toString('utf8')) as { Destination?: { ToAddresses?: string[] } }).Destination
        ?.ToAddresses?.[0] ?? '',
    ).toLowerCase();
    const n = this.calls.length + 1;
    const verdict = this.decide(n, to);
    this.calls.push({ n, to, verdict, at: Date.now() });
    if (verdict === 'throttle') {
      res.writeHead(429, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'TooManyRequestsException',
      });
      res.end(JSON.stringify({ message: 'Maximum sending rate exceeded.' }));
    } else if (verdict === 'reject') {
      res.writeHead(400, { 'content-type': 'application/json', 'x-amzn-errortype': 'MessageRejected' });
      res.end(JSON.stringify({ message: 'Email address is on the account-level suppression list.' }));
    } else if (verdict === 'accept-and-hold') {
      await this.forward(req, body, undefined);
      this.held.push(res);
    } else if (verdict === 'drop-and-hold') {
      this.held.push(res);
    } else {
      await this.forward(req, body, res);
    }
  }

  /** Passes a request upstream; the answer goes back to `res`, or nowhere. */
  private forward(req: IncomingMessage, body: Buffer, res: ServerResponse | undefined): Promise<void> {
    const target = new URL(req.url ?? '/', this.upstream);
    return new Promise((resolve, reject) => {
      const upstream = request(
        target,
        { method: req.method, headers: { ...req.headers, host: target.host } },
        (answer) => {
          if (res) {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          } else {
            answer.resume();
          }
          answer.once('end', resolve);
          answer.once('error', reject);
        },
      );
      upstream.once('error', reject);
      upstream.end(body);
    });
  }
}

describe('a wave survives kill -9 of the stack mid-wave', () => {
  let proxy: SesProxy;
  beforeAll(async () => {
    proxy = new SesProxy(ses.url);
    await proxy.start();
  });
  afterAll(async () => {
    await proxy?.stop();
  });

  it('emails each of 2,000 contacts exactly once after a SIGKILL and a restart', {
    timeout: 300_000,
  }, async () => {
    const domain = `crash-${Date.now()}.test`;
    const emails = addresses(domain, 2000);
    const env = {
      ...(await freePorts()),
      NPSWAVE_DATA_DIR: await dataDir(),
      NPSWAVE_SES_URL: proxy.url,
      NPSWAVE_ADMIN_KEY: adminKey,
      NPSWAVE_DEMO: '0',
    };
    const since = Math.floor(Date.now() / 1000) - 1;
    const first = await start(env);
    const { waveId } = await startWave(first.url, domain, emails);

    // Once SES has taken some of the wave, the next SendEmail calls hang: every other one reaches
    // SES (the stack dies before it hears back), the others never do (it dies before SES gets them).
    const holdDeadline = Date.now() + 150_000;
    // (Counted at the proxy: polling the outbox, with every email's body, would load this process.)
    while (proxy.calls.filter((c) => c.verdict === 'forward').length < 200) {
      if (Date.now() > holdDeadline) throw new Error('fewer than 200 emails within 150 s');
      await sleep(20);
    }
    let holding = 0;
    proxy.decide = () => (holding++ % 2 === 0 ? 'accept-and-hold' : 'drop-and-hold');
    // Every send in flight (16 or more, as the account's rate asks: ses-rate.ts's inFlightFor; fewer if
    // the page ends first) comes to hang here: wait until no more arrive.
    let lastChange = Date.now();
    let seen = 0;
    while (proxy.heldCount < 2 || Date.now() - lastChange < 2000) {
      if (Date.now() > holdDeadline) throw new Error(`only ${proxy.heldCount} sends in flight`);
      if (proxy.heldCount !== seen) {
        seen = proxy.heldCount;
        lastChange = Date.now();
      }
      await sleep(20);
    }
    const acceptedHeld = proxy.calls.filter((c) => c.verdict === 'accept-and-hold').map((c) => c.to);
    const droppedHeld = proxy.calls.filter((c) => c.verdict === 'drop-and-hold').map((c) => c.to);
    expect(await first.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    const killedAt = Date.now();
    proxy.releaseHeld();
    proxy.decide = () => 'forward';
    // DynamoDB Local dies with it (its watchdog sees the pipe close), freeing the port for the restart.
    await waitForFreePort(Number(env.NPSWAVE_DYNAMODB_PORT), 30_000);
    const atKill = await outboxOf(domain, since);
    expect(atKill.length).toBeGreaterThanOrEqual(200 + acceptedHeld.length);
    expect(atKill.length).toBeLessThan(2000);
    expect(perRecipient(atKill).size).toBe(atKill.length);

    const second = await start(env);
    // The kill left claims: those SES took (its Send event marks them, even across the restart)
    // and those it never saw (resent once stale).
    let claims: Record<string, unknown>[] = [];
    const feedDeadline = Date.now() + 15_000;
    for (;;) {
      claims = (await invitationsOf(second.dynamoUrl, waveId)).filter((inv) => inv.status === 'sending');
      if (
        claims.filter((inv) => inv.sesAcceptedAt).length >= acceptedHeld.length ||
        Date.now() > feedDeadline
      )
        break;
      await sleep(250);
    }
    const emailOf = (inv: Record<string, unknown>) =>
      emails.find((e) => contactIdFor(e) === inv.contactId) as string;
    expect(claims.map(emailOf).sort()).toEqual([...acceptedHeld, ...droppedHeld].sort());
    expect(
      claims
        .filter((inv) => inv.sesAcceptedAt)
        .map(emailOf)
        .sort(),
    ).toEqual([...acceptedHeld].sort());

    const wave = await waitUntilSent(second.url, waveId, 240_000);
    expect(wave.status).toBe('open');

    const sent = await outboxOf(domain, since);
    const counts = perRecipient(sent);
    const missing = emails.filter((e) => !counts.has(e));
    const doubles = [...counts].filter(([, n]) => n > 1);
    expect({ missing: missing.slice(0, 5), doubles: doubles.slice(0, 5) }).toEqual({
      missing: [],
      doubles: [],
    });
    expect(counts.size).toBe(2000);
    expect(sent).toHaveLength(2000);
    // The restarted stack sent the rest, including those SES never got.
    const after = new Set(sent.filter((e) => e.at * 1000 >= killedAt - 1000).map((e) => e.destination.to[0]));
    for (const to of droppedHeld) expect(after.has(to)).toBe(true);
    expect(wave.counts).toMatchObject({ selected: 2000, sent: 2000, failed: 0, suppressed: 0 });

    const invitations = await invitationsOf(second.dynamoUrl, waveId);
    expect(invitations).toHaveLength(2000);
    expect(invitations.filter((inv) => inv.status !== 'sent').map((inv) => inv.status)).toEqual([]);
  });
});

describe('sending through an SES that throttles and refuses', () => {
  /**
   * The paced stack's cap below the account's 200/s (SES_MAX_SEND_RATE): low enough that the send
   * path alone (~30 emails/s on a 2-core machine) is faster, so that the pacing is what is measured.
   * The throttled stack sends at the account's rate, so that throttling is all that slows it.
   */
  const rate = 10;
  let proxy: SesProxy;
  let paced: ChildStack;
  let fast: ChildStack;

  beforeAll(async () => {
    proxy = new SesProxy(ses.url);
    await proxy.start();
    const stackEnv = async (more: Record<string, string> = {}) => ({
      ...(await freePorts()),
      NPSWAVE_DATA_DIR: await dataDir(),
      NPSWAVE_SES_URL: proxy.url,
      NPSWAVE_ADMIN_KEY: adminKey,
      NPSWAVE_DEMO: '0',
      ...more,
    });
    [paced, fast] = await Promise.all([
      start(await stackEnv({ SES_MAX_SEND_RATE: String(rate) })),
      start(await stackEnv()),
    ]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([paced?.stop('SIGTERM'), fast?.stop('SIGTERM')]);
    await proxy?.stop();
  });

  it('paces at the configured rate and marks a permanently refused recipient failed', {
    timeout: 120_000,
  }, async () => {
    const domain = `paced-${Date.now()}.test`;
    const emails = addresses(domain, 100);
    const refused = emails[57] as string;
    proxy.decide = (_n, to) => (to === refused ? 'reject' : 'forward');
    const since = Math.floor(Date.now() / 1000) - 1;
    const { waveId } = await startWave(paced.url, domain, emails);
    const wave = await waitUntilSent(paced.url, waveId, 90_000);
    expect(wave.status).toBe('open');
    expect(wave.counts).toMatchObject({ selected: 100, sent: 99, failed: 1 });

    const sent = await outboxOf(domain, since);
    const counts = perRecipient(sent);
    expect(counts.has(refused)).toBe(false);
    expect(emails.filter((e) => e !== refused && counts.get(e) !== 1)).toEqual([]);
    expect(sent).toHaveLength(99);
    // SES was asked once for the refused address: a permanent refusal is not retried.
    expect(proxy.calls.filter((c) => c.to === refused)).toHaveLength(1);

    const invitations = await invitationsOf(paced.dynamoUrl, waveId);
    const failed = invitations.filter((inv) => inv.status === 'failed');
    expect(failed).toHaveLength(1);
    expect(String(failed[0]?.failureReason)).toContain('MessageRejected');
    expect(String(failed[0]?.failureReason)).toContain('suppression list');

    assertPaced(sent, rate);
  });

  it('emails every contact exactly once when SES throttles every third call and in bursts', {
    timeout: 120_000,
  }, async () => {
    const domain = `throttled-${Date.now()}.test`;
    const emails = addresses(domain, 150);
    const start = proxy.calls.length;
    proxy.decide = (n) => {
      const i = n - start;
      return i % 3 === 0 || (i >= 20 && i < 32) || (i >= 120 && i < 130) ? 'throttle' : 'forward';
    };
    const since = Math.floor(Date.now() / 1000) - 1;
    const { waveId } = await startWave(fast.url, domain, emails);
    const wave = await waitUntilSent(fast.url, waveId, 100_000);
    expect(wave.status).toBe('open');
    expect(wave.counts).toMatchObject({ selected: 150, sent: 150, failed: 0 });

    const mine = proxy.calls.slice(start);
    expect(mine.filter((c) => c.verdict === 'throttle').length).toBeGreaterThan(75);
    const counts = perRecipient(await outboxOf(domain, since));
    expect(emails.filter((e) => counts.get(e) !== 1)).toEqual([]);
    expect(counts.size).toBe(150);
    // Each recipient was forwarded exactly once, however often it was throttled first.
    const forwarded = perRecipient(
      mine
        .filter((c) => c.verdict === 'forward')
        .map((c) => ({ destination: { to: [c.to] } }) as unknown as OutboxEmail),
    );
    expect([...forwarded.values()].every((n) => n === 1)).toBe(true);
    expect(forwarded.size).toBe(150);

    const invitations = await invitationsOf(fast.dynamoUrl, waveId);
    expect(invitations.filter((inv) => inv.status !== 'sent')).toEqual([]);
  });
});
