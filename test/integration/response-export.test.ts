/**
 * Listing and exporting a survey's answers with a bounded read per request, whatever the data:
 * waves of thousands of invitations that nobody answered cost a JSON page nothing, and a CSV export
 * larger than one part leaves in parts (each under its byte limit) that concatenate to exactly the
 * answers given, each once. The answers are written as the product leaves them; the expected rows
 * come from the test's own model of them, not from reading the table back. Runs against its own
 * in-memory DynamoDB Local, with the modules in this process (so requests can be counted).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { surveyPageRoutes } from '../../functions/api/dashboard/surveys.ts';
import { scoreRoutes } from '../../functions/api/scores.ts';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb.ts';
import { ensureTables } from '../../local/dynamodb-tables.ts';
import { applyEnvironment, fakeCredentials, handlerEnvironment, localRegion } from '../../local/env.ts';
import { freePort } from '../../local/ports.ts';
import { dynamo, resetClients } from '../../shared/aws/clients.ts';
import { resetConfigCache, tableName } from '../../shared/config.ts';
import { parseCsv } from '../../shared/contact/csv.ts';
import type { HttpEvent, HttpResult } from '../../shared/http.ts';
import { newId, newWaveSecret, randomToken } from '../../shared/ids.ts';
import type { Invitation } from '../../shared/invitation/schema.ts';
import { csvColumns, responsesCsvPart } from '../../shared/response/export.ts';
import { listResponses, type ResponseView, readAnswers } from '../../shared/response/list.ts';
import { segmentOf } from '../../shared/scoring.ts';
import { newSurvey } from '../../shared/survey/lifecycle.ts';
import type { Survey } from '../../shared/survey/schema.ts';
import { putNewSurvey } from '../../shared/survey/store.ts';
import { zeroCounts } from '../../shared/wave/schema.ts';
import { putNewWave } from '../../shared/wave/store.ts';

let db: DynamoDbLocal;
/** DynamoDB requests sent since the last reset, by command. */
const sent: string[] = [];

beforeAll(async () => {
  db = await startDynamoDbLocal({ port: await freePort(), dbPath: '', inMemory: true });
  const nowhere = 'http://127.0.0.1:9';
  applyEnvironment(
    handlerEnvironment({
      gatewayUrl: nowhere,
      dynamoUrl: db.url,
      sesUrl: nowhere,
      controlUrl: nowhere,
      adminKeyHash: '0'.repeat(64),
    }),
  );
  resetConfigCache();
  resetClients();
  const client = new DynamoDBClient({ endpoint: db.url, region: localRegion, credentials: fakeCredentials });
  await ensureTables(client);
  client.destroy();
  dynamo().middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
}, 120_000);

afterAll(async () => {
  delete process.env.NPSWAVE_EXPORT_PART_BYTES;
  await db?.stop();
});

beforeEach(() => {
  sent.length = 0;
});

async function writeAll(items: object[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    let requests: unknown[] = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (requests.length > 0) {
      const result = await dynamo().send(
        new BatchWriteCommand({ RequestItems: { [tableName('invitations')]: requests as never } }),
      );
      requests = result.UnprocessedItems?.[tableName('invitations')] ?? [];
    }
  }
}

async function createSurvey(name: string): Promise<Survey> {
  const survey = newSurvey({ kind: 'nps', name }, new Date().toISOString());
  await putNewSurvey(survey);
  return survey;
}

/** A wave item, so that readers that walk the waves find them (the listing before this one did). */
async function createWaves(survey: Survey, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => newId('w'));
  for (const [i, id] of ids.entries()) {
    await putNewWave({
      id,
      surveyId: survey.id,
      status: 'open',
      phase: 'sent',
      trigger: 'api',
      startedAt: new Date(Date.UTC(2025, 0, 1, i)).toISOString(),
      closesAt: '2099-01-01T00:00:00.000Z',
      counts: zeroCounts(),
      secret: newWaveSecret(),
    });
  }
  return ids;
}

interface ModelAnswer {
  waveId: string;
  contactId: string;
  score: number;
  comment?: string;
  respondedAt: string;
  firstRespondedAt: string;
  version: number;
  anonymous?: boolean;
}

const invitationOf = (survey: Survey, waveId: string, contactId: string): Invitation => ({
  token: randomToken(survey.id),
  surveyId: survey.id,
  waveId,
  contactId,
  kind: survey.kind,
  scale: survey.scale,
  status: 'sent',
  createdAt: '2025-01-01T00:00:00.000Z',
  closesAt: '2099-01-01T00:00:00.000Z',
});

const answered = (survey: Survey, a: ModelAnswer): Invitation => ({
  ...invitationOf(survey, a.waveId, a.contactId),
  status: 'responded',
  score: a.score,
  ...(a.comment !== undefined && { comment: a.comment }),
  respondedAt: a.respondedAt,
  firstRespondedAt: a.firstRespondedAt,
  responseVersion: a.version,
  ...(a.anonymous && { anonymous: true }),
});

/** What the API must show of a model answer (the independent oracle). */
const expectedView = (survey: Survey, a: ModelAnswer): ResponseView => ({
  waveId: a.waveId,
  ...(!a.anonymous && { contactId: a.contactId }),
  score: a.score,
  segment: segmentOf(survey.kind, survey.scale, a.score),
  ...(a.comment !== undefined && { comment: a.comment }),
  respondedAt: a.respondedAt,
  firstRespondedAt: a.firstRespondedAt,
});

const byTime = (a: { respondedAt: string; waveId: string }, b: typeof a) =>
  a.respondedAt.localeCompare(b.respondedAt);
const sortViews = (views: ResponseView[]) =>
  [...views].sort((a, b) => byTime(a, b) || JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe('a JSON page of answers', () => {
  let survey: Survey;
  const model: ModelAnswer[] = [];

  beforeAll(async () => {
    // Three waves of 1,500 invitations each; seven answers among them, the rest never answered.
    survey = await createSurvey('many invitations, few answers');
    const waves = await createWaves(survey, 3);
    const items: Invitation[] = [];
    for (const [w, waveId] of waves.entries()) {
      for (let c = 0; c < 1500; c++)
        items.push(invitationOf(survey, waveId, `c_w${w}n${String(c).padStart(4, '0')}`));
    }
    for (let i = 0; i < 7; i++) {
      const at = new Date(Date.UTC(2025, 0, 2, 10, i)).toISOString();
      model.push({
        waveId: waves[i % 3] as string,
        contactId: `c_w${i % 3}n${String(1400 + i).padStart(4, '0')}`,
        score: i + 3,
        respondedAt: at,
        firstRespondedAt: at,
        version: 1,
      });
    }
    await writeAll([...items, ...model.map((a) => answered(survey, a))]);
  }, 120_000);

  it('costs a bounded number of DynamoDB requests, whatever the unanswered invitations', async () => {
    const page = await listResponses(survey, undefined);
    // One query of the answers; before, every invitation of every wave was read (45+ requests).
    expect(sent.length).toBeLessThanOrEqual(3);
    expect(page.cursor).toBeUndefined();
    expect(sortViews(page.responses)).toEqual(sortViews(model.map((a) => expectedView(survey, a))));
  });

  it('hands out pages of the page size with a cursor that leads through every answer once', async () => {
    const all: ResponseView[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      sent.length = 0;
      const page = await listResponses(survey, cursor, 3);
      expect(sent.length).toBeLessThanOrEqual(3);
      expect(page.responses.length).toBeLessThanOrEqual(3);
      all.push(...page.responses);
      cursor = page.cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBeLessThanOrEqual(4);
    expect(all).toEqual(sortViews(model.map((a) => expectedView(survey, a))));
  });

  it('refuses a cursor it did not give out', async () => {
    await expect(listResponses(survey, 'bm90IG91cnM')).rejects.toMatchObject({ status: 400 });
  });
});

describe('the CSV export', () => {
  let survey: Survey;
  const model: ModelAnswer[] = [];
  const comments = [
    undefined,
    'Short.',
    'With "quotes", a comma\nand a line break',
    '=HYPERLINK("http://evil")',
    '很好用，但是价格有点高。',
    'x'.repeat(600),
  ];

  beforeAll(async () => {
    survey = await createSurvey('export in parts');
    const waves = await createWaves(survey, 2);
    const base = Date.UTC(2025, 2, 1);
    for (let i = 0; i < 240; i++) {
      // 40 answers share one millisecond (ties across part boundaries); a fifth were edited.
      const at = new Date(i >= 100 && i < 140 ? base + 100_000 : base + i * 1000).toISOString();
      const edited = i % 5 === 0;
      model.push({
        waveId: waves[i % 2] as string,
        contactId: i % 7 === 0 ? `anon_${i}` : `c_${String(i).padStart(5, '0')}`,
        score: i % 11,
        ...(comments[i % comments.length] !== undefined && { comment: comments[i % comments.length] }),
        respondedAt: at,
        firstRespondedAt: edited ? new Date(base - 86_400_000 + i).toISOString() : at,
        version: edited ? 2 : 1,
        ...(i % 7 === 0 && { anonymous: true }),
      });
    }
    // Unanswered invitations beside them cost nothing and show nowhere.
    const unanswered = Array.from({ length: 300 }, (_, c) =>
      invitationOf(survey, waves[0] as string, `c_x${c}`),
    );
    await writeAll([...model.map((a) => answered(survey, a)), ...unanswered]);
  }, 120_000);

  /** The model's answer as the export writes it (formulas neutralised with a leading quote). */
  const expectedRow = (a: ModelAnswer): string[] => {
    const v = expectedView(survey, a);
    return csvColumns.map((c) => {
      const text = v[c] === undefined ? '' : String(v[c]);
      return /^[=+\-@]/.test(text) ? `'${text}` : text;
    });
  };

  it('comes out in bounded parts that concatenate to every answer exactly once', async () => {
    const partBytes = 3000;
    const parts: string[] = [];
    let cursor: string | undefined;
    let rows = 0;
    do {
      sent.length = 0;
      const part = await responsesCsvPart(survey, cursor, { partBytes });
      // Bounded: the part's size as a JSON string (what Lambda answers), and its reads.
      const payload = Buffer.byteLength(JSON.stringify(part.csv)) - 2;
      if (part.rows > 1) expect(payload).toBeLessThanOrEqual(partBytes);
      expect(sent.filter((c) => c === 'QueryCommand').length).toBeLessThanOrEqual(3);
      expect(part.csv.startsWith(csvColumns.join(','))).toBe(parts.length === 0);
      parts.push(part.csv);
      rows += part.rows;
      expect(part.cursor).not.toBe(cursor);
      cursor = part.cursor;
    } while (cursor && parts.length < 500);
    expect(parts.length).toBeGreaterThan(10);
    expect(rows).toBe(model.length);

    const { records, problems } = parseCsv(parts.join(''));
    expect(problems).toEqual([]);
    expect(records[0]?.fields).toEqual([...csvColumns]);
    const got = records.slice(1).map((r) => JSON.stringify(r.fields));
    const want = model.map((a) => JSON.stringify(expectedRow(a)));
    expect(got).toHaveLength(want.length);
    expect(new Set(got).size).toBe(got.length);
    expect([...got].sort()).toEqual([...want].sort());
  });

  it('is one part when it fits, as before', async () => {
    const part = await responsesCsvPart(survey, undefined);
    expect(part.cursor).toBeUndefined();
    expect(part.rows).toBe(model.length);
  });

  it('stops a part at its read budget and moves on from there', async () => {
    // A sink that always has room for ten: only the budget (two query pages) ends the request.
    const taken: ResponseView[] = [];
    const sink = { take: (r: ResponseView) => taken.push(r) > 0, room: () => 10 };
    const next = await readAnswers(survey, undefined, { reads: 2, ms: 60_000 }, sink);
    expect(taken).toHaveLength(20);
    expect(next).toBeDefined();
    expect(sent.filter((c) => c === 'QueryCommand')).toHaveLength(2);
  });

  it("sends the dashboard's reader to the command-line tool when one download cannot hold them", async () => {
    const route = surveyPageRoutes['GET /admin/surveys/{id}/responses.csv'];
    if (!route) throw new Error('no download route');
    const req = {
      event: {
        pathParameters: { id: survey.id },
        queryStringParameters: {},
        headers: {},
      } as unknown as HttpEvent,
      view: {} as never,
      fields: new URLSearchParams(),
    };
    const whole = await route(req);
    expect(whole.statusCode).toBe(200);
    expect(parseCsv(whole.body ?? '').records).toHaveLength(model.length + 1);
    process.env.NPSWAVE_EXPORT_PART_BYTES = '20000';
    try {
      await expect(route(req)).rejects.toMatchObject({
        status: 413,
        message: expect.stringContaining(`npx npswave responses export ${survey.id} > responses.csv`),
      });
    } finally {
      delete process.env.NPSWAVE_EXPORT_PART_BYTES;
    }
  });

  it('serves the parts over the admin API, each naming the next in a Link header', async () => {
    process.env.NPSWAVE_EXPORT_PART_BYTES = '20000';
    const route = scoreRoutes['GET /api/surveys/{id}/responses'];
    if (!route) throw new Error('no responses route');
    const call = (query: Record<string, string>): Promise<HttpResult> =>
      route(
        {
          routeKey: 'GET /api/surveys/{id}/responses',
          rawPath: `/api/surveys/${survey.id}/responses`,
          pathParameters: { id: survey.id },
          queryStringParameters: query,
          headers: {},
        } as unknown as HttpEvent,
        { id: 'k_test' } as never,
      );
    let answer = await call({ format: 'csv' });
    let body = '';
    let total = 0;
    for (let parts = 1; ; parts++) {
      expect(answer.statusCode).toBe(200);
      expect(answer.headers?.['content-type']).toContain('text/csv');
      body += answer.body ?? '';
      total += Number(answer.headers?.['x-npswave-rows']);
      const link = String(answer.headers?.link ?? '');
      if (!link) {
        expect(parts).toBeGreaterThan(2);
        break;
      }
      const match =
        /^<(\/api\/surveys\/[^?]+\/responses\?format=csv&cursor=([A-Za-z0-9_-]+))>; rel="next"$/.exec(link);
      expect(match?.[1]).toContain(survey.id);
      // The cursor is a position, never a token (tokens open someone's answer).
      expect(Buffer.from(match?.[2] ?? '', 'base64url').toString('utf8')).not.toContain(`${survey.id}.`);
      answer = await call({ format: 'csv', cursor: match?.[2] as string });
    }
    expect(total).toBe(model.length);
    expect(parseCsv(body).records).toHaveLength(model.length + 1);
    delete process.env.NPSWAVE_EXPORT_PART_BYTES;
  });
});
