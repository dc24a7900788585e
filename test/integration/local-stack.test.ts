/**
 * The local stack itself (`npm start`): the gateway's API Gateway v2 events, the Scheduler and Lambda
 * stand-ins through the real SDK clients, the clock route, the stream poller, start-up errors,
 * shutdown and restarts. Most of it runs against a stack started in this test process with
 * recording handlers in place of the real ones, so each part can be watched on its own; start-up and
 * shutdown run `local/start.ts` in child processes, as `npm start` does.
 */
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AttributeValue,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import {
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  ListSchedulesCommand,
  paginateListSchedules,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { GetAccountCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import type { APIGatewayProxyEventV2, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localFunctionArn } from '../../local/env.ts';
import { javaMissingMessage } from '../../local/java.ts';
import { assertPortFree } from '../../local/ports.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { streamRetryDelaysMs } from '../../local/streams.ts';
import { schedulerClient as sharedSchedulerClient } from '../../shared/aws/clients.ts';
import { nowMs } from '../../shared/clock.ts';
import { freePorts, runStart, startChildStack } from './setup/child-stack.ts';
import {
  advanceClock,
  api,
  dynamoClient,
  lambdaClient,
  schedulerClient,
  stack as sharedStack,
} from './setup/helpers.ts';

const atExpression = (ms: number) => `at(${new Date(ms).toISOString().slice(0, 19)})`;
const hours = (n: number) => n * 3_600_000;

interface Fired {
  fn: string;
  event: Record<string, unknown>;
  nowMs: number;
}

/** What a settle writes on an invitation for the wave's counts: score's stream filter passes it. */
const forScore = { uncounted: { BOOL: true } };

describe('the stand-ins, with recording handlers', () => {
  const fired: Fired[] = [];
  const scoreBatches: DynamoDBStreamEvent['Records'][] = [];
  const acceptedRecords: { token: string; eventName: string; sequence: string }[] = [];
  /** Tokens whose INSERT score reports as an item failure, and how many more times. */
  const failScore = new Map<string, number>();
  /** Each score batch takes this long (a consumer that falls behind its stream). */
  let scoreDelayMs = 0;
  const logLines: string[] = [];
  const originalEnv = { ...process.env };
  let dataDir: string;
  let local: LocalStack;

  const echo = (event: APIGatewayProxyEventV2) => ({
    statusCode: 200,
    headers: { 'content-type': 'application/json', 'x-score-records': String(acceptedRecords.length) },
    body: JSON.stringify(event),
  });

  const handlers = {
    api: async (event: unknown) => echo(event as APIGatewayProxyEventV2),
    respond: async (event: unknown) => {
      const e = event as APIGatewayProxyEventV2;
      if (e.rawPath === '/r/throw') throw new Error('secret detail that must not leak');
      if (e.rawPath === '/r/answer') {
        return {
          statusCode: 201,
          headers: { 'X-Thing': 'yes', 'content-type': 'application/octet-stream' },
          cookies: ['session=abc; HttpOnly; Secure; SameSite=Strict', 'theme=dark'],
          body: Buffer.from([0, 1, 2, 255]).toString('base64'),
          isBase64Encoded: true,
        };
      }
      return echo(e);
    },
    remind: async (event: unknown) => {
      const e = event as Record<string, unknown>;
      fired.push({ fn: 'remind', event: e, nowMs: nowMs() });
      if (e.chain) {
        // Like a handler that schedules its follow-up: through its own SDK client and the env.
        await sharedSchedulerClient().send(
          new CreateScheduleCommand({
            Name: `chained-${e.step}`,
            GroupName: 'npswave-local',
            ScheduleExpression: atExpression(nowMs() + 10 * 60_000),
            Target: {
              Arn: localFunctionArn('remind'),
              RoleArn: 'arn:aws:iam::000000000000:role/r',
              Input: JSON.stringify({ step: `${e.step}2` }),
            },
            FlexibleTimeWindow: { Mode: 'OFF' },
            ActionAfterCompletion: 'DELETE',
          }),
        );
      }
    },
    expire: async (event: unknown) => {
      fired.push({ fn: 'expire', event: event as Record<string, unknown>, nowMs: nowMs() });
    },
    send: async (event: unknown) => {
      const e = event as Record<string, unknown>;
      fired.push({ fn: 'send', event: e, nowMs: nowMs() });
      if (e.fail) throw new Error(`asked to fail (${String(e.id ?? '')})`);
      return { ok: true, got: e };
    },
    score: async (event: unknown) => {
      const records = (event as DynamoDBStreamEvent).Records;
      if (scoreDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, scoreDelayMs));
      scoreBatches.push(records);
      for (const record of records) {
        const token = record.dynamodb?.Keys?.token?.S ?? '';
        const sequence = record.dynamodb?.SequenceNumber ?? '';
        const failuresLeft = failScore.get(token) ?? 0;
        if (record.eventName === 'INSERT' && failuresLeft > 0) {
          failScore.set(token, failuresLeft - 1);
          return { batchItemFailures: [{ itemIdentifier: sequence }] };
        }
        acceptedRecords.push({ token, eventName: record.eventName ?? '', sequence });
      }
      return { batchItemFailures: [] };
    },
  };

  const startInProcess = () =>
    startLocalStack({
      dataDir,
      port: 0,
      sesPort: 0,
      dynamoPort: 0,
      log: (line) => logLines.push(line),
      handlers,
      asyncRetryDelaysMs: [20, 40],
      // As many retries of a failed stream batch as on AWS, without its waits.
      streamRetryDelaysMs: streamRetryDelaysMs.map(() => 5),
      // The wave sweeper would invoke the recorded send handler on its own timer.
      resumeWavesEveryMs: 0,
    });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'npswave-local-stack-'));
    local = await startInProcess();
  });

  afterAll(async () => {
    await local?.stop();
    for (const name of Object.keys(process.env)) if (!(name in originalEnv)) delete process.env[name];
    Object.assign(process.env, originalEnv);
    await rm(dataDir, { recursive: true, force: true });
  });

  const call = (path: string, init: RequestInit = {}) => fetch(`${local.url}${path}`, init);

  it('turns a request into a faithful API Gateway v2 event', async () => {
    const response = await call('/api/contacts/a%20b?x=1&x=2&y=%C3%A5&flag', {
      headers: { cookie: 'a=1; b=2', 'X-Custom': 'Value', 'user-agent': 'vitest-agent' },
    });
    expect(response.status).toBe(200);
    const event = (await response.json()) as APIGatewayProxyEventV2;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /api/contacts/{id}',
      rawPath: '/api/contacts/a%20b',
      rawQueryString: 'x=1&x=2&y=%C3%A5&flag',
      cookies: ['a=1', 'b=2'],
      queryStringParameters: { x: '1,2', y: 'å', flag: '' },
      pathParameters: { id: 'a b' },
      isBase64Encoded: false,
      requestContext: {
        routeKey: 'GET /api/contacts/{id}',
        stage: '$default',
        domainName: '127.0.0.1',
        http: {
          method: 'GET',
          path: '/api/contacts/a%20b',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'vitest-agent',
        },
      },
    });
    expect(event.headers['x-custom']).toBe('Value');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.body).toBeUndefined();
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Math.abs(event.requestContext.timeEpoch - Date.now())).toBeLessThan(10_000);
    expect(event.requestContext.time).toMatch(/^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
  });

  it('passes text bodies as text and other bodies in base64, as API Gateway does', async () => {
    const json = (await (
      await call('/api/contacts', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"email":"å@example.com"}',
      })
    ).json()) as APIGatewayProxyEventV2;
    expect(json.isBase64Encoded).toBe(false);
    expect(json.body).toBe('{"email":"å@example.com"}');

    const form = (await (
      await call('/r/sometoken', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'score=9&comment=great',
      })
    ).json()) as APIGatewayProxyEventV2;
    expect(form.routeKey).toBe('POST /r/{token}');
    expect(form.isBase64Encoded).toBe(true);
    expect(Buffer.from(form.body ?? '', 'base64').toString('utf8')).toBe('score=9&comment=great');
  });

  it('writes results with their headers, cookies as Set-Cookie and base64 bodies decoded', async () => {
    const answer = await new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
      (done) => {
        request(`${local.url}/r/answer`, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          );
        }).end();
      },
    );
    expect(answer.status).toBe(201);
    expect(answer.headers['x-thing']).toBe('yes');
    expect(answer.headers['set-cookie']).toEqual([
      'session=abc; HttpOnly; Secure; SameSite=Strict',
      'theme=dark',
    ]);
    expect([...answer.body]).toEqual([0, 1, 2, 255]);
  });

  it('answers 404, 405, 413 and a bare 500 itself', async () => {
    const unknown = await call('/nowhere');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('not_found');

    const wrongMethod = await call('/api/contacts', { method: 'PUT' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toContain('POST');
    expect(((await wrongMethod.json()) as { error: { code: string } }).error.code).toBe('method_not_allowed');

    const tooLarge = await call('/api/contacts', {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: 'x'.repeat(10 * 1024 * 1024 + 1),
    });
    expect(tooLarge.status).toBe(413);
    expect(((await tooLarge.json()) as { error: { code: string } }).error.code).toBe('too_large');

    expect((await call('/r/%E0%A4%A')).status).toBe(400);

    const thrown = await call('/r/throw');
    expect(thrown.status).toBe(500);
    expect(await thrown.text()).toBe('{"error":{"code":"internal","message":"internal error"}}');
    expect(logLines.join('\n')).toContain('secret detail');
  });

  it('sends the dashboard pages (the route table entries under /admin) to the api function', async () => {
    const root = (await (await call('/admin')).json()) as APIGatewayProxyEventV2;
    expect(root.routeKey).toBe('GET /admin');
    const survey = (await (await call('/admin/surveys/s_x')).json()) as APIGatewayProxyEventV2;
    expect(survey.routeKey).toBe('GET /admin/surveys/{id}');
    expect(survey.pathParameters).toEqual({ id: 's_x' });
    expect((await call('/admin/assets/app.js')).status).toBe(404);
    const post = await call('/admin', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
  });

  it('validates POST /_local/clock', async () => {
    const post = (body: string) =>
      call('/_local/clock', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect((await call('/_local/clock')).status).toBe(405);
    for (const bad of ['{}', '{"advanceSeconds":-1}', '{"advanceSeconds":"60"}', 'not json', '[]', 'null']) {
      const answer = await post(bad);
      expect(answer.status, bad).toBe(400);
      expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('bad_request');
    }
    const before = nowMs();
    const answer = await post('{"advanceSeconds":90}');
    expect(answer.status).toBe(200);
    const { now } = (await answer.json()) as { now: string };
    expect(Date.parse(now)).toBeGreaterThanOrEqual(before + 90_000);
    expect(now).toBe(new Date(Date.parse(now)).toISOString());
  });

  it('takes no control posts from web pages (a cross-site form could move the clock)', async () => {
    const before = nowMs();
    const fromPages: Record<string, string>[] = [
      { origin: 'https://evil.test' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of fromPages) {
      for (const path of ['/_local/clock', '/_local/ses-event']) {
        const answer = await call(path, {
          method: 'POST',
          headers: { 'content-type': 'text/plain', ...headers },
          body: '{"advanceSeconds":86400}',
        });
        expect(answer.status, `${path} ${JSON.stringify(headers)}`).toBe(403);
      }
    }
    expect(nowMs() - before).toBeLessThan(86_400_000);
    // Tests, curl and the CLI send no Origin: they may, with any content type.
    const plain = await call('/_local/clock', { method: 'POST', body: '{"advanceSeconds":0}' });
    expect(plain.status).toBe(200);
  });

  const schedule = (
    name: string,
    overrides: Partial<CreateScheduleCommandInput> = {},
  ): CreateScheduleCommandInput => ({
    Name: name,
    GroupName: 'sdk-test',
    ScheduleExpression: 'rate(1 day)',
    State: 'DISABLED',
    Target: {
      Arn: localFunctionArn('send'),
      RoleArn: 'arn:aws:iam::000000000000:role/npswave-local-scheduler',
      Input: JSON.stringify({ type: 'wave.start', surveyId: name }),
      RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
    },
    FlexibleTimeWindow: { Mode: 'OFF' },
    ...overrides,
  });

  it('speaks EventBridge Scheduler to @aws-sdk/client-scheduler', async () => {
    const scheduler = schedulerClient(local.controlUrl);
    const group = await scheduler.send(new GetScheduleGroupCommand({ Name: 'npswave-local' }));
    expect(group.State).toBe('ACTIVE');
    await scheduler.send(new CreateScheduleGroupCommand({ Name: 'sdk-test' }));
    await expect(scheduler.send(new CreateScheduleGroupCommand({ Name: 'sdk-test' }))).rejects.toMatchObject({
      name: 'ConflictException',
    });

    const created = await scheduler.send(new CreateScheduleCommand(schedule('alpha')));
    expect(created.ScheduleArn).toBe('arn:aws:scheduler:us-east-1:000000000000:schedule/sdk-test/alpha');
    await scheduler.send(new CreateScheduleCommand(schedule('beta')));
    await scheduler.send(
      new CreateScheduleCommand(schedule('gamma', { ScheduleExpression: 'cron(0 9 ? * MON-FRI *)' })),
    );
    await expect(scheduler.send(new CreateScheduleCommand(schedule('alpha')))).rejects.toMatchObject({
      name: 'ConflictException',
    });

    const got = await scheduler.send(new GetScheduleCommand({ Name: 'alpha', GroupName: 'sdk-test' }));
    expect(got).toMatchObject({
      Name: 'alpha',
      GroupName: 'sdk-test',
      ScheduleExpression: 'rate(1 day)',
      State: 'DISABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: localFunctionArn('send'), Input: '{"type":"wave.start","surveyId":"alpha"}' },
    });
    expect(got.CreationDate).toBeInstanceOf(Date);

    const first = await scheduler.send(new ListSchedulesCommand({ GroupName: 'sdk-test', MaxResults: 2 }));
    expect(first.Schedules?.map((s) => s.Name)).toEqual(['alpha', 'beta']);
    expect(first.NextToken).toBeTruthy();
    const second = await scheduler.send(
      new ListSchedulesCommand({ GroupName: 'sdk-test', MaxResults: 2, NextToken: first.NextToken }),
    );
    expect(second.Schedules?.map((s) => s.Name)).toEqual(['gamma']);
    expect(second.NextToken).toBeUndefined();
    const prefixed = await scheduler.send(
      new ListSchedulesCommand({ GroupName: 'sdk-test', NamePrefix: 'be' }),
    );
    expect(prefixed.Schedules?.map((s) => s.Name)).toEqual(['beta']);
    const all: string[] = [];
    for await (const page of paginateListSchedules(
      { client: scheduler, pageSize: 1 },
      { GroupName: 'sdk-test' },
    )) {
      all.push(...(page.Schedules ?? []).map((s) => s.Name ?? ''));
    }
    expect(all).toEqual(['alpha', 'beta', 'gamma']);

    await scheduler.send(
      new UpdateScheduleCommand({ ...schedule('beta'), ScheduleExpression: 'rate(2 hours)' }),
    );
    const updated = await scheduler.send(new GetScheduleCommand({ Name: 'beta', GroupName: 'sdk-test' }));
    expect(updated.ScheduleExpression).toBe('rate(2 hours)');

    await scheduler.send(new DeleteScheduleCommand({ Name: 'alpha', GroupName: 'sdk-test' }));
    await expect(
      scheduler.send(new GetScheduleCommand({ Name: 'alpha', GroupName: 'sdk-test' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(
      scheduler.send(new DeleteScheduleCommand({ Name: 'alpha', GroupName: 'sdk-test' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(scheduler.send(new UpdateScheduleCommand(schedule('nobody')))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(
      scheduler.send(new CreateScheduleCommand(schedule('x', { GroupName: 'no-such-group' }))),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });

    for (const bad of ['cron(0 10 * * MON *)', 'rate(0 minutes)', 'at(2030-13-01T00:00:00)', 'every day']) {
      await expect(
        scheduler.send(new CreateScheduleCommand(schedule('bad', { ScheduleExpression: bad }))),
        bad,
      ).rejects.toMatchObject({ name: 'ValidationException' });
    }
    await expect(
      scheduler.send(
        new CreateScheduleCommand(schedule('bad', { ScheduleExpressionTimezone: 'Mars/Olympus' })),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('fires due schedules on POST /_local/clock in time order, each with the clock at its own time', async () => {
    const scheduler = schedulerClient(local.controlUrl);
    const start = nowMs();
    const oneTime = (name: string, atMs: number, input: Record<string, unknown>) =>
      scheduler.send(
        new CreateScheduleCommand({
          Name: name,
          GroupName: 'npswave-local',
          ScheduleExpression: atExpression(atMs),
          Target: {
            Arn: localFunctionArn('remind'),
            RoleArn: 'arn:aws:iam::000000000000:role/r',
            Input: JSON.stringify(input),
          },
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
        }),
      );
    await oneTime('second', start + hours(2), { step: 'b' });
    await oneTime('first', start + hours(1), { step: 'a', chain: true });
    await oneTime('later', start + hours(24 * 60), { step: 'c' });
    fired.length = 0;

    const answer = await call('/_local/clock', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceSeconds: 3 * 3600 }),
    });
    const { now } = (await answer.json()) as { now: string };

    // The chained schedule (created by "first" for ten minutes later) fired before "second".
    expect(fired.map((f) => f.event.step)).toEqual(['a', 'a2', 'b']);
    const expectedAt = [hours(1), hours(1) + 10 * 60_000, hours(2)].map((offset) => start + offset);
    fired.forEach((f, i) => {
      const at = Math.floor((expectedAt[i] ?? 0) / 1000) * 1000;
      expect(f.nowMs - at).toBeGreaterThanOrEqual(0);
      expect(f.nowMs - at).toBeLessThan(5_000);
    });
    expect(Date.parse(now) - (start + hours(3))).toBeGreaterThanOrEqual(0);
    expect(Date.parse(now) - (start + hours(3))).toBeLessThan(60_000);

    for (const gone of ['first', 'second', 'chained-a']) {
      await expect(
        scheduler.send(new GetScheduleCommand({ Name: gone, GroupName: 'npswave-local' })),
      ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    }
    const later = await scheduler.send(new GetScheduleCommand({ Name: 'later', GroupName: 'npswave-local' }));
    expect(later.ScheduleExpression).toBe(atExpression(start + hours(24 * 60)));
  });

  it('fires a cron schedule at each occurrence in its time zone', async () => {
    const scheduler = schedulerClient(local.controlUrl);
    await scheduler.send(
      new CreateScheduleCommand({
        Name: 'weekly',
        GroupName: 'npswave-local',
        ScheduleExpression: 'cron(0 9 ? * MON *)',
        ScheduleExpressionTimezone: 'Europe/Stockholm',
        Target: {
          Arn: localFunctionArn('expire'),
          RoleArn: 'arn:aws:iam::000000000000:role/r',
          Input: '{"weekly":1}',
        },
        FlexibleTimeWindow: { Mode: 'OFF' },
      }),
    );
    fired.length = 0;
    await advanceClock(15 * 86_400, local.url);
    await scheduler.send(new DeleteScheduleCommand({ Name: 'weekly', GroupName: 'npswave-local' }));
    const weekly = fired.filter((f) => f.fn === 'expire' && f.event.weekly === 1);
    expect(weekly.length).toBeGreaterThanOrEqual(2);
    const stockholm = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Stockholm',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    for (const f of weekly) expect(stockholm.format(new Date(f.nowMs))).toBe('Mon 09:00');
  });

  it('speaks Lambda Invoke to @aws-sdk/client-lambda, synchronously and asynchronously', async () => {
    const lambda = lambdaClient(local.controlUrl);
    const decode = (payload: Uint8Array | undefined) =>
      JSON.parse(Buffer.from(payload ?? []).toString('utf8'));

    const ok = await lambda.send(
      new InvokeCommand({ FunctionName: 'npswave-local-send', Payload: JSON.stringify({ echo: 1 }) }),
    );
    expect(ok.StatusCode).toBe(200);
    expect(ok.FunctionError).toBeUndefined();
    expect(decode(ok.Payload)).toEqual({ ok: true, got: { echo: 1 } });

    const failed = await lambda.send(
      new InvokeCommand({
        FunctionName: localFunctionArn('send'),
        Payload: JSON.stringify({ fail: true, id: 'sync' }),
      }),
    );
    expect(failed.StatusCode).toBe(200);
    expect(failed.FunctionError).toBe('Unhandled');
    expect(decode(failed.Payload).errorMessage).toBe('asked to fail (sync)');

    await expect(lambda.send(new InvokeCommand({ FunctionName: 'no-such-function' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });

    fired.length = 0;
    const queued = await lambda.send(
      new InvokeCommand({
        FunctionName: localFunctionArn('send'),
        InvocationType: 'Event',
        Payload: '{"async":1}',
      }),
    );
    expect(queued.StatusCode).toBe(202);
    const retried = await lambda.send(
      new InvokeCommand({
        FunctionName: 'send',
        InvocationType: 'Event',
        Payload: JSON.stringify({ fail: true, id: 'async' }),
      }),
    );
    expect(retried.StatusCode).toBe(202);
    await advanceClock(0, local.url); // waits for asynchronous invocations
    expect(fired.filter((f) => f.event.async === 1)).toHaveLength(1);
    // One attempt and Lambda's two retries.
    expect(fired.filter((f) => f.event.id === 'async')).toHaveLength(3);
    expect(logLines.join('\n')).toContain('failed after 3 attempts');
  });

  it('feeds the invitations stream to score in order, retries from a reported item failure, checkpoints', async () => {
    const dynamo = dynamoClient(local.dynamoUrl);
    const put = (token: string) =>
      dynamo.send(
        new PutItemCommand({
          TableName: 'npswave-invitations',
          Item: { token: { S: token }, n: { N: '1' }, uncounted: { BOOL: true } },
        }),
      );
    failScore.set('s2', 1);
    await put('s1');
    await put('s2');
    await put('s3');
    await dynamo.send(
      new UpdateItemCommand({
        TableName: 'npswave-invitations',
        Key: { token: { S: 's1' } },
        UpdateExpression: 'SET n = :n',
        ExpressionAttributeValues: { ':n': { N: '2' } },
      }),
    );
    await advanceClock(0, local.url); // waits for the stream to drain

    expect(acceptedRecords.map((r) => `${r.eventName} ${r.token}`)).toEqual([
      'INSERT s1',
      'INSERT s2',
      'INSERT s3',
      'MODIFY s1',
    ]);
    const deliveries = scoreBatches.flat();
    expect(deliveries.filter((r) => r.dynamodb?.Keys?.token?.S === 's2')).toHaveLength(2);
    const modify = deliveries.find((r) => r.eventName === 'MODIFY');
    expect(modify).toMatchObject({
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      eventVersion: '1.1',
      dynamodb: {
        Keys: { token: { S: 's1' } },
        NewImage: { token: { S: 's1' }, n: { N: '2' } },
        StreamViewType: 'NEW_IMAGE',
      },
    });
    // The table streams new images only, as on AWS (shared/tables.ts).
    expect(modify?.dynamodb?.OldImage).toBeUndefined();
    expect(modify?.eventSourceARN).toContain('table/npswave-invitations/stream/');
    expect(typeof modify?.dynamodb?.ApproximateCreationDateTime).toBe('number');

    const checkpoints = JSON.parse(
      await readFile(join(dataDir, 'stream-checkpoints.json'), 'utf8'),
    ) as Record<string, Record<string, string>>;
    expect(Object.values(checkpoints).flatMap((shards) => Object.values(shards))).toContain(
      acceptedRecords.at(-1)?.sequence,
    );
  });

  it('retries a failing batch as often as the deployed mapping (10 times), then gives it up and goes on', async () => {
    const dynamo = dynamoClient(local.dynamoUrl);
    const put = (token: string) =>
      dynamo.send(
        new PutItemCommand({ TableName: 'npswave-invitations', Item: { token: { S: token }, ...forScore } }),
      );
    const deliveriesOf = (token: string) =>
      scoreBatches.flat().filter((r) => r.dynamodb?.Keys?.token?.S === token).length;
    const acceptedOf = (token: string) => acceptedRecords.filter((r) => r.token === token).length;
    // Failing 10 times in a row (a table throttled for a few seconds): the 11th attempt takes it.
    failScore.set('retry-10', 10);
    await put('retry-10');
    await advanceClock(0, local.url);
    expect(deliveriesOf('retry-10')).toBe(11);
    expect(acceptedOf('retry-10')).toBe(1);
    expect(logLines.join('\n')).not.toContain('giving up');
    // One failure more than that: given up after 11 attempts, logged, and the stream goes on.
    failScore.set('retry-11', 11);
    await put('retry-11');
    await advanceClock(0, local.url);
    expect(deliveriesOf('retry-11')).toBe(11);
    expect(acceptedOf('retry-11')).toBe(0);
    expect(logLines.join('\n')).toContain('giving up on 1 record(s) after 11 attempts');
    await put('after-retry-11');
    await advanceClock(0, local.url);
    expect(acceptedOf('after-retry-11')).toBe(1);
    expect(deliveriesOf('retry-11')).toBe(11);
  });

  it("gives score only the records its filter passes, as AWS's event source mapping does, and checkpoints past the rest", async () => {
    const dynamo = dynamoClient(local.dynamoUrl);
    const before = acceptedRecords.length;
    const batchesBefore = scoreBatches.length;
    // A selection's invitations (nothing for score), one settle to count, an answer, then more of the first kind.
    const items: Record<string, AttributeValue>[] = [
      { token: { S: 'f1' } },
      { token: { S: 'f2' }, ...forScore },
      { token: { S: 'f3' }, responseVersion: { N: '1' } },
      ...Array.from({ length: 150 }, (_, i) => ({ token: { S: `f-selected-${i}` } })),
    ];
    for (const Item of items)
      await dynamo.send(new PutItemCommand({ TableName: 'npswave-invitations', Item }));
    await advanceClock(0, local.url);
    expect(acceptedRecords.slice(before).map((r) => r.token)).toEqual(['f2', 'f3']);
    // The 150 dropped made no batches of their own: every batch since holds only what passed.
    const since = scoreBatches.slice(batchesBefore);
    expect(since.every((batch) => batch.length > 0)).toBe(true);
    expect(since.flat().map((r) => r.dynamodb?.Keys?.token?.S)).toEqual(['f2', 'f3']);
    // The checkpoint is past the last record read, not only the last delivered: a restart reads none of them again.
    const checkpoints = JSON.parse(
      await readFile(join(dataDir, 'stream-checkpoints.json'), 'utf8'),
    ) as Record<string, Record<string, string>>;
    const scoreCheckpoint = Object.entries(checkpoints).find(([key]) => !key.includes('@'))?.[1] ?? {};
    const f3 = acceptedRecords.at(-1)?.sequence ?? '0';
    expect(Object.values(scoreCheckpoint).some((seq) => BigInt(seq) > BigInt(f3))).toBe(true);
  });

  it('lets the stream catch up before an admin GET (local read-your-writes)', async () => {
    const before = acceptedRecords.length;
    await dynamoClient(local.dynamoUrl).send(
      new PutItemCommand({ TableName: 'npswave-invitations', Item: { token: { S: 's4' }, ...forScore } }),
    );
    const answer = await call('/api/surveys');
    expect(Number(answer.headers.get('x-score-records'))).toBe(before + 1);
  });

  /** Writes the invitations stream without pause (four puts at a time) while `during` runs. */
  async function whileWriting(during: (stored: () => number) => Promise<void>): Promise<void> {
    const dynamo = dynamoClient(local.dynamoUrl);
    let writing = true;
    let next = 0;
    let stored = 0;
    const writer = (async () => {
      const until = Date.now() + 60_000;
      while (writing && Date.now() < until) {
        await Promise.all(
          Array.from({ length: 4 }, async () => {
            await dynamo.send(
              new PutItemCommand({
                TableName: 'npswave-invitations',
                Item: { token: { S: `busy-${next++}` }, ...forScore },
              }),
            );
            stored++;
          }),
        );
      }
      return writing;
    })();
    try {
      while (stored < 200) await new Promise((resolve) => setTimeout(resolve, 50));
      await during(() => stored);
      // The writer's minute was not up: the read answered while the writing went on.
      writing = false;
      expect(await writer).toBe(false);
    } finally {
      writing = false;
      await writer;
    }
  }

  it('answers an admin GET while the stream is written without pause (the catching up is bounded)', async () => {
    // A large wave writes the invitations stream for as long as it sends: the read-your-writes wait
    // before an admin read must deliver what was there and answer, not chase the stream until the
    // writing stops (it did: a look at a 100,000-contact wave waited over 300 s).
    const base = acceptedRecords.length;
    await whileWriting(async (stored) => {
      const before = stored();
      const asked = Date.now();
      const answer = await call('/api/surveys');
      expect(answer.status).toBe(200);
      // Every record written before the read was delivered before it answered.
      expect(Number(answer.headers.get('x-score-records'))).toBeGreaterThanOrEqual(base + before);
      expect(Date.now() - asked).toBeLessThan(20_000);
    });
  }, 90_000);

  it('answers an admin GET within its wait when the consumer is far behind the stream', async () => {
    // The consumer folds 100 records a second while the writer puts several hundred: a backlog that
    // only grows. The read waits its 10 s at most and answers with what was folded by then.
    scoreDelayMs = 1_000;
    try {
      await whileWriting(async () => {
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        const asked = Date.now();
        const answer = await call('/api/surveys');
        expect(answer.status).toBe(200);
        expect(Date.now() - asked).toBeLessThan(15_000);
      });
    } finally {
      scoreDelayMs = 0;
      await advanceClock(0, local.url); // the backlog, delivered before the next test
    }
  }, 120_000);

  it('keeps tables, schedules, the clock and stream checkpoints across a restart', async () => {
    const clockBefore = (await advanceClock(0, local.url)).getTime();
    await local.stop();
    const delivered = acceptedRecords.length;
    local = await startInProcess();
    expect(local.firstStart).toBe(false);

    const later = await schedulerClient(local.controlUrl).send(
      new GetScheduleCommand({ Name: 'later', GroupName: 'npswave-local' }),
    );
    expect(later.Name).toBe('later');
    expect(nowMs()).toBeGreaterThanOrEqual(clockBefore);
    const item = await dynamoClient(local.dynamoUrl).send(
      new GetItemCommand({ TableName: 'npswave-invitations', Key: { token: { S: 's3' } } }),
    );
    expect(item.Item?.token?.S).toBe('s3');

    // Reading resumes after the checkpoint: only the new record arrives.
    await dynamoClient(local.dynamoUrl).send(
      new PutItemCommand({ TableName: 'npswave-invitations', Item: { token: { S: 's5' }, ...forScore } }),
    );
    await advanceClock(0, local.url);
    expect(acceptedRecords.slice(delivered).map((r) => r.token)).toEqual(['s5']);
  });
});

describe('npm start (local/start.ts in a child process)', () => {
  let holder: Server | undefined;
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'npswave-start-'));
    dirs.push(dir);
    return dir;
  };

  afterAll(async () => {
    holder?.close();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('is ready within 60 s, stops cleanly on SIGTERM, and a restart keeps the data', async () => {
    const dataDir = await tempDir();
    // The demo's year of history is test/integration/demo.test.ts's; here a survey made through the
    // API shows that the data survives a restart.
    const env = { ...(await freePorts()), NPSWAVE_DATA_DIR: dataDir, NPSWAVE_DEMO: '0' };

    const first = await startChildStack(env);
    try {
      expect(first.readyMs).toBeLessThan(60_000);
      expect(first.stdout().match(/npswave ready/g)).toHaveLength(1);
      expect(first.url).toBe(`http://127.0.0.1:${env.NPSWAVE_PORT}`);
      expect(first.sesUrl).toBe(`http://127.0.0.1:${env.NPSWAVE_SES_PORT}`);
      expect(first.dynamoUrl).toBe(`http://127.0.0.1:${env.NPSWAVE_DYNAMODB_PORT}`);
      expect(first.adminKeyLine).toMatch(/^npsw_\S+ {3}\(generated now; kept in .*admin-key\)$/);
      const key = first.adminKeyLine.split(' ')[0] ?? '';
      expect((await readFile(join(dataDir, 'admin-key'), 'utf8')).trim()).toBe(key);

      expect(first.stdout()).toContain('(sign in with the admin key below)');
      const made = await api('/api/surveys', {
        baseUrl: first.url,
        key,
        body: { kind: 'nps', name: 'Kept across restarts' },
      });
      expect(made.status).toBe(201);

      await dynamoClient(first.dynamoUrl).send(
        new PutItemCommand({
          TableName: 'npswave-contacts',
          Item: { id: { S: 'c_persisted' }, email: { S: 'kept@example.com' } },
        }),
      );
      const movedTo = await advanceClock(86_400, first.url);
      expect(await first.stop('SIGTERM')).toEqual({ code: 0, signal: null });
      await assertPortFree(Number(env.NPSWAVE_DYNAMODB_PORT), 'NPSWAVE_DYNAMODB_PORT');

      // The second start sends through an SES stand-in that is already running, and starts none.
      const sesUrl = sharedStack().sesUrl;
      const second = await startChildStack({ ...env, NPSWAVE_SES_URL: sesUrl });
      try {
        expect(second.sesUrl).toBe(sesUrl);
        expect(second.adminKeyLine.split(' ')[0]).toBe(key);
        expect(second.adminKeyLine).not.toContain('generated now');
        const kept = await dynamoClient(second.dynamoUrl).send(
          new GetItemCommand({ TableName: 'npswave-contacts', Key: { id: { S: 'c_persisted' } } }),
        );
        expect(kept.Item?.email?.S).toBe('kept@example.com');
        expect((await advanceClock(0, second.url)).getTime()).toBeGreaterThanOrEqual(movedTo.getTime());
        const surveys = await api<{ surveys: { name: string }[] }>('/api/surveys', {
          baseUrl: second.url,
          key,
        });
        expect(surveys.status).toBe(200);
        expect(surveys.json.surveys.map((s) => s.name)).toEqual(['Kept across restarts']);
        expect(second.stdout()).not.toContain('demo:');
      } finally {
        expect(await second.stop('SIGINT')).toEqual({ code: 0, signal: null });
      }
    } finally {
      await first.stop('SIGKILL');
    }
  }, 120_000);

  it.each(['NPSWAVE_PORT', 'NPSWAVE_DYNAMODB_PORT'] as const)(
    'refuses a busy %s in one line',
    async (variable) => {
      const env = { ...(await freePorts()), NPSWAVE_DATA_DIR: await tempDir() };
      const server = createServer();
      holder = server;
      const port = await new Promise<number>((done) => {
        server.listen(0, '127.0.0.1', () => done((server.address() as { port: number }).port));
      });
      env[variable] = String(port);
      const run = runStart(env);
      const exit = await run.exited;
      server.close();
      expect(exit.code).not.toBe(0);
      expect(run.stderr().trim()).toBe(`npswave: port ${port} is in use (set ${variable} to use another)`);
      expect(run.stdout()).not.toContain('npswave ready');
    },
  );

  it('says in one line that Java 17+ is needed when there is no java', async () => {
    const emptyBin = join(await tempDir(), 'bin');
    await mkdir(emptyBin);
    // node itself is reached through process.execPath; nothing else is on PATH.
    await symlink(process.execPath, join(emptyBin, 'node'));
    const run = runStart({ ...(await freePorts()), NPSWAVE_DATA_DIR: await tempDir() }, { path: emptyBin });
    const exit = await run.exited;
    expect(exit.code).not.toBe(0);
    expect(run.stderr().trim()).toBe(`npswave: ${javaMissingMessage}`);
    expect(javaMissingMessage).toContain('sudo apt-get install -y openjdk-17-jre-headless');
  });
});

describe('the shared stack of the integration run', () => {
  it('is reachable through the injected addresses', async () => {
    const info = sharedStack();
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.adminKey).toMatch(/^npsw_/);
    expect((await fetch(`${info.sesUrl}/store`)).status).toBe(200);
    expect((await api('/_local/clock', { body: { advanceSeconds: 0 } })).status).toBe(200);
    expect((await api('/api/surveys', { key: null })).status).toBe(401);
    expect((await api('/api/surveys')).status).toBe(200);
    expect((await api('/nowhere')).status).toBe(404);
    const account = await new SESv2Client({
      endpoint: info.sesUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: 'npswavelocal', secretAccessKey: 'npswavelocal' },
    }).send(new GetAccountCommand({}));
    expect(account.SendQuota?.MaxSendRate).toBe(14);
    expect(account.ProductionAccessEnabled).toBe(true);
  });
});
