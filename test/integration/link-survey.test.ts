/**
 * Link surveys (`GET`/`POST /l/{surveyId}`; CONTRACT.md "Public pages", shared/response/link.ts):
 * one answer per browser, found again through a cookie that holds the answer's token; a limit on
 * new answers per address and hour; and a link that answers only while enabled and published.
 *
 * The pages are fetched with node:http rather than fetch so that a request can leave from another
 * loopback address (127.0.0.2): the local gateway gives the handler the socket's address as
 * `requestContext.http.sourceIp`, as API Gateway does, and that is the address the limit counts.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:http';
import { GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { applyEnvironment, handlerEnvironment } from '../../local/env.ts';
import { resetClients } from '../../shared/aws/clients.ts';
import { resetConfigCache } from '../../shared/config.ts';
import { linkAnswerDays, linkRateLimitPerHour, linkWaveId } from '../../shared/response/link.ts';
import {
  advanceClock,
  api,
  days,
  documentClient,
  apiOk as ok,
  outbox,
  stack,
  tableName,
} from './setup/helpers.ts';

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
const hourMs = 3_600_000;
const form = 'application/x-www-form-urlencoded';

// ---- Admin side -------------------------------------------------------------------------------

async function createSurvey(body: Record<string, unknown> = {}): Promise<string> {
  return (await ok<{ id: string }>('/api/surveys', { body: { kind: 'nps', name: `Link ${run}`, ...body } }))
    .id;
}

const publish = (id: string) => ok<{ state: string }>(`/api/surveys/${id}/publish`, { method: 'POST' });
const unpublish = (id: string) => ok<{ state: string }>(`/api/surveys/${id}/unpublish`, { method: 'POST' });

/** A published NPS survey with its link enabled. */
async function linkSurvey(body: Record<string, unknown> = {}): Promise<string> {
  const id = await createSurvey({ companyName: 'Acme', link: { enabled: true }, ...body });
  await publish(id);
  return id;
}

interface ResponseView {
  waveId: string;
  contactId?: string;
  score: number;
  comment?: string;
}

interface Score {
  responses: number;
  nps: number;
  promoters: number;
  passives: number;
  detractors: number;
  distribution: Record<string, number>;
}

/** The survey's score once every recorded answer has reached the aggregates. */
async function scoreOf(surveyId: string): Promise<Score> {
  await advanceClock(0);
  return ok<Score>(`/api/surveys/${surveyId}/score`);
}

/** The admin API's listing of a survey's answers (one page is enough here). */
async function responsesOf(surveyId: string): Promise<ResponseView[]> {
  const page = await ok<{ responses: ResponseView[]; cursor?: string }>(`/api/surveys/${surveyId}/responses`);
  expect(page.cursor).toBeUndefined();
  return page.responses;
}

interface StoredAnswer {
  token: string;
  surveyId: string;
  waveId: string;
  status: string;
  createdAt: string;
  closesAt: string;
  respondedAt?: string;
  score?: number;
  comment?: string;
  /** 1 for the first answer, +1 per change. */
  responseVersion?: number;
}

/** The invitation behind an answer, read from its table. */
async function stored(token: string): Promise<StoredAnswer | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName('invitations'), Key: { token }, ConsistentRead: true }),
  );
  return Item as StoredAnswer | undefined;
}

/**
 * Every invitation of a survey's link wave, read from the table: one per browser that answered.
 * (Read past the admin API, whose listing leaves link answers out: see "the admin API" below.)
 */
async function linkAnswersOf(surveyId: string): Promise<StoredAnswer[]> {
  const found: StoredAnswer[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new ScanCommand({
        TableName: tableName('invitations'),
        FilterExpression: 'waveId = :w',
        ExpressionAttributeValues: { ':w': linkWaveId(surveyId) },
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    found.push(...((page.Items ?? []) as StoredAnswer[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return found;
}

// ---- Public side: a browser -------------------------------------------------------------------

interface PageAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  setCookies: string[];
}

interface PageRequest {
  method?: 'GET' | 'POST';
  body?: string;
  /** The Cookie header, as a browser would send it. */
  cookie?: string;
  /** The local address the request leaves from (its sourceIp at the gateway). */
  from?: string;
  headers?: Record<string, string>;
}

/** One request to the gateway on a fresh connection (no keep-alive socket to race with). */
function page(path: string, options: PageRequest = {}): Promise<PageAnswer> {
  const base = new URL(stack().url);
  const headers: Record<string, string> = { ...options.headers };
  if (options.cookie !== undefined) headers.cookie = options.cookie;
  if (options.body !== undefined) {
    headers['content-type'] ??= form;
    headers['content-length'] = String(Buffer.byteLength(options.body));
  }
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        path,
        method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
        headers,
        agent: false,
        ...(options.from !== undefined && { localAddress: options.from }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
            setCookies: res.headers['set-cookie'] ?? [],
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

interface SetCookie {
  name: string;
  value: string;
  /** Attribute names in lower case → value (`true` for a flag such as HttpOnly). */
  attributes: Record<string, string | true>;
}

function parseSetCookie(line: string): SetCookie {
  const [pair = '', ...attrs] = line.split(';').map((p) => p.trim());
  const eq = pair.indexOf('=');
  const attributes: Record<string, string | true> = {};
  for (const attr of attrs) {
    const at = attr.indexOf('=');
    if (at < 0) attributes[attr.toLowerCase()] = true;
    else attributes[attr.slice(0, at).toLowerCase()] = attr.slice(at + 1);
  }
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes };
}

/** The cookie a link answer sets, and nothing else: a page sets one cookie or none. */
function answerCookie(answer: PageAnswer, surveyId: string): SetCookie {
  expect(answer.setCookies).toHaveLength(1);
  const cookie = parseSetCookie(answer.setCookies[0] ?? '');
  expect(cookie.name).toBe(`npsw_${surveyId}`);
  return cookie;
}

/** A link answer's token: the survey id and 144 random bits (shared/ids.ts randomToken). */
const linkTokenPattern = (surveyId: string) => new RegExp(`^${surveyId}\\.[A-Za-z0-9_-]{24}$`);

/**
 * A browser at one address with a cookie jar: it keeps what Set-Cookie says (name, value, Path)
 * and sends back what a browser would for the path it asks for.
 */
class Browser {
  private readonly jar = new Map<string, { value: string; path: string }>();

  constructor(
    readonly from = '127.0.0.1',
    readonly headers: Record<string, string> = {},
  ) {}

  /** Sets a cookie by hand, as a tampering visitor can. */
  setCookie(name: string, value: string, path = '/'): void {
    this.jar.set(name, { value, path });
  }

  cookie(name: string): string | undefined {
    return this.jar.get(name)?.value;
  }

  private cookieHeader(path: string): string | undefined {
    const sent = [...this.jar]
      .filter(([, c]) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map(([name, c]) => `${name}=${c.value}`);
    return sent.length > 0 ? sent.join('; ') : undefined;
  }

  private async fetch(path: string, options: PageRequest): Promise<PageAnswer> {
    const cookie = this.cookieHeader(path.split('?')[0] ?? path);
    const answer = await page(path, {
      ...options,
      from: this.from,
      headers: { ...this.headers, ...options.headers },
      ...(cookie !== undefined && { cookie }),
    });
    for (const line of answer.setCookies) {
      const c = parseSetCookie(line);
      const path = typeof c.attributes.path === 'string' ? c.attributes.path : '/';
      this.jar.set(c.name, { value: c.value, path });
    }
    return answer;
  }

  open(surveyId: string, query = ''): Promise<PageAnswer> {
    return this.fetch(`/l/${surveyId}${query}`, {});
  }

  answer(surveyId: string, fields: Record<string, string | number>, headers: Record<string, string> = {}) {
    const body = new URLSearchParams(Object.entries(fields).map(([k, v]) => [k, String(v)])).toString();
    return this.fetch(`/l/${surveyId}`, { method: 'POST', body, headers });
  }
}

/** The score the page shows as chosen (the saved answer, on a return visit), if any. */
const checkedScore = (html: string): number | undefined => {
  const found = /<input type="radio"[^>]*value="(\d+)"[^>]*\schecked/.exec(html)?.[1];
  return found === undefined ? undefined : Number(found);
};

/** An error page: HTML, in the visitor's language, with its status and nothing of the server's insides. */
function expectErrorPage(answer: PageAnswer, status: number, lang: string, title: string): void {
  expect(answer.status).toBe(status);
  expect(answer.headers['content-type']).toContain('text/html');
  expect(answer.text).toContain(`<html lang="${lang}"`);
  expect(answer.text).toContain(title);
  expect(answer.text).not.toMatch(/\bat .+:\d+:\d+|AppError|Exception|node_modules|\.ts\b/);
  expect(answer.setCookies).toEqual([]);
}

// ---- The tests --------------------------------------------------------------------------------

describe('once per browser', () => {
  let surveyId = '';
  const ann = new Browser();
  let annToken = '';

  it('a first answer records one response and sets an HttpOnly, SameSite=Lax cookie for this link only', async () => {
    surveyId = await linkSurvey();
    const opened = await ann.open(surveyId, '?score=9');
    expect(opened.status).toBe(200);
    expect(opened.setCookies).toEqual([]); // opening records nothing and names no one
    expect(checkedScore(opened.text)).toBe(9);
    expect(await linkAnswersOf(surveyId)).toEqual([]);

    const answered = await ann.answer(surveyId, { score: 9, comment: 'Ann first' });
    expect(answered.status).toBe(200);
    expect(answered.text).toContain('Your answer: 9');
    expect(answered.text).toContain(`href="/l/${surveyId}"`);
    const cookie = answerCookie(answered, surveyId);
    expect(cookie.value).toMatch(linkTokenPattern(surveyId));
    // Every attribute, and nothing more (no Domain: the cookie stays on this host). The local stack
    // is plain http without HSTS, so no Secure here; the AWS case is below.
    expect(cookie.attributes).toEqual({
      path: `/l/${surveyId}`,
      // Seconds until the answer closes: a year from now, less the moment the answer took.
      'max-age': expect.stringMatching(/^\d+$/),
      httponly: true,
      samesite: 'Lax',
    });
    expect(linkAnswerDays * 86_400 - Number(cookie.attributes['max-age'])).toBeLessThan(5);
    annToken = cookie.value;

    const answer = await stored(annToken);
    // The cookie lives as long as the answer stays editable: to the second, counted from the answer
    // (a moment after the invitation was created).
    const editableMs = Date.parse(answer?.closesAt ?? '') - Date.parse(answer?.respondedAt ?? '');
    expect(Math.abs(editableMs - Number(cookie.attributes['max-age']) * 1000)).toBeLessThan(1000);
    expect(answer).toMatchObject({
      surveyId,
      waveId: linkWaveId(surveyId),
      status: 'responded',
      score: 9,
      comment: 'Ann first',
      responseVersion: 1,
    });
    expect(await linkAnswersOf(surveyId)).toHaveLength(1);
    expect(await scoreOf(surveyId)).toMatchObject({ responses: 1, promoters: 1, nps: 100 });
  });

  it('the same browser comes back to its answer and changes it in place: still one response, the last edit counts', async () => {
    const back = await ann.open(surveyId);
    expect(back.status).toBe(200);
    expect(checkedScore(back.text)).toBe(9);
    expect(back.text).toContain('Ann first');
    expect(back.text).toContain('You can change it until');

    const edited = await ann.answer(surveyId, { score: 3, comment: 'Ann changed her mind' });
    expect(edited.status).toBe(200);
    expect(edited.text).toContain('Your answer: 3');
    // The same answer under the same token: the code edits it, it neither refuses nor adds one.
    expect(answerCookie(edited, surveyId).value).toBe(annToken);

    // A retried POST of the same answer (a double click, a reload) is answered alike and changes nothing.
    const retried = await ann.answer(surveyId, { score: 3, comment: 'Ann changed her mind' });
    expect(retried.status).toBe(200);
    expect(retried.text).toContain('Your answer: 3');
    expect(answerCookie(retried, surveyId).value).toBe(annToken);

    expect(await stored(annToken)).toMatchObject({
      score: 3,
      comment: 'Ann changed her mind',
      responseVersion: 2,
    });
    expect(await linkAnswersOf(surveyId)).toHaveLength(1);
    const score = await scoreOf(surveyId);
    expect(score).toMatchObject({ responses: 1, promoters: 0, detractors: 1, nps: -100 });
    expect(score.distribution).toMatchObject({ '3': 1, '9': 0 });
    expect(checkedScore((await ann.open(surveyId)).text)).toBe(3);
  });

  it('another browser (no cookie) adds a response of its own and sees nothing of the first one', async () => {
    const bob = new Browser();
    const opened = await bob.open(surveyId);
    expect(opened.status).toBe(200);
    expect(checkedScore(opened.text)).toBeUndefined();
    expect(opened.text).not.toContain('Ann changed her mind');

    const answered = await bob.answer(surveyId, { score: 10 });
    expect(answered.status).toBe(200);
    const bobToken = answerCookie(answered, surveyId).value;
    expect(bobToken).toMatch(linkTokenPattern(surveyId));
    expect(bobToken).not.toBe(annToken);

    expect((await linkAnswersOf(surveyId)).map((a) => a.score).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual([
      3, 10,
    ]);
    expect(await scoreOf(surveyId)).toMatchObject({ responses: 2, promoters: 1, detractors: 1, nps: 0 });
    // Ann's answer is still hers, unchanged.
    expect(await stored(annToken)).toMatchObject({ score: 3, responseVersion: 2 });
    expect(checkedScore((await ann.open(surveyId)).text)).toBe(3);
  });
});

describe('the admin API', () => {
  it('lists link answers among the survey responses, in JSON and in the CSV export', async () => {
    const surveyId = await linkSurvey();
    expect((await new Browser().answer(surveyId, { score: 9, comment: 'Listed please' })).status).toBe(200);
    expect(await scoreOf(surveyId)).toMatchObject({ responses: 1 }); // counted in the score…
    // …so listed too: the responses of a survey are every answer its score counts.
    expect(await responsesOf(surveyId)).toMatchObject([
      { waveId: linkWaveId(surveyId), score: 9, comment: 'Listed please' },
    ]);
    const csv = await api(`/api/surveys/${surveyId}/responses?format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.text.trim().split('\r\n')).toHaveLength(2);
    expect(csv.text).toContain('Listed please');
  });
});

describe('a forged or garbled cookie is not trusted', () => {
  const domain = `link-forged-${run}.test`;
  const eve = `eve@${domain}`;
  let surveyId = '';
  const victim = new Browser();
  let victimToken = '';
  let otherSurveyToken = '';
  let emailToken = '';

  it('sets up: a link answer to protect, one of another survey, and an emailed answer of the same survey', async () => {
    expect((await ok<{ errors: unknown[] }>('/api/contacts', { body: { email: eve } })).errors).toEqual([]);
    surveyId = await linkSurvey({ audience: { where: [{ field: 'email', endsWith: `@${domain}` }] } });
    const otherSurveyId = await linkSurvey();
    otherSurveyToken = answerCookie(
      await new Browser().answer(otherSurveyId, { score: 5 }),
      otherSurveyId,
    ).value;
    victimToken = answerCookie(
      await victim.answer(surveyId, { score: 9, comment: 'victim' }),
      surveyId,
    ).value;

    await ok(`/api/surveys/${surveyId}/waves`, { method: 'POST' });
    await advanceClock(0);
    for (let i = 0; i < 50 && (await outbox({ to: eve })).length === 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    const mail = (await outbox({ to: eve }))[0];
    emailToken = /\/r\/([A-Za-z0-9_.-]+)\?score=/.exec(mail?.body.text ?? '')?.[1] ?? '';
    expect(emailToken.startsWith(`${surveyId}.`)).toBe(true);
    expect((await page(`/r/${emailToken}`, { body: 'score=10&comment=emailed' })).status).toBe(200);
  });

  const forgeries: [string, () => string][] = [
    ['garbage', () => 'not-a-token%00<script>'],
    ['an empty value', () => ''],
    ['a well-formed token nobody was given', () => `${surveyId}.AAAAAAAAAAAAAAAAAAAAAAAA`],
    [
      "the victim's token with one character changed",
      () => `${victimToken.slice(0, -1)}${victimToken.endsWith('A') ? 'B' : 'A'}`,
    ],
    ["the victim's token with trailing junk", () => `${victimToken}x`],
    ['a real link answer of another survey', () => otherSurveyToken],
    ['the token of an emailed invitation of the same survey', () => emailToken],
  ];

  it.each(forgeries)('%s: a new answer of its own, the other answers untouched', async (_label, forged) => {
    const mallory = new Browser();
    const value = forged();
    mallory.setCookie(`npsw_${surveyId}`, value, `/l/${surveyId}`);

    const opened = await mallory.open(surveyId);
    expect(opened.status).toBe(200);
    expect(checkedScore(opened.text)).toBeUndefined();
    expect(opened.text).not.toContain('victim');
    expect(opened.text).not.toContain('emailed');

    const answered = await mallory.answer(surveyId, { score: 0, comment: 'forged' });
    expect(answered.status).toBe(200);
    const token = answerCookie(answered, surveyId).value;
    expect(token).toMatch(linkTokenPattern(surveyId));
    expect([value, victimToken, emailToken, otherSurveyToken]).not.toContain(token);
    expect(await stored(token)).toMatchObject({ waveId: linkWaveId(surveyId), score: 0, responseVersion: 1 });

    expect(await stored(victimToken)).toMatchObject({ score: 9, comment: 'victim', responseVersion: 1 });
    expect(await stored(emailToken)).toMatchObject({ score: 10, comment: 'emailed', responseVersion: 1 });
    expect(await stored(otherSurveyToken)).toMatchObject({ score: 5, responseVersion: 1 });
    expect(checkedScore((await victim.open(surveyId)).text)).toBe(9);
  });

  it('an oversized cookie that looks like one of ours: the page and a new answer, not a 500', async () => {
    const mallory = new Browser();
    // Longer than DynamoDB allows for a key (2,048 bytes), far below any header limit.
    mallory.setCookie(`npsw_${surveyId}`, `${surveyId}.${'A'.repeat(3000)}`, `/l/${surveyId}`);
    const opened = await mallory.open(surveyId);
    expect(opened.status).toBe(200);
    const answered = await mallory.answer(surveyId, { score: 1, comment: 'oversized' });
    expect(answered.status).toBe(200);
    expect(answerCookie(answered, surveyId).value).toMatch(linkTokenPattern(surveyId));
  });

  it('in the end: one response per forgery, and the protected answers counted once each', async () => {
    const answers = await linkAnswersOf(surveyId);
    expect(answers.filter((a) => a.comment === 'forged')).toHaveLength(forgeries.length);
    expect(answers.filter((a) => a.comment === 'victim')).toHaveLength(1);
    const score = await scoreOf(surveyId);
    expect(score.responses).toBe(answers.length + 1); // and the emailed one
    expect(score.distribution).toMatchObject({ '9': 1, '10': 1, '0': forgeries.length });
  });
});

describe('the cookie on AWS (HSTS=1, https)', () => {
  it('also carries Secure', async () => {
    const surveyId = await linkSurvey();
    // The respond handler in this process, on the shared stack's DynamoDB Local, configured as on AWS.
    const info = stack();
    applyEnvironment({
      ...handlerEnvironment({
        gatewayUrl: info.url,
        dynamoUrl: info.dynamoUrl,
        sesUrl: info.sesUrl,
        controlUrl: info.controlUrl,
        adminKeyHash: '0'.repeat(64),
      }),
      HSTS: '1',
    });
    resetConfigCache();
    resetClients();
    const { handler } = await import('../../functions/respond/handler.ts');
    const event = {
      version: '2.0',
      routeKey: 'POST /l/{surveyId}',
      rawPath: `/l/${surveyId}`,
      rawQueryString: '',
      headers: { 'content-type': form, host: 'surveys.example.com', origin: 'https://surveys.example.com' },
      pathParameters: { surveyId },
      requestContext: {
        domainName: 'surveys.example.com',
        http: { method: 'POST', path: `/l/${surveyId}`, sourceIp: '203.0.113.7' },
      },
      body: 'score=8',
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEventV2;
    const result = await handler(event);
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['strict-transport-security']).toBeDefined();
    expect(result.cookies).toHaveLength(1);
    const cookie = parseSetCookie(result.cookies?.[0] ?? '');
    expect(cookie.name).toBe(`npsw_${surveyId}`);
    expect(cookie.attributes).toEqual({
      path: `/l/${surveyId}`,
      'max-age': expect.stringMatching(/^\d+$/),
      httponly: true,
      samesite: 'Lax',
      secure: true,
    });
    expect(linkAnswerDays * 86_400 - Number(cookie.attributes['max-age'])).toBeLessThan(5);
  });
});

describe('when a link answer can no longer be changed', () => {
  let surveyId = '';
  const ann = new Browser();
  let token = '';

  it('the cookie set by a later edit does not outlive the answer it names', async () => {
    surveyId = await linkSurvey();
    token = answerCookie(await ann.answer(surveyId, { score: 9 }), surveyId).value;
    const now = await advanceClock(days(1));
    const edited = await ann.answer(surveyId, { score: 8 });
    expect(edited.status).toBe(200);
    const closesAt = Date.parse((await stored(token))?.closesAt ?? '');
    const maxAge = Number(answerCookie(edited, surveyId).attributes['max-age']);
    // "Link answers stay editable this long (the cookie lives as long)": 364 days left, not 365.
    expect(maxAge).toBeLessThanOrEqual(Math.ceil((closesAt - now.getTime()) / 1000));
  });

  it('a browser whose answer has closed may answer the survey, which is still open, anew', async () => {
    // The answer's year is over (its invitation closed) while the browser still has the cookie, as
    // the previous case allows. Simulated on the invitation: the shared clock is not moved a year.
    const now = await advanceClock(0);
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName('invitations'),
        Key: { token },
        UpdateExpression: 'SET closesAt = :past',
        ExpressionAttributeValues: { ':past': new Date(now.getTime() - 1000).toISOString() },
      }),
    );
    expect((await new Browser().open(surveyId)).status).toBe(200); // the survey is open to all
    const again = await ann.answer(surveyId, { score: 6 });
    expect(again.status).toBe(200);
    expect(answerCookie(again, surveyId).value).not.toBe(token);
    expect(await stored(token)).toMatchObject({ score: 8 });
    expect(await scoreOf(surveyId)).toMatchObject({ responses: 2 });
  });
});

describe(`rate limit: ${linkRateLimitPerHour} new answers per address and hour`, () => {
  let surveyId = '';
  const sv = { 'accept-language': 'sv-SE,sv;q=0.9,en;q=0.5' };
  /** A browser at 127.0.0.1 that answered before the limit was reached. */
  const early = new Browser('127.0.0.1');
  let earlyToken = '';

  it('refuses new answers past the limit from one address with a 429 page in the visitor language, recording none', async () => {
    expect(linkRateLimitPerHour).toBeLessThanOrEqual(100); // or this test would no longer take seconds
    surveyId = await linkSurvey();
    // The limit counts per hour of the stack's clock: start just after an hour begins.
    const now = (await advanceClock(0)).getTime();
    await advanceClock((Math.floor(now / hourMs) * hourMs + hourMs + 1000 - now) / 1000);

    // The first answer alone (it creates the survey's link wave), then the rest at once. Each claims
    // another X-Forwarded-For: the limit must count the connection's address, not a header.
    const first = await early.answer(surveyId, { score: 7 }, { 'x-forwarded-for': '198.51.100.1' });
    expect(first.status).toBe(200);
    earlyToken = answerCookie(first, surveyId).value;
    const extra = 4;
    const rest = await Promise.all(
      Array.from({ length: linkRateLimitPerHour - 1 + extra }, (_, i) =>
        new Browser('127.0.0.1', { ...sv, 'x-forwarded-for': `198.51.100.${i + 2}` }).answer(surveyId, {
          score: 10,
        }),
      ),
    );
    const statuses = rest.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(linkRateLimitPerHour - 1);
    expect(statuses.filter((s) => s === 429)).toHaveLength(extra);

    const refused = rest.find((a) => a.status === 429);
    if (!refused) throw new Error('no refusal');
    expectErrorPage(refused, 429, 'sv', 'För många förfrågningar');
    expect(refused.text).not.toContain('too many answers'); // the log's English message stays in the log
    expectErrorPage(
      await new Browser('127.0.0.1').answer(surveyId, { score: 1 }),
      429,
      'en',
      'Too many requests',
    );

    const answers = await linkAnswersOf(surveyId);
    expect(answers).toHaveLength(linkRateLimitPerHour);
    expect(answers.every((a) => a.status === 'responded')).toBe(true);
    expect(await scoreOf(surveyId)).toMatchObject({ responses: linkRateLimitPerHour });
  });

  it('leaves other addresses, other surveys, and changes to an answer already given alone', async () => {
    expect((await new Browser('127.0.0.2').answer(surveyId, { score: 8 })).status).toBe(200);

    const otherSurvey = await linkSurvey();
    expect((await new Browser('127.0.0.1').answer(otherSurvey, { score: 8 })).status).toBe(200);

    // A change is not a new answer: the limit does not stop a browser that answered before it.
    expect((await early.answer(surveyId, { score: 2 })).status).toBe(200);
    expect(await stored(earlyToken)).toMatchObject({ score: 2, responseVersion: 2 });

    expect(await linkAnswersOf(surveyId)).toHaveLength(linkRateLimitPerHour + 1);
    expect(await scoreOf(surveyId)).toMatchObject({ responses: linkRateLimitPerHour + 1 });
  });

  it('lets the address answer again in the next hour', async () => {
    expect((await new Browser('127.0.0.1').answer(surveyId, { score: 9 })).status).toBe(429);
    await advanceClock(3600);
    expect((await new Browser('127.0.0.1').answer(surveyId, { score: 9 })).status).toBe(200);
    expect(await scoreOf(surveyId)).toMatchObject({ responses: linkRateLimitPerHour + 2 });
  });
});

describe('off unless enabled and published', () => {
  const zh = { 'accept-language': 'zh-CN,zh;q=0.9' };
  /** GET and POST both answer a 404 page, in the visitor's language, and set no cookie. */
  const expectNoLink = async (surveyId: string) => {
    const visitor = new Browser('127.0.0.1', zh);
    expectErrorPage(await visitor.open(surveyId), 404, 'zh-CN', '找不到该链接');
    expectErrorPage(await visitor.answer(surveyId, { score: 9 }), 404, 'zh-CN', '找不到该链接');
  };

  it('a survey without the link (by default, or enabled: false) answers 404 and records nothing', async () => {
    const plain = await createSurvey({ companyName: 'Acme' });
    await publish(plain);
    const disabled = await createSurvey({ companyName: 'Acme', link: { enabled: false } });
    await publish(disabled);
    for (const id of [plain, disabled]) {
      await expectNoLink(id);
      expect(await linkAnswersOf(id)).toEqual([]);
      expect((await ok<{ waves: unknown[] }>(`/api/surveys/${id}/waves`)).waves).toEqual([]);
      expect(await scoreOf(id)).toMatchObject({ responses: 0 });
    }
  });

  it('a draft answers 404 even with the link enabled; so do unknown and malformed ids', async () => {
    const draft = await createSurvey({ companyName: 'Acme', link: { enabled: true } });
    await expectNoLink(draft);
    expect(await linkAnswersOf(draft)).toEqual([]);
    await expectNoLink('s_aaaaaaaaaaaaaaaa');
    expect((await page('/l/not-a-survey')).status).toBe(404);
    expect((await page('/l/..%2F..%2Fetc')).status).toBe(404);
  });

  it('turning the link off stops it at once, and on again resumes it', async () => {
    const id = await linkSurvey();
    const ann = new Browser();
    expect((await ann.answer(id, { score: 9 })).status).toBe(200);
    await ok(`/api/surveys/${id}`, { method: 'PATCH', body: { link: { enabled: false } } });
    await expectNoLink(id);
    expect((await ann.answer(id, { score: 4 })).status).toBe(404);
    const token = ann.cookie(`npsw_${id}`) ?? '';
    expect((await page(`/r/${token}`, {})).status).toBe(404);
    expect((await page(`/r/${token}`, { body: 'score=4' })).status).toBe(404);
    await ok(`/api/surveys/${id}`, { method: 'PATCH', body: { link: { enabled: true } } });
    expect(checkedScore((await ann.open(id)).text)).toBe(9);
    expect(await linkAnswersOf(id)).toMatchObject([{ score: 9 }]);
    expect(await scoreOf(id)).toMatchObject({ responses: 1, promoters: 1 });
  });

  it('after unpublish the link closes at once (410), for new visitors, for changes and through /r/; answers given still count', async () => {
    const id = await linkSurvey();
    const ann = new Browser();
    expect((await ann.answer(id, { score: 9 })).status).toBe(200);
    const token = ann.cookie(`npsw_${id}`) ?? '';
    expect(token).toMatch(linkTokenPattern(id));
    expect((await unpublish(id)).state).toBe('unpublished');
    const visitor = new Browser('127.0.0.1', zh);
    expectErrorPage(await visitor.open(id), 410, 'zh-CN', '本调查已结束');
    expectErrorPage(await visitor.answer(id, { score: 9 }), 410, 'zh-CN', '本调查已结束');
    expect((await ann.open(id)).status).toBe(410);
    expect((await ann.answer(id, { score: 2 })).status).toBe(410);
    // The answer's token, taken from the cookie to the invitation page, is refused too: emailed
    // invitations stay answerable for 14 days after an unpublish, a link answer does not.
    expectErrorPage(await page(`/r/${token}`, { headers: zh }), 410, 'zh-CN', '本调查已结束');
    expectErrorPage(
      await page(`/r/${token}`, { body: 'score=2', headers: zh }),
      410,
      'zh-CN',
      '本调查已结束',
    );
    expect(await linkAnswersOf(id)).toMatchObject([{ score: 9, responseVersion: 1 }]);
    expect(await scoreOf(id)).toMatchObject({ responses: 1, promoters: 1 });

    // Republished, the link answers again, and the browser finds its answer to change.
    await publish(id);
    expect(checkedScore((await ann.open(id)).text)).toBe(9);
    expect((await ann.answer(id, { score: 2 })).status).toBe(200);
    expect(await linkAnswersOf(id)).toMatchObject([{ score: 2, responseVersion: 2 }]);
    expect(await scoreOf(id)).toMatchObject({ responses: 1, detractors: 1 });
  });
});
