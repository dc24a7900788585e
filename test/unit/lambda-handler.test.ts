/**
 * The handlers' middleware (shared/lambda/): one time budget read from Lambda's context, the event
 * checked against its schema before the use case, an early stop before Lambda's timeout, and HTTP
 * errors answered by the function's own renderer. Checked on small handlers built here, and on the
 * real handlers where they use the budget (score) or the error mapper (api, respond, sesEvents).
 */
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import * as v from 'valibot';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { handler as apiHandler } from '../../functions/api/handler.ts';
import { handler as respondHandler } from '../../functions/respond/handler.ts';
import { handler as scoreHandler } from '../../functions/score/handler.ts';
import { handler as sesEventsHandler } from '../../functions/ses-events/handler.ts';
import { AppError } from '../../shared/errors.ts';
import { errorToJson, type HttpEvent } from '../../shared/http.ts';
import { httpBudget, jobBudget } from '../../shared/lambda/budget.ts';
import { eventHandler, httpHandler } from '../../shared/lambda/handler.ts';

process.env.INVITATIONS_TABLE = 'invitations';
const ddb = mockClient(DynamoDBDocumentClient);

const remaining = (ms: number) => ({ getRemainingTimeInMillis: () => ms });
const httpEvent = (routeKey: string, headers: Record<string, string> = {}): HttpEvent =>
  ({
    routeKey,
    rawPath: routeKey.split(' ')[1] ?? '/',
    headers,
    requestContext: { http: { method: routeKey.split(' ')[0] ?? 'GET' } },
  }) as unknown as HttpEvent;

afterEach(() => {
  ddb.reset();
  vi.restoreAllMocks();
});

describe('eventHandler', () => {
  const job = v.object({ waveId: v.string() });

  it('hands the use case the parsed event and one deadline, kept a margin before the timeout', async () => {
    const seen: unknown[] = [];
    const handler = eventHandler({ name: 'test', event: job }, async (event, context) => {
      seen.push(event, context.deadline - Date.now());
      return 'done';
    });
    expect(await handler({ waveId: 'w', extra: 1 }, remaining(60_000))).toBe('done');
    // valibot's object drops what the schema does not name.
    expect(seen[0]).toEqual({ waveId: 'w' });
    expect(seen[1]).toBeGreaterThan(60_000 - jobBudget.marginMs - 1_000);
    expect(seen[1]).toBeLessThanOrEqual(60_000 - jobBudget.marginMs);
  });

  it('works without a Lambda context (a test calling it): the local budget then', async () => {
    let left = 0;
    const handler = eventHandler({ name: 'test', event: job }, async (_event, context) => {
      left = context.deadline - Date.now();
    });
    await handler({ waveId: 'w' });
    expect(left).toBeGreaterThan(jobBudget.withoutContextMs - 1_000);
    expect(left).toBeLessThanOrEqual(jobBudget.withoutContextMs);
  });

  it('refuses a bad event before the use case runs, naming the function and the problem', async () => {
    const run = vi.fn(async () => 'ran');
    const handler = eventHandler({ name: 'expire', event: job }, run);
    await expect(handler({ waveId: 7 })).rejects.toThrow(/^expire: bad event: waveId: /);
    expect(run).not.toHaveBeenCalled();
  });

  it('answers a malformed event that a retry could not mend, and logs it', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await sesEventsHandler({ source: 'aws.ses', detail: 'nonsense' })).toEqual({
      outcome: 'malformed',
    });
    expect(logged.mock.calls[0]?.[0]).toBe('sesEvents: ignoring malformed event');
  });

  it('stops a handler that overruns just before Lambda would kill it, with a named error', async () => {
    const handler = eventHandler({ name: 'test', event: job }, () => new Promise<never>(() => {}));
    const started = Date.now();
    await expect(handler({ waveId: 'w' }, remaining(jobBudget.earlyStopMs + 50))).rejects.toMatchObject({
      // Not the SDK's TimeoutError (a reset socket, a call with no answer): logs tell the two apart.
      name: 'EarlyStopError',
      message: `stopped ${jobBudget.earlyStopMs} ms before the Lambda timeout`,
    });
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('httpHandler', () => {
  it("answers a thrown error with the renderer's answer, as errorToJson would", async () => {
    const err = new AppError('conflict', 'already there', { id: 'c_1' });
    const handler = httpHandler(async () => {
      throw err;
    }, errorToJson);
    expect(await handler(httpEvent('GET /x'))).toEqual(errorToJson(err));
  });

  it('answers an overrun with a 500 that does not say why, instead of a gateway timeout', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const handler = httpHandler(() => new Promise<never>(() => {}), errorToJson);
    const answer = await handler(httpEvent('GET /x'), remaining(httpBudget.earlyStopMs + 50));
    expect(answer.statusCode).toBe(500);
    expect(JSON.parse(answer.body ?? '')).toEqual({ error: { code: 'internal', message: 'internal error' } });
  });
});

describe('the HTTP functions', () => {
  it('api: an unauthenticated call is the JSON error of CONTRACT.md', async () => {
    const answer = await apiHandler(httpEvent('GET /api/contacts'));
    expect(answer.statusCode).toBe(401);
    expect(JSON.parse(answer.body ?? '')).toMatchObject({ error: { code: 'unauthorized' } });
    expect(answer.headers?.['content-type']).toBe('application/json; charset=utf-8');
  });

  it("respond: an unknown page is the error page in the visitor's language", async () => {
    const answer = await respondHandler(httpEvent('GET /nowhere', { 'accept-language': 'sv-SE,sv;q=0.9' }));
    expect(answer.statusCode).toBe(404);
    expect(answer.body).toContain('<html lang="sv"');
  });
});

describe('score', () => {
  const record = (token: string, sequence: string) => ({
    dynamodb: {
      Keys: { token: { S: token } },
      NewImage: { token: { S: token }, responseVersion: { N: '1' } },
      SequenceNumber: sequence,
    },
  });

  it('hands back the rest of a batch when its time is spent, without reading anything', async () => {
    const batch = { Records: [record('s_a.one', '41'), record('s_a.two', '42')] };
    const answer = await scoreHandler(batch, remaining(0));
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: '41' }] });
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });
});
