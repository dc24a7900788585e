/**
 * Breakdowns by a `reportBy` property, whatever the values: a value too long for a sort key is
 * counted and read back under its own name, and a property with many distinct values reads back as
 * its most answered values plus "other", each equal to the same figures recomputed from the answers,
 * with the records delivered shuffled and twice. Like score-property.test.ts it runs against its own
 * in-memory DynamoDB Local with the score handler in this process, so it plays the stream itself.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb.ts';
import { ensureTables } from '../../local/dynamodb-tables.ts';
import { applyEnvironment, fakeCredentials, handlerEnvironment, localRegion } from '../../local/env.ts';
import { freePort } from '../../local/ports.ts';
import { resetClients } from '../../shared/aws/clients.ts';
import { nowIso } from '../../shared/clock.ts';
import { resetConfigCache } from '../../shared/config.ts';
import type { Invitation } from '../../shared/invitation/schema.ts';
import { putInvitationOnce } from '../../shared/invitation/store.ts';
import { recordResponseOnce } from '../../shared/response/record.ts';
import { keptValues } from '../../shared/score/breakdown.ts';
import { figures, readScore } from '../../shared/score/read.ts';
import { type Counts, emptyCounts } from '../../shared/scoring.ts';
import { newSurvey } from '../../shared/survey/lifecycle.ts';
import type { Survey } from '../../shared/survey/schema.ts';

type Handler = (event: DynamoDBStreamEvent) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

let db: DynamoDbLocal | undefined;
let handler: Handler;

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
  ({ handler } = (await import('../../functions/score/handler.ts')) as unknown as { handler: Handler });
});

afterAll(async () => {
  resetClients();
  await db?.stop();
});

// ---- The model: answers kept by the test, and the figures recomputed from them -------------------

interface Answered {
  props: Record<string, string>;
  score: number;
}

const countsOf = (answers: readonly Answered[]): Counts => {
  const counts = emptyCounts();
  for (const { score } of answers) {
    counts.responses += 1;
    counts.sum += score;
    counts.distribution[score] = (counts.distribution[score] ?? 0) + 1;
  }
  return counts;
};

let sequence = 0;
const recordOf = (saved: Invitation): DynamoDBRecord => ({
  eventName: 'MODIFY',
  dynamodb: {
    Keys: { token: { S: saved.token } },
    NewImage: {
      token: { S: saved.token },
      responseVersion: { N: String(saved.responseVersion ?? 0) },
      score: { N: String(saved.score ?? 0) },
    },
    SequenceNumber: String(++sequence).padStart(21, '0'),
  },
});

/** Seeds one invitation per answer, answers each (some twice, the second answer counting), and
 *  delivers every record shuffled, in batches, then all of it again. */
async function play(survey: Survey, answers: readonly Answered[]): Promise<void> {
  const records: DynamoDBRecord[] = [];
  for (const [i, answer] of answers.entries()) {
    const token = `${survey.id}.t${i}`;
    await putInvitationOnce({
      token,
      surveyId: survey.id,
      waveId: `${survey.id}-w`,
      contactId: `${survey.id}-c${i}`,
      kind: survey.kind,
      scale: survey.scale,
      status: 'sent',
      createdAt: nowIso(),
      closesAt: '2999-01-01T00:00:00.000Z',
      reportProps: answer.props,
      anonymous: true,
    });
    // Every third contact first answers something else and then changes their mind.
    if (i % 3 === 0)
      records.push(recordOf(await recordResponseOnce(token, { score: (answer.score + 5) % 11 })));
    records.push(recordOf(await recordResponseOnce(token, { score: answer.score })));
  }
  let state = 7;
  const shuffled = [...records];
  for (let i = shuffled.length - 1; i > 0; i--) {
    state = (state * 48_271) % 2_147_483_647;
    const j = state % (i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j] as DynamoDBRecord, shuffled[i] as DynamoDBRecord];
  }
  for (const round of [shuffled, records]) {
    for (let at = 0; at < round.length; at += 25) {
      const { batchItemFailures } = await handler({ Records: round.slice(at, at + 25) });
      expect(batchItemFailures).toEqual([]);
    }
  }
}

const surveyWith = (reportBy: string[]): Survey =>
  newSurvey({ kind: 'nps', name: 'Breakdowns', reportBy }, nowIso());

describe('a breakdown by a reportBy property', () => {
  it('counts a value longer than a sort key allows and reads it back under its own name', async () => {
    const survey = surveyWith(['note', 'plan']);
    // 2,000 bytes each in UTF-8 (é is two bytes), the second differing only at its end.
    const long = 'é'.repeat(1000);
    const longer = `${'é'.repeat(999)}e!`;
    const answers: Answered[] = [
      { props: { note: long, plan: 'pro' }, score: 10 },
      { props: { note: long, plan: 'pro' }, score: 9 },
      { props: { note: long, plan: 'free' }, score: 3 },
      { props: { note: longer, plan: 'free' }, score: 7 },
      { props: { note: 'short', plan: 'free' }, score: 0 },
    ];
    await play(survey, answers);

    const score = await readScore(survey, { by: 'note' });
    expect(score.responses).toBe(5);
    const ofNote = (value: string) => countsOf(answers.filter((a) => a.props.note === value));
    expect(score.segments).toEqual({
      [long]: figures(survey, ofNote(long)),
      [longer]: figures(survey, ofNote(longer)),
      short: figures(survey, ofNote('short')),
    });
    expect(score).not.toHaveProperty('otherValues');
  });

  it(`keeps at most ${keptValues} values with the most answers, the rest as "other"`, async () => {
    const survey = surveyWith(['plan']);
    // 200 distinct values; ten of them answered six times, so the most answered are known.
    const answers: Answered[] = [];
    for (let v = 0; v < 200; v++) {
      const times = v % 20 === 7 ? 6 : 1;
      for (let k = 0; k < times; k++) answers.push({ props: { plan: `v${v}` }, score: (v * 7 + k) % 11 });
    }
    await play(survey, answers);

    const score = await readScore(survey, { by: 'plan' });
    const segments = score.segments as Record<string, { responses: number }>;
    const other = score.otherValues as { responses: number } | undefined;
    expect(Object.keys(segments)).toHaveLength(keptValues);
    expect(other).toBeDefined();
    const byValue = new Map<string, Answered[]>();
    for (const a of answers)
      byValue.set(a.props.plan as string, [...(byValue.get(a.props.plan as string) ?? []), a]);
    // Every kept value is answered at least as often as any value left out.
    const keptMin = Math.min(...Object.keys(segments).map((v) => byValue.get(v)?.length ?? 0));
    const outMax = Math.max(...[...byValue].filter(([v]) => !(v in segments)).map(([, list]) => list.length));
    expect(keptMin).toBeGreaterThanOrEqual(outMax);
    for (let v = 7; v < 200; v += 20) expect(segments).toHaveProperty(`v${v}`);
    // Each value's figures, and "other", equal a recomputation from the answers.
    for (const value of Object.keys(segments)) {
      expect(segments[value], value).toEqual(figures(survey, countsOf(byValue.get(value) ?? [])));
    }
    const rest = answers.filter((a) => !((a.props.plan as string) in segments));
    expect(other).toEqual(figures(survey, countsOf(rest)));
    const counted = Object.values(segments).reduce((n, s) => n + s.responses, 0) + (other?.responses ?? 0);
    expect(counted).toBe(answers.length);
    expect(score.responses).toBe(answers.length);
    // 250 answers, a third of them changed, each record delivered twice: minutes on a busy machine.
  }, 180_000);
});
