/**
 * Expiry across invocations: a wave with more open invitations than one invocation may settle goes
 * on in fresh invocations of the expire function, each from where the last stopped, until nothing is
 * open; then the wave closes. Lambda may deliver any of these events twice, so every invitation must
 * still expire once and be counted once. The expire handler runs in this process against the shared
 * stack's DynamoDB Local with a time budget that runs out after one page; this test plays Lambda,
 * delivering each asynchronous invoke the handler makes (the Lambda client is mocked).
 */
import { randomInt } from 'node:crypto';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { BatchWriteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../functions/expire/handler.ts';
import { applyEnvironment, handlerEnvironment } from '../../local/env.ts';
import { resetClients } from '../../shared/aws/clients.ts';
import { setClockOffset } from '../../shared/clock.ts';
import { resetConfigCache } from '../../shared/config.ts';
import { jobBudget } from '../../shared/lambda/budget.ts';
import { zeroCounts } from '../../shared/wave/schema.ts';
import { advanceClock, documentClient, stack, tableName, waveInvitations } from './setup/helpers.ts';

const lambda = mockClient(LambdaClient);
const base32 = 'abcdefghijklmnopqrstuvwxyz234567';
const randomId = (prefix: string) =>
  `${prefix}_${Array.from({ length: 16 }, () => base32[randomInt(32)]).join('')}`;

/** The handler's deadline is spent as soon as it starts: it settles one page, then hands over. */
const tinyBudget = { getRemainingTimeInMillis: () => jobBudget.marginMs + 1 };

let now: Date;

beforeAll(async () => {
  const info = stack();
  applyEnvironment(
    handlerEnvironment({
      gatewayUrl: info.url,
      dynamoUrl: info.dynamoUrl,
      sesUrl: info.sesUrl,
      controlUrl: info.controlUrl,
      adminKeyHash: '0'.repeat(64),
    }),
  );
  resetConfigCache();
  resetClients();
  // The stack's clock may have been moved on by other tests: this process keeps the same time.
  now = await advanceClock(0);
  setClockOffset(now.getTime() - Date.now());
});

afterAll(() => {
  lambda.restore();
});

const openStatuses = ['queued', 'sending', 'sent'] as const;
const settledStatuses = ['responded', 'bounced', 'failed'] as const;

/** A wave past its close with `open` open invitations and a few settled ones, written directly. */
async function closedWaveWithOpenInvitations(open: number, settled: number) {
  const surveyId = randomId('s');
  const waveId = randomId('w');
  const closesAt = new Date(now.getTime() - 3_600_000).toISOString();
  const startedAt = new Date(now.getTime() - 15 * 86_400_000).toISOString();
  await documentClient().send(
    new PutCommand({
      TableName: tableName('surveys'),
      Item: {
        pk: `WAVE#${waveId}`,
        sk: 'WAVE',
        gsi1pk: `SURVEY#${surveyId}#WAVES`,
        gsi1sk: startedAt,
        id: waveId,
        surveyId,
        status: 'open',
        phase: 'sent',
        trigger: 'api',
        startedAt,
        closesAt,
        counts: zeroCounts(),
        secret: 'test',
      },
    }),
  );
  const invitations = Array.from({ length: open + settled }, (_, i) => ({
    token: `${surveyId}.${waveId}-${String(i).padStart(4, '0')}`,
    surveyId,
    waveId,
    contactId: `c_${String(i).padStart(4, '0')}`,
    kind: 'nps',
    scale: { min: 0, max: 10 },
    status: i < open ? openStatuses[i % 3] : settledStatuses[i % 3],
    createdAt: startedAt,
    closesAt,
  }));
  for (let i = 0; i < invitations.length; i += 25) {
    await documentClient().send(
      new BatchWriteCommand({
        RequestItems: {
          [tableName('invitations')]: invitations.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
        },
      }),
    );
  }
  return { waveId, invitations };
}

const waveItem = async (waveId: string) =>
  (
    await documentClient().send(
      new GetCommand({
        TableName: tableName('surveys'),
        Key: { pk: `WAVE#${waveId}`, sk: 'WAVE' },
        ConsistentRead: true,
      }),
    )
  ).Item;

const invitationsOf = (waveId: string) => waveInvitations(waveId);

/** The asynchronous invokes made so far, as Lambda would receive them. */
const invokedEvents = (): { functionName: string; event: unknown }[] =>
  lambda.commandCalls(InvokeCommand).map((call) => ({
    functionName: call.args[0].input.FunctionName ?? '',
    event: JSON.parse(new TextDecoder().decode(call.args[0].input.Payload as Uint8Array)),
  }));

describe('expire', () => {
  it('settles a large wave across several invocations, each invitation expired and counted once', async () => {
    lambda.reset();
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    const open = 450;
    const { waveId, invitations } = await closedWaveWithOpenInvitations(open, 30);

    // The schedule fires twice at once (Scheduler delivers at least once); then every continuation
    // is delivered, in order, until none is asked for.
    const first = { waveId };
    const results = await Promise.all([handler(first, tinyBudget), handler(first, tinyBudget)]);
    let delivered = 0;
    while (delivered < invokedEvents().length) {
      const next = invokedEvents()[delivered++];
      results.push(await handler(next?.event, tinyBudget));
      expect(delivered).toBeLessThan(50);
    }

    const calls = invokedEvents();
    // 480 invitations, 200 a page: each chain takes three invocations, so two hand-overs each.
    expect(calls.length).toBe(4);
    for (const call of calls) {
      expect(call.functionName).toBe(process.env.EXPIRE_FUNCTION_ARN);
      expect(call.event).toMatchObject({ waveId, after: { waveId } });
    }
    expect(results.filter((r) => (r as { result: string }).result === 'more')).toHaveLength(4);

    const wave = await waveItem(waveId);
    expect(wave).toMatchObject({ status: 'closed', counts: { ...zeroCounts(), expired: open } });
    const closedAt = wave?.closedAt;
    expect(typeof closedAt).toBe('string');
    const byToken = new Map((await invitationsOf(waveId)).map((item) => [item.token, item]));
    for (const [i, invitation] of invitations.entries()) {
      const stored = byToken.get(invitation.token);
      if (i < open) expect(stored).toMatchObject({ status: 'expired', expiredAt: expect.any(String) });
      else expect(stored).toMatchObject({ status: invitation.status });
    }

    // A late duplicate of any of these events finds the wave closed: nothing moves, not even closedAt.
    lambda.reset();
    expect(await handler(calls[0]?.event, tinyBudget)).toEqual({ waveId, result: 'closed' });
    expect(await handler(first, tinyBudget)).toEqual({ waveId, result: 'closed' });
    expect(invokedEvents()).toEqual([]);
    expect(await waveItem(waveId)).toMatchObject({ closedAt, counts: { expired: open } });
  });

  it('closes a wave in one invocation when the budget allows', async () => {
    lambda.reset();
    const { waveId } = await closedWaveWithOpenInvitations(30, 3);
    expect(await handler({ waveId })).toEqual({ waveId, result: 'closed' });
    expect(invokedEvents()).toEqual([]);
    expect(await waveItem(waveId)).toMatchObject({ status: 'closed', counts: { expired: 30 } });
  });

  it('refuses an event that is not its own', async () => {
    await expect(handler({ waveId: 'w_nope' })).rejects.toThrow(/^expire: bad event: /);
  });
});
