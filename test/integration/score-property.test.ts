/**
 * Exactly-once scores, as a property: whatever answers arrive (first answers, edits, exact repeats,
 * two different answers at once) and however the stream delivers them to the `score` function
 * (out of order, twice, in batches that crash before or after the transaction commits, or whose
 * success is lost so the whole batch comes again), once every record has been delivered each
 * aggregate (`ALL`, `W#…`, `D#…`, `P#…`, a 2,000-byte property value's included) equals the same counts recomputed from the stored answers.
 *
 * Delivery is played by the test, not by the stack's poller, so every interleaving is chosen (and
 * reproducible from the printed seed: NPSWAVE_PROPERTY_SEED=<seed> replays a run). It runs against
 * its own in-memory DynamoDB Local, with the handler modules in this process.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb.ts';
import { ensureTables } from '../../local/dynamodb-tables.ts';
import { applyEnvironment, fakeCredentials, handlerEnvironment, localRegion } from '../../local/env.ts';
import { freePort } from '../../local/ports.ts';
import { dynamo, resetClients } from '../../shared/aws/clients.ts';
import { advanceClock, nowIso } from '../../shared/clock.ts';
import { resetConfigCache, tableName } from '../../shared/config.ts';
import type { Invitation } from '../../shared/invitation/schema.ts';
import { getInvitation, putInvitationOnce } from '../../shared/invitation/store.ts';
import { type Answer, recordResponseOnce } from '../../shared/response/record.ts';

type Handler = (event: DynamoDBStreamEvent) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

const seed = Number(process.env.NPSWAVE_PROPERTY_SEED ?? Date.now() % 2 ** 31);
const numRuns = 25;
const invitationsPerRun = 3;
/** The last invitation belongs to an anonymous survey: its answers never reach the contact. */
const anonymousIndex = invitationsPerRun - 1;
const contactIdOf = (surveyId: string, i: number) => `${surveyId}-c${i}`;

// ---- Faults: a crash of the consumer around its transaction ----------------------------------

type Crash = 'none' | 'before-transaction' | 'after-transaction';
class SimulatedCrash extends Error {
  override name = 'SimulatedCrash';
}
let armed: Crash = 'none';

/** The next transaction of the consumer fails: before it reaches DynamoDB, or after it committed. */
function installCrashMiddleware(): void {
  dynamo().middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'TransactWriteItemsCommand' || armed === 'none') return next(args);
      const crash = armed;
      armed = 'none';
      if (crash === 'before-transaction') throw new SimulatedCrash('crashed before the transaction');
      await next(args);
      throw new SimulatedCrash('crashed after the transaction committed');
    },
    { step: 'initialize', name: 'propertyCrashes' },
  );
}

// ---- The model: operations and a stream of "this invitation changed" records ------------------

const comments = [undefined, 'great', 'slow support', 'ok'] as const;
const answerArb = fc.record({
  score: fc.integer({ min: 0, max: 10 }),
  comment: fc.constantFrom(...comments),
});

type AnswerIn = { score: number; comment: string | undefined };
type Op =
  | { op: 'submit'; inv: number; answer: { score: number; comment: string | undefined } }
  | { op: 'repeat'; inv: number }
  | { op: 'concurrent'; inv: number; a: AnswerIn; b: AnswerIn }
  | { op: 'nextDay' }
  | { op: 'deliver'; count: number; shuffle: number | null; crash: Crash; ackLost: boolean; twice: boolean }
  | { op: 'racingConsumers'; count: number };

const inv = fc.integer({ min: 0, max: invitationsPerRun - 1 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('submit' as const), inv, answer: answerArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('repeat' as const), inv }) },
  {
    weight: 2,
    arbitrary: fc
      .record({ op: fc.constant('concurrent' as const), inv, a: answerArb, b: answerArb })
      .filter(({ a, b }) => a.score !== b.score || a.comment !== b.comment),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'nextDay' as const }) },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('deliver' as const),
      count: fc.integer({ min: 1, max: 4 }),
      shuffle: fc.option(fc.integer({ min: 1, max: 2 ** 31 - 1 })),
      crash: fc.constantFrom<Crash>('none', 'none', 'before-transaction', 'after-transaction'),
      ackLost: fc.boolean(),
      twice: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('racingConsumers' as const),
      count: fc.integer({ min: 1, max: 4 }),
    }),
  },
);

const toAnswer = (a: AnswerIn): Answer => ({
  score: a.score,
  ...(a.comment !== undefined && { comment: a.comment }),
});

let sequence = 0;
/** A stream record as DynamoDB Streams writes it for an answered invitation (NEW_IMAGE). */
const streamRecord = (saved: Invitation): DynamoDBRecord => ({
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

/** The consumer's side: records waiting for delivery, redelivered as Lambda would. */
class Stream {
  pending: DynamoDBRecord[] = [];

  constructor(private readonly handler: Handler) {}

  /** Delivers one batch; what failed (and everything after it) goes back to the head of the stream. */
  async deliver(batch: DynamoDBRecord[], crash: Crash = 'none'): Promise<void> {
    armed = crash;
    const { batchItemFailures } = await this.handler({ Records: batch });
    armed = 'none';
    const failed = batchItemFailures[0]?.itemIdentifier;
    if (failed === undefined) return;
    const at = batch.findIndex((r) => r.dynamodb?.SequenceNumber === failed);
    expect(at).toBeGreaterThanOrEqual(0);
    this.pending.unshift(...batch.slice(at));
  }

  /** The next `count` records, in stream order or (given a seed) shuffled. */
  take(count: number, shuffleSeed: number | null = null): DynamoDBRecord[] {
    const batch = this.pending.splice(0, count);
    if (shuffleSeed === null) return batch;
    let state = shuffleSeed;
    for (let i = batch.length - 1; i > 0; i--) {
      state = (state * 48_271) % 2_147_483_647;
      const j = state % (i + 1);
      [batch[i], batch[j]] = [batch[j] as DynamoDBRecord, batch[i] as DynamoDBRecord];
    }
    return batch;
  }

  async drain(): Promise<void> {
    for (let guard = 0; this.pending.length > 0; guard++) {
      if (guard > 1000) throw new Error('the stream does not drain');
      await this.deliver(this.take(10));
    }
  }
}

// ---- The oracle: aggregates recomputed from the stored answers -----------------------------------

type Tally = { responses: number; sum: number; dist: Record<string, number> };

function expectedAggregates(invitations: Invitation[]): Map<string, Tally> {
  const tallies = new Map<string, Tally>();
  for (const invitation of invitations) {
    if (invitation.score === undefined) continue;
    const keys = ['ALL', `W#${invitation.waveId}`, `D#${invitation.firstRespondedAt?.slice(0, 10)}`];
    for (const [name, value] of Object.entries(invitation.reportProps ?? {})) {
      keys.push(`P#${name}`, `P#${name}#${value}`);
    }
    for (const key of keys) {
      const t = tallies.get(key) ?? { responses: 0, sum: 0, dist: {} };
      t.responses += 1;
      t.sum += invitation.score;
      t.dist[`d${invitation.score}`] = (t.dist[`d${invitation.score}`] ?? 0) + 1;
      tallies.set(key, t);
    }
  }
  return tallies;
}

function tallyOf(item: Record<string, unknown>): Tally {
  const dist: Record<string, number> = {};
  for (const [name, value] of Object.entries(item)) {
    if (/^d\d+$/.test(name) && Number(value) !== 0) dist[name] = Number(value);
  }
  return { responses: Number(item.responses ?? 0), sum: Number(item.sum ?? 0), dist };
}

async function storedAggregates(surveyId: string): Promise<Map<string, Tally>> {
  const { Items = [] } = await dynamo().send(
    new QueryCommand({
      TableName: tableName('aggregates'),
      KeyConditionExpression: 'surveyId = :s',
      ExpressionAttributeValues: { ':s': surveyId },
      ConsistentRead: true,
    }),
  );
  const found = new Map<string, Tally>();
  for (const item of Items) {
    const tally = tallyOf(item);
    // An item whose counts all went back to zero says the same as no item.
    // A value's item is named here by the value it holds: a long one's key is a hash of it.
    const key =
      item.value === undefined
        ? String(item.key)
        : `${String(item.key).split('#', 2).join('#')}#${item.value}`;
    if (tally.responses !== 0 || tally.sum !== 0 || Object.keys(tally.dist).length > 0) found.set(key, tally);
  }
  return found;
}

async function storedInvitations(surveyId: string): Promise<Invitation[]> {
  const { Items = [] } = await dynamo().send(
    new ScanCommand({
      TableName: tableName('invitations'),
      FilterExpression: 'surveyId = :s',
      ExpressionAttributeValues: { ':s': surveyId },
      ConsistentRead: true,
    }),
  );
  return Items as Invitation[];
}

// ---- One run ---------------------------------------------------------------------------------

let runNumber = 0;

async function seedInvitations(surveyId: string): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < invitationsPerRun; i++) {
    const token = `${surveyId}.t${i}`;
    const contactId = contactIdOf(surveyId, i);
    await dynamo().send(
      new PutCommand({
        TableName: tableName('contacts'),
        Item: {
          id: contactId,
          email: `c${i}@example.com`,
          status: 'subscribed',
          properties: {},
          feedback: {},
        },
      }),
    );
    await putInvitationOnce({
      token,
      surveyId,
      waveId: `${surveyId}-w${i % 2}`,
      contactId,
      kind: 'nps',
      scale: { min: 0, max: 10 },
      status: 'sent',
      createdAt: nowIso(),
      closesAt: '2999-01-01T00:00:00.000Z',
      // One value longer than a sort key allows (2,000 bytes): it is counted under a hash of itself.
      reportProps: { plan: i % 2 ? 'pro' : 'free', region: 'EU', ...(i === 1 && { note: 'é'.repeat(1000) }) },
      ...(i === anonymousIndex && { anonymous: true }),
    });
    tokens.push(token);
  }
  return tokens;
}

/** Plays the operations on fresh invitations, delivers everything, answers the stored invitations. */
async function play(ops: Op[]): Promise<{ surveyId: string; invitations: Invitation[] }> {
  const surveyId = `s_prop${String(++runNumber).padStart(4, '0')}${Date.now().toString(36)}`;
  const tokens = await seedInvitations(surveyId);
  const stream = new Stream(handler);
  const tokenOf = (i: number) => tokens[i] as string;
  // As the respond handler does: the survey's anonymity goes with every answer.
  const answer = (i: number, a: Answer) =>
    recordResponseOnce(tokenOf(i), a, { anonymous: i === anonymousIndex });

  for (const step of ops) {
    switch (step.op) {
      case 'submit':
        stream.pending.push(streamRecord(await answer(step.inv, toAnswer(step.answer))));
        break;
      case 'repeat': {
        const before = await getInvitation(tokenOf(step.inv), true);
        if (before?.score === undefined) break;
        const again = await answer(step.inv, {
          score: before.score,
          ...(before.comment !== undefined && { comment: before.comment }),
        });
        // The same content again changes nothing: no new version, so no record either.
        expect(again.responseVersion).toBe(before.responseVersion);
        break;
      }
      case 'concurrent': {
        const saved = await Promise.all([
          answer(step.inv, toAnswer(step.a)),
          answer(step.inv, toAnswer(step.b)),
        ]);
        for (const s of saved) stream.pending.push(streamRecord(s));
        break;
      }
      case 'nextDay':
        advanceClock(86_400_000);
        break;
      case 'deliver': {
        const batch = stream.take(step.count, step.shuffle);
        if (batch.length === 0) break;
        await stream.deliver(batch, step.crash);
        // The function succeeded but its answer was lost (timeout, throttle): Lambda sends it all again.
        if (step.ackLost) stream.pending.unshift(...batch);
        if (step.twice) await stream.deliver(batch);
        break;
      }
      case 'racingConsumers': {
        // Two invocations working on the same records at once (a retry overlapping a slow first try).
        const batch = stream.take(step.count);
        if (batch.length === 0) break;
        const results = await Promise.all([
          handler({ Records: batch }),
          handler({ Records: [...batch].reverse() }),
        ]);
        if (results.some((r) => r.batchItemFailures.length > 0)) stream.pending.unshift(...batch);
        break;
      }
    }
  }
  await stream.drain();

  const invitations = await storedInvitations(surveyId);
  expect(invitations).toHaveLength(invitationsPerRun);
  for (const invitation of invitations) {
    // Everything answered is counted, at its current version and score.
    expect(invitation.countedVersion).toBe(invitation.responseVersion);
    expect(invitation.countedScore).toBe(invitation.score);
  }
  return { surveyId, invitations };
}

async function feedbackOf(contactId: string): Promise<unknown> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName('contacts'), Key: { id: contactId }, ConsistentRead: true }),
  );
  return (Item?.feedback as Record<string, unknown> | undefined)?.nps;
}

// ---- The test --------------------------------------------------------------------------------

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
  installCrashMiddleware();
  ({ handler } = (await import('../../functions/score/handler.ts')) as unknown as { handler: Handler });
});

afterAll(async () => {
  resetClients();
  await db?.stop();
});

/** Runs a property with the seed printed, and the consumer's logging of simulated crashes muted. */
async function check(name: string, property: fc.IAsyncProperty<[Op[]]>): Promise<void> {
  console.log(`${name}: seed ${seed} (replay with NPSWAVE_PROPERTY_SEED=${seed})`);
  const log = console.error;
  console.error = () => {};
  try {
    await fc.assert(property, { seed, numRuns });
  } finally {
    console.error = log;
  }
}

describe('the score consumer', () => {
  it('keeps every aggregate equal to a recomputation from the stored answers', async () => {
    await check(
      'aggregates',
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 30 }), async (ops) => {
        const { surveyId, invitations } = await play(ops);
        expect(Object.fromEntries(await storedAggregates(surveyId))).toEqual(
          Object.fromEntries(expectedAggregates(invitations)),
        );
      }),
    );
  });

  it("leaves each contact's feedback at its latest answer, crashes and redeliveries included", async () => {
    // One answer at a time here: two at once may store the earlier-stamped one last, a separate question.
    const sequential = opArb.filter((op) => op.op !== 'concurrent' && op.op !== 'repeat');
    await check(
      'feedback',
      fc.asyncProperty(fc.array(sequential, { minLength: 1, maxLength: 30 }), async (ops) => {
        const { surveyId, invitations } = await play(ops);
        for (const invitation of invitations) {
          const i = Number(invitation.token.slice(invitation.token.lastIndexOf('.t') + 2));
          const feedback = await feedbackOf(contactIdOf(surveyId, i));
          if (invitation.score === undefined || i === anonymousIndex) {
            expect(feedback, invitation.token).toBeUndefined();
            continue;
          }
          expect(feedback, invitation.token).toEqual({
            lastRating: invitation.score,
            ...(invitation.comment !== undefined && { lastComment: invitation.comment }),
            lastResponseAt: invitation.respondedAt,
          });
        }
      }),
    );
  });
});
