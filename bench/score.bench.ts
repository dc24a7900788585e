/**
 * Reading a score costs the same at 100 and at 100,000 answers: the aggregates are seeded directly
 * (the same items, only the counts differ) and `GET /api/surveys/{id}/score` is timed through the
 * local gateway, alternating the two surveys, with the DynamoDB requests of each read counted in the
 * api handler's scope. Then, for context, how fast the score consumer applies answers: answers are
 * recorded while it is paused, and the time it takes to catch up is measured.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../shared/aws/clients.ts';
import { nowIso } from '../shared/clock.ts';
import { tableName } from '../shared/config.ts';
import { randomToken } from '../shared/ids.ts';
import { putInvitationOnce } from '../shared/invitation/store.ts';
import { recordResponse } from '../shared/response/record.ts';
import { seedScoredSurvey } from './lib/aggregates.ts';
import { atMost, type Figure, info, median, progress, round } from './lib/figure.ts';
import { closeHttpClient, getText } from './lib/http.ts';
import { timed, timedPool } from './lib/load.ts';
import { type BenchStack, benchStack, invokeDirect } from './lib/stack.ts';

const small = 100;
const large = 100_000;
const reads = 50;
const warmUpReads = 10;
const reconcileRounds = 3;
const reconcileAnswers = 200;

interface Read {
  ms: number;
  requests: number;
}

interface Side {
  id: string;
  answers: number;
  viaGateway: Read[];
  direct: Read[];
}

const checkResponses = (status: number, body: string, surveyId: string, expected: number): void => {
  if (status !== 200) throw new Error(`score read answered ${status}: ${body.slice(0, 200)}`);
  const responses = (JSON.parse(body) as { responses?: number }).responses;
  if (responses !== expected)
    throw new Error(`survey ${surveyId}: ${responses} responses, expected ${expected}`);
};

/** Through the local gateway, which first lets the stream poller catch up (a local-only step). */
async function readViaGateway(bench: BenchStack, side: Side): Promise<Read> {
  bench.counter.reset();
  const started = performance.now();
  const answer = await getText(`${bench.stack.url}/api/surveys/${side.id}/score`, {
    authorization: `Bearer ${bench.stack.adminKey}`,
  });
  const ms = performance.now() - started;
  checkResponses(answer.status, answer.body, side.id, side.answers);
  return { ms, requests: bench.counter.total('api') };
}

/** The api handler called with its API Gateway event, as Lambda would: the product's own cost. */
async function readDirect(bench: BenchStack, side: Side): Promise<Read> {
  const path = `/api/surveys/${side.id}/score`;
  const event = {
    version: '2.0',
    routeKey: 'GET /api/surveys/{id}/score',
    rawPath: path,
    rawQueryString: '',
    headers: { authorization: `Bearer ${bench.stack.adminKey}` },
    pathParameters: { id: side.id },
    isBase64Encoded: false,
    requestContext: { http: { method: 'GET', path, sourceIp: '127.0.0.1' } },
  };
  bench.counter.reset();
  const started = performance.now();
  const answer = (await invokeDirect('api', event)) as { statusCode: number; body: string };
  const ms = performance.now() - started;
  checkResponses(answer.statusCode, answer.body, side.id, side.answers);
  return { ms, requests: bench.counter.total('api') };
}

/** Answers recorded while the consumer is paused; answers per second it applies once let go. */
async function reconcileRate(bench: BenchStack): Promise<{ perSecond: number; requests: number }> {
  const survey = await bench.api<{ id: string }>('POST', '/api/surveys', {
    kind: 'nps',
    name: 'reconcile bench',
  });
  const tokens = Array.from({ length: reconcileAnswers }, () => randomToken(survey.id));
  await timedPool(tokens, 16, async (token, i) => {
    const contactId = `bench-${token}`;
    await dynamo().send(
      new PutCommand({
        TableName: tableName('contacts'),
        Item: {
          id: contactId,
          email: `${i}@bench.invalid`,
          status: 'subscribed',
          properties: {},
          feedback: {},
        },
      }),
    );
    await putInvitationOnce({
      token,
      surveyId: survey.id,
      waveId: 'w_bench',
      contactId,
      kind: 'nps',
      scale: { min: 0, max: 10 },
      status: 'sent',
      createdAt: nowIso(),
      closesAt: '2999-01-01T00:00:00.000Z',
      reportProps: { plan: ['free', 'pro'][i % 2] ?? 'pro' },
    });
  });
  // Drain what is already in the stream, so that only the answers below are timed.
  await bench.api('GET', `/api/surveys/${survey.id}/score`);
  bench.consumer.close();
  try {
    await timedPool(tokens, 16, async (token, i) => {
      await recordResponse(token, { score: i % 11 });
    });
  } finally {
    bench.consumer.open();
  }
  bench.counter.reset();
  const ms = await timed(() => bench.api('GET', `/api/surveys/${survey.id}/score`));
  const score = await bench.api<{ responses: number }>('GET', `/api/surveys/${survey.id}/score`);
  if (score.responses !== reconcileAnswers)
    throw new Error(`reconciled ${score.responses} of ${reconcileAnswers}`);
  return {
    perSecond: reconcileAnswers / (ms / 1000),
    requests: bench.counter.total('score') / reconcileAnswers,
  };
}

const summary = (reads: Read[]) => ({
  ms: median(reads.map((r) => r.ms)),
  requests: [...new Set(reads.map((r) => r.requests))],
});

export async function run(): Promise<Figure[]> {
  const bench = await benchStack();
  const sides: [Side, Side] = [
    { id: await seedScoredSurvey(bench, small), answers: small, viaGateway: [], direct: [] },
    { id: await seedScoredSurvey(bench, large), answers: large, viaGateway: [], direct: [] },
  ];
  try {
    for (let i = 0; i < warmUpReads + reads; i++) {
      // Alternate which size goes first, so neither always follows the other.
      for (const side of i % 2 ? [...sides].reverse() : sides) {
        const viaGateway = await readViaGateway(bench, side);
        const direct = await readDirect(bench, side);
        if (i < warmUpReads) continue;
        side.viaGateway.push(viaGateway);
        side.direct.push(direct);
      }
    }
  } finally {
    closeHttpClient();
  }
  const [gwSmall, gwLarge] = [summary(sides[0].viaGateway), summary(sides[1].viaGateway)];
  const [directSmall, directLarge] = [summary(sides[0].direct), summary(sides[1].direct)];
  const requestCounts = [
    ...gwSmall.requests,
    ...gwLarge.requests,
    ...directSmall.requests,
    ...directLarge.requests,
  ];
  progress(
    `score: median read via gateway ${gwSmall.ms.toFixed(1)} / ${gwLarge.ms.toFixed(1)} ms, handler alone ${directSmall.ms.toFixed(1)} / ${directLarge.ms.toFixed(1)} ms (${small} / ${large} answers); DynamoDB requests per read: ${requestCounts}`,
  );

  const reconciled: { perSecond: number; requests: number }[] = [];
  for (let i = 0; i < reconcileRounds; i++) {
    reconciled.push(await reconcileRate(bench));
    progress(
      `score: reconcile round ${i + 1}/${reconcileRounds}: ${reconciled.at(-1)?.perSecond.toFixed(0)} answers/s`,
    );
  }
  progress(
    `score: DynamoDB commands of the consumer (last round): ${JSON.stringify(bench.counter.byCommand('score'))}`,
  );

  return [
    atMost('score.read_latency_ratio', round(gwLarge.ms / gwSmall.ms), 'ratio', 1.2),
    info('score.read_ms_at_100', round(gwSmall.ms, 2), 'ms'),
    info('score.read_ms_at_100k', round(gwLarge.ms, 2), 'ms'),
    atMost('score.handler_read_latency_ratio', round(directLarge.ms / directSmall.ms), 'ratio', 1.2),
    info('score.handler_read_ms_at_100', round(directSmall.ms, 2), 'ms'),
    info('score.handler_read_ms_at_100k', round(directLarge.ms, 2), 'ms'),
    {
      name: 'score.dynamodb_requests_per_read',
      value: requestCounts[0] ?? Number.NaN,
      unit: 'requests',
      goal: 'the same at 100 and 100,000 answers, every read',
      pass: new Set(requestCounts).size === 1,
    },
    info('score.reconcile_answers_per_s', round(median(reconciled.map((r) => r.perSecond)), 1), 'answers/s'),
    info(
      'score.consumer_requests_per_answer',
      round(median(reconciled.map((r) => r.requests)), 2),
      'requests',
    ),
  ];
}
