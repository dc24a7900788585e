/**
 * A wave's counts, folded from the invitations stream (shared/wave/counts.ts): each fact of an
 * invitation counted once, whatever the stream delivers twice or out of date, in transactions that
 * write the wave's item once per batch, never once per email.
 */
import { BatchGetCommand, DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Invitation } from '../../shared/invitation/schema.ts';
import { factsOf, foldWaveCounts, uncountedOf } from '../../shared/wave/counts.ts';

Object.assign(process.env, { INVITATIONS_TABLE: 'invitations', SURVEYS_TABLE: 'surveys' });
const ddb = mockClient(DynamoDBDocumentClient);

const invitation = (n: number, over: Partial<Invitation> = {}): Invitation => ({
  token: `s_aaaaaaaaaaaaaaaa.${String(n).padStart(24, 'a')}`,
  surveyId: 's_aaaaaaaaaaaaaaaa',
  waveId: n % 2 ? 'w_odd' : 'w_even',
  contactId: `c_${n}`,
  kind: 'nps',
  scale: { min: 0, max: 10 } as Invitation['scale'],
  status: 'sent',
  sentAt: '2026-12-01T00:00:00.000Z',
  createdAt: '2026-12-01T00:00:00.000Z',
  closesAt: '2099-01-01T00:00:00.000Z',
  countedMask: 0,
  uncounted: true,
  ...over,
});

type Action = {
  Update: {
    TableName: string;
    Key: Record<string, string>;
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, unknown>;
    ConditionExpression?: string;
  };
};

/** The stored items, as DynamoDB would keep them, with the fold's conditions enforced. */
let stored: Map<string, Invitation>;
let waves: Map<string, Record<string, number>>;
let transactions: Action[][];

beforeEach(() => {
  ddb.reset();
  stored = new Map();
  waves = new Map();
  transactions = [];
  ddb.on(TransactWriteCommand).callsFake(async (input: { TransactItems: Action[] }) => {
    transactions.push(input.TransactItems);
    const reasons = input.TransactItems.map(({ Update }) => {
      if (Update.TableName !== 'invitations') return 'None';
      const current = stored.get(Update.Key.token as string);
      const values = Update.ExpressionAttributeValues ?? {};
      // As DynamoDB reads the condition: an absent countedReminders passes only where the
      // expression says attribute_not_exists.
      const reminders = Update.ConditionExpression?.includes('attribute_not_exists(countedReminders)')
        ? (current?.countedReminders ?? 0)
        : current?.countedReminders;
      const ok =
        current !== undefined &&
        current.countedMask === values[':seen'] &&
        reminders === values[':seenReminders'];
      return ok ? 'None' : 'ConditionalCheckFailed';
    });
    if (reasons.some((r) => r !== 'None')) {
      throw Object.assign(new Error('Transaction cancelled'), {
        name: 'TransactionCanceledException',
        CancellationReasons: reasons.map((Code) => ({ Code })),
      });
    }
    for (const { Update } of input.TransactItems) {
      const values = Update.ExpressionAttributeValues ?? {};
      if (Update.TableName === 'invitations') {
        const current = stored.get(Update.Key.token as string) as Invitation;
        stored.set(current.token, {
          ...current,
          countedMask: values[':mask'] as number,
          countedReminders: values[':reminders'] as number,
        });
      } else {
        const counts = waves.get(Update.Key.pk as string) ?? {};
        for (const [alias, name] of Object.entries(Update.ExpressionAttributeNames ?? {})) {
          counts[name] = (counts[name] ?? 0) + Number(values[alias.replace('#', ':')]);
        }
        waves.set(Update.Key.pk as string, counts);
      }
    }
    return {};
  });
  ddb
    .on(BatchGetCommand)
    .callsFake(async (input: { RequestItems: Record<string, { Keys: { token: string }[] }> }) => ({
      Responses: {
        invitations: (input.RequestItems.invitations?.Keys ?? [])
          .map(({ token }) => stored.get(token))
          .filter(Boolean),
      },
    }));
});

const store = (...invitations: Invitation[]) => {
  for (const inv of invitations) stored.set(inv.token, inv);
};

describe("a wave's counts, folded from the stream", () => {
  it('reads the facts an invitation holds, each a stamp or a final state', () => {
    expect(uncountedOf(invitation(1))).toEqual({ sent: 1 });
    expect(
      uncountedOf(invitation(1, { status: 'bounced', bouncedAt: 'x', complainedAt: 'y', reminders: 2 })),
    ).toEqual({ sent: 1, bounced: 1, complained: 1, reminded: 2 });
    expect(uncountedOf(invitation(1, { status: 'suppressed', sentAt: undefined }))).toEqual({
      suppressed: 1,
    });
    // Counted already, or from before folding (no mask): nothing.
    expect(uncountedOf(invitation(1, { countedMask: factsOf(invitation(1)) }))).toBeUndefined();
    expect(uncountedOf(invitation(1, { countedMask: undefined }))).toBeUndefined();
    expect(uncountedOf(invitation(1, { reminders: 2, countedReminders: 1, countedMask: 1 }))).toEqual({
      reminded: 1,
    });
  });

  it('counts a batch in one transaction per 50 invitations, one wave update per wave, and nothing twice', async () => {
    const batch = Array.from({ length: 120 }, (_, n) => invitation(n));
    store(...batch);
    expect(await foldWaveCounts(batch)).toBe(120);
    expect(transactions).toHaveLength(3);
    // 50 invitations and the two waves' counts: the wave items are written 2 times per 50 emails.
    expect(transactions[0]).toHaveLength(52);
    expect(waves.get('WAVE#w_odd')).toEqual({ sent: 60 });
    expect(waves.get('WAVE#w_even')).toEqual({ sent: 60 });
    // The same records again (a redelivered batch): the masks moved, so each is read again and
    // nothing more is counted.
    expect(await foldWaveCounts(batch)).toBe(0);
    expect(waves.get('WAVE#w_odd')).toEqual({ sent: 60 });
  });

  it('counts from what the invitation is now when its image is out of date', async () => {
    // The stream shows it sent; meanwhile it bounced, and an earlier fold counted the send.
    const image = invitation(1);
    store(invitation(1, { status: 'bounced', bouncedAt: 'x', countedMask: 1 }));
    expect(await foldWaveCounts([image])).toBe(1);
    expect(waves.get('WAVE#w_odd')).toEqual({ bounced: 1 });
    expect(stored.get(image.token)?.countedMask).toBe(1 | 16);
  });

  it('counts each new fact of an invitation as it comes: sent, then reminded twice, then bounced', async () => {
    const sent = invitation(5);
    store(sent);
    expect(await foldWaveCounts([sent])).toBe(1);
    const reminded = { ...(stored.get(sent.token) as Invitation), reminders: 2 };
    store(reminded);
    expect(await foldWaveCounts([reminded])).toBe(1);
    const bounced = { ...(stored.get(sent.token) as Invitation), status: 'bounced' as const, bouncedAt: 'x' };
    store(bounced);
    expect(await foldWaveCounts([bounced])).toBe(1);
    expect(waves.get('WAVE#w_odd')).toEqual({ sent: 1, reminded: 2, bounced: 1 });
    // Every record of it delivered again: nothing more.
    expect(await foldWaveCounts([sent, reminded, bounced])).toBe(0);
    expect(waves.get('WAVE#w_odd')).toEqual({ sent: 1, reminded: 2, bounced: 1 });
  });

  it('takes the latest image of an invitation within a batch', async () => {
    const first = invitation(3, { status: 'sending', sentAt: undefined });
    const last = invitation(3);
    store(last);
    expect(await foldWaveCounts([first, last])).toBe(1);
    expect(transactions).toHaveLength(1);
    expect(waves.get('WAVE#w_odd')).toEqual({ sent: 1 });
  });
});
