/**
 * Triggered invitations: one contact invited now or after a delay (e.g. CSAT 15 minutes after a
 * ticket closes), under the same suppression, throttling, send-window, reminder and expiry rules as
 * a wave, counted on the survey's rolling "triggered" wave so scores and response rates include it.
 */

import { createHash } from 'node:crypto';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { transactionCancelReasons } from '../aws/dynamo-errors.ts';
import { nowIso, nowMs } from '../clock.ts';
import { tableName } from '../config.ts';
import type { Contact } from '../contact/schema.ts';
import { conflict } from '../errors.ts';
import { base32, randomToken } from '../ids.ts';
import type { Invitation } from '../invitation/schema.ts';
import { scheduleName, scheduleOnce } from '../schedule/scheduler.ts';
import { nextWindowOpening } from '../schedule/send-window.ts';
import { invokeSend } from '../send/invoke.ts';
import { chooseContact, invitationFor } from '../send/selection.ts';
import { skipIfSurveyedDays } from '../survey/lifecycle.ts';
import type { Survey } from '../survey/schema.ts';
import { ensureRollingWave, rollingWaveId } from './rolling.ts';

export const triggeredWaveId = (surveyId: string): string => rollingWaveId('triggered', surveyId);

export const invitationIdOf = (token: string): string =>
  `i_${base32(createHash('sha256').update(token).digest()).slice(0, 16)}`;

/** The throttle lock of one contact for one survey's triggered invitations. */
export const triggerLockKey = (surveyId: string, contactId: string) => ({
  pk: `TRIGGER#${surveyId}#${contactId}`,
  sk: 'LOCK',
});

/** The outbox of triggered invitations not yet settled, by due time: what the sweeper looks at. */
export const triggeredOutboxKey = (token: string) => ({ pk: 'TRIGGERED', sk: token });

/**
 * Writes the invitation, its throttle lock, its count on the rolling wave and its outbox entry in one
 * transaction: all or nothing. The lock (one triggered invitation per contact and survey within the
 * skip window, even when two triggers race) therefore never exists without its invitation, so a
 * request that failed half-way and is tried again is not answered "already invited"; and the outbox
 * entry lets the sweeper send an invitation whose own invocation or schedule never came.
 * Answers false when the lock was taken.
 */
async function writeTriggered(survey: Survey, invitation: Invitation, sendAt: string): Promise<boolean> {
  const days = skipIfSurveyedDays(survey);
  const until = nowMs() + days * 86_400_000;
  const contactId = invitation.contactId as string;
  try {
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          ...(days > 0
            ? [
                {
                  Put: {
                    TableName: tableName('system'),
                    Item: {
                      ...triggerLockKey(survey.id, contactId),
                      until,
                      token: invitation.token,
                      expiresAt: Math.ceil(until / 1000),
                    },
                    ConditionExpression: 'attribute_not_exists(pk) OR #until < :now',
                    ExpressionAttributeNames: { '#until': 'until' },
                    ExpressionAttributeValues: { ':now': nowMs() },
                  },
                },
              ]
            : []),
          {
            Put: {
              TableName: tableName('invitations'),
              Item: invitation,
              ConditionExpression: 'attribute_not_exists(#token)',
              ExpressionAttributeNames: { '#token': 'token' },
            },
          },
          {
            Update: {
              TableName: tableName('surveys'),
              Key: { pk: `WAVE#${invitation.waveId}`, sk: 'WAVE' },
              UpdateExpression: 'ADD counts.selected :one',
              ExpressionAttributeValues: { ':one': 1 },
            },
          },
          {
            Put: {
              TableName: tableName('system'),
              Item: { ...triggeredOutboxKey(invitation.token), token: invitation.token, dueAt: sendAt },
            },
          },
        ],
      }),
    );
    return true;
  } catch (err) {
    if (days > 0 && transactionCancelReasons(err)?.[0] === 'ConditionalCheckFailed') return false;
    throw err;
  }
}

export type TriggerResult = { invitationId: string; sendAt: string } | { skipped: string };

export async function triggerInvitation(
  survey: Survey,
  contact: Contact,
  delayMinutes: number,
): Promise<TriggerResult> {
  if (survey.state !== 'published')
    throw conflict(`survey ${survey.id} is ${survey.state}; publish it first`);
  const wave = await ensureRollingWave('triggered', survey);
  const verdict = chooseContact(
    contact,
    { ...survey, audience: { ...survey.audience, where: [], sample: undefined } },
    wave,
    nowMs(),
  );
  if (verdict !== true)
    return { skipped: verdict === 'surveyed recently' ? 'surveyed within the throttle window' : verdict };
  const token = randomToken(survey.id);
  const base = invitationFor(contact, survey, wave, nowIso());
  const delayedTo = nowMs() + delayMinutes * 60_000;
  // The window is judged when the delay is over, not now: open at 16:55 but closed at 17:10 means the
  // next opening (base.sendAfter only knows about now).
  const sendAt = new Date(
    survey.sendWindow
      ? nextWindowOpening(survey.sendWindow, contact.timezone ?? survey.timezone, delayedTo)
      : delayedTo,
  );
  const invitation: Invitation = {
    ...base,
    token,
    sendAfter: sendAt.toISOString(),
    closesAt: new Date(sendAt.getTime() + survey.windowDays * 86_400_000).toISOString(),
  };
  if (!(await writeTriggered(survey, invitation, sendAt.toISOString())))
    return { skipped: 'already invited within the throttle window' };
  // Sent at once only when already due: `send` refuses an invitation whose sendAfter is ahead of it.
  if (sendAt.getTime() <= nowMs()) {
    await invokeSend({ type: 'invitation.send', token });
  } else {
    await scheduleOnce(scheduleName('invite', invitationIdOf(token)), sendAt, 'send', {
      type: 'invitation.send',
      token,
    });
  }
  return { invitationId: invitationIdOf(token), sendAt: sendAt.toISOString() };
}
