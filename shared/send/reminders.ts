/**
 * Reminder `n` of a wave: to invitations sent and not answered, not expired, whose contact is still
 * subscribed. The same intent-before-send rule as the first send: an invitation is claimed for
 * reminder n (`reminderClaim = n`) before SES is called and settled (`reminders = n`, counted on the
 * wave) after, so a schedule firing twice or a crash mid-way reminds nobody twice.
 */
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { isConditionFailure } from '../aws/dynamo-errors.ts';
import { nowIso } from '../clock.ts';
import { tableName } from '../config.ts';
import { getContact } from '../contact/store.ts';
import type { Invitation } from '../invitation/schema.ts';
import { queryWaveInvitations } from '../invitation/store.ts';
import type { Survey } from '../survey/schema.ts';
import { requireSurvey } from '../survey/store.ts';
import { getWave } from '../wave/store.ts';
import { mapConcurrent } from './concurrency.ts';
import { composeEmail, staleClaimMs } from './delivery.ts';
import { TokenBucket } from './pacer.ts';
import { classifySendError, sendEmail } from './ses.ts';

export type RemindResult = 'done' | 'more' | 'closed';

async function claim(inv: Invitation, n: number): Promise<boolean> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName('invitations'),
        Key: { token: inv.token },
        UpdateExpression: 'SET reminderClaim = :n, reminderClaimAt = :t',
        ConditionExpression:
          '#status = :sent AND closesAt > :now AND (attribute_not_exists(reminders) OR reminders < :n) AND ' +
          '(attribute_not_exists(reminderClaim) OR reminderClaim < :n OR reminderClaimAt < :stale)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':n': n,
          ':t': Date.now(),
          ':stale': Date.now() - staleClaimMs(),
          ':sent': 'sent',
          ':now': nowIso(),
        },
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

async function settle(inv: Invitation, n: number): Promise<void> {
  await dynamo().send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: tableName('invitations'),
            Key: { token: inv.token },
            UpdateExpression:
              'SET reminders = :n, lastRemindedAt = :at REMOVE reminderClaim, reminderClaimAt',
            ConditionExpression: 'reminderClaim = :n',
            ExpressionAttributeValues: { ':n': n, ':at': nowIso() },
          },
        },
        {
          Update: {
            TableName: tableName('surveys'),
            Key: { pk: `WAVE#${inv.waveId}`, sk: 'WAVE' },
            UpdateExpression: 'ADD counts.reminded :one',
            ExpressionAttributeValues: { ':one': 1 },
          },
        },
      ],
    }),
  );
}

async function release(inv: Invitation): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName('invitations'),
      Key: { token: inv.token },
      UpdateExpression: 'REMOVE reminderClaim, reminderClaimAt',
    }),
  );
}

export async function remindOne(
  inv: Invitation,
  survey: Survey,
  n: number,
  bucket: TokenBucket,
): Promise<void> {
  if ((inv.reminders ?? 0) >= n || !(await claim(inv, n))) return;
  const contact = inv.contactId ? await getContact(inv.contactId) : undefined;
  if (contact?.status !== 'subscribed') {
    await release(inv);
    return;
  }
  for (let attempt = 0; ; attempt++) {
    await bucket.take();
    try {
      await sendEmail(composeEmail(inv, survey, contact, n));
      await settle(inv, n);
      return;
    } catch (err) {
      const kind = classifySendError(err);
      if (kind === 'permanent' || attempt >= 6) {
        console.error('remind: giving up on', inv.token, (err as Error).name);
        await release(inv);
        return;
      }
      if (kind === 'throttled') bucket.drain();
      await new Promise((r) => setTimeout(r, Math.min(10_000, 200 * 2 ** attempt)));
    }
  }
}

/** Sends reminder n of a wave until done or the real-time deadline. */
export async function remindWave(
  waveId: string,
  n: number,
  deadline: number,
  rate: number,
): Promise<RemindResult> {
  const wave = await getWave(waveId);
  if (!wave || wave.status === 'closed' || wave.closesAt <= nowIso()) return 'closed';
  const survey = await requireSurvey(wave.surveyId);
  const bucket = new TokenBucket(rate);
  let start: Record<string, unknown> | undefined;
  do {
    if (Date.now() >= deadline) return 'more';
    const page = await queryWaveInvitations(waveId, ['sent'], start, 100);
    await mapConcurrent(page.items, 8, (inv) => remindOne(inv, survey, n, bucket));
    start = page.next;
  } while (start);
  return 'done';
}
