/**
 * Reminder `n` of a wave: to invitations sent and not answered, not expired, whose contact is still
 * subscribed. The same intent-before-send rule as the first send: an invitation is claimed for
 * reminder n (`reminderClaim = n`) before SES is called and settled (`reminders = n`, counted on the
 * wave) after, so a schedule firing twice or a crash mid-way reminds nobody twice. With a send
 * window, a contact outside it waits: the reminder resumes at the window's next opening.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { isConditionFailure } from '../aws/dynamo-errors.ts';
import { nowIso, nowMs } from '../clock.ts';
import { tableName } from '../config.ts';
import { getContact } from '../contact/store.ts';
import { tokenRef } from '../ids.ts';
import type { Invitation } from '../invitation/schema.ts';
import { queryWaveInvitations, updateInvitationCounted } from '../invitation/store.ts';
import { scheduleName, scheduleOnce } from '../schedule/scheduler.ts';
import { nextWindowOpening } from '../schedule/send-window.ts';
import type { Survey } from '../survey/schema.ts';
import { requireSurvey } from '../survey/store.ts';
import { getWave } from '../wave/store.ts';
import { mapConcurrent } from './concurrency.ts';
import { composeEmail, staleClaimMs } from './delivery.ts';
import { TokenBucket } from './pacer.ts';
import { classifySendError, sendEmail } from './ses.ts';

/** done; more: the deadline came first; closed; waiting: some wait for a send window (scheduled). */
export type RemindResult = 'done' | 'more' | 'closed' | 'waiting';

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

/**
 * Records reminder n as sent and counts it on the wave, in one transaction. A claim taken over
 * meanwhile (the condition fails) is left to its new owner.
 */
async function settle(inv: Invitation, n: number): Promise<void> {
  await updateInvitationCounted(
    inv,
    {
      set: 'SET reminders = :n, lastRemindedAt = :at REMOVE reminderClaim, reminderClaimAt',
      condition: 'reminderClaim = :n',
      values: { ':n': n, ':at': nowIso() },
    },
    'reminded',
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

/** What became of one invitation: reminded, nothing to do, or its send window opens later. */
export type RemindOutcome = 'reminded' | 'skipped' | { waitUntil: number };

export async function remindOne(
  inv: Invitation,
  survey: Survey,
  n: number,
  bucket: TokenBucket,
): Promise<RemindOutcome> {
  if ((inv.reminders ?? 0) >= n) return 'skipped';
  // The contact comes first: an unsubscribed one needs no claim, and the window is in its zone.
  const contact = inv.contactId ? await getContact(inv.contactId) : undefined;
  if (contact?.status !== 'subscribed') return 'skipped';
  if (survey.sendWindow) {
    // A reminder is an email like the first: only inside the contact's send window.
    const now = nowMs();
    const opening = nextWindowOpening(survey.sendWindow, contact.timezone ?? survey.timezone, now);
    if (opening > now) return { waitUntil: opening };
  }
  if (!(await claim(inv, n))) return 'skipped';
  // Only SES's answer is retried here: once it has taken the email, a failure to record that must
  // not send it again (nor release the claim, which would let the next firing send it again).
  for (let attempt = 0; ; attempt++) {
    await bucket.take();
    try {
      await sendEmail(composeEmail(inv, survey, contact, n));
      break;
    } catch (err) {
      const kind = classifySendError(err);
      if (kind === 'permanent' || attempt >= 6) {
        console.error('remind: giving up on', tokenRef(inv.token), (err as Error).name);
        await release(inv);
        return 'skipped';
      }
      if (kind === 'throttled') bucket.drain();
      await new Promise((r) => setTimeout(r, Math.min(10_000, 200 * 2 ** attempt)));
    }
  }
  await settle(inv, n);
  return 'reminded';
}

/** The earliest send-window opening among outcomes, if any waits. */
export function earliestWait(outcomes: readonly RemindOutcome[]): number | undefined {
  let earliest: number | undefined;
  for (const o of outcomes) {
    if (typeof o === 'object' && (earliest === undefined || o.waitUntil < earliest)) earliest = o.waitUntil;
  }
  return earliest;
}

/**
 * Reminder n again at a send-window opening: one schedule per distinct opening (named by its
 * minute), never one per contact. Nothing when the invitations close first.
 */
export async function scheduleReminderAt(
  target: { waveId: string } | { token: string },
  id: string,
  n: number,
  at: number,
  closesAt: string,
): Promise<boolean> {
  if (at >= Date.parse(closesAt)) return false;
  await scheduleOnce(
    scheduleName('remind', id, String(n), String(Math.floor(at / 60_000))),
    new Date(at),
    'remind',
    { ...target, reminder: n },
  );
  return true;
}

/**
 * Sends reminder n of a wave until done or the real-time deadline. Invitations whose contacts are
 * outside their send window wait: the wave's reminder resumes at the earliest opening (`waiting`).
 */
export async function remindWave(
  waveId: string,
  n: number,
  deadline: number,
  rate: number,
): Promise<RemindResult> {
  const wave = await getWave(waveId);
  if (!wave || wave.status === 'closed' || wave.closesAt <= nowIso()) return 'closed';
  const survey = await requireSurvey(wave.surveyId);
  // Unpublished: the emailed invitations stay answerable until they close, but nobody is emailed
  // again about a survey its owners took down.
  if (survey.state !== 'published') return 'closed';
  const bucket = new TokenBucket(rate);
  let waitUntil: number | undefined;
  let start: Record<string, unknown> | undefined;
  do {
    if (Date.now() >= deadline) return 'more';
    const page = await queryWaveInvitations(waveId, ['sent'], start, 100);
    const outcomes = await mapConcurrent(page.items, 8, (inv) => remindOne(inv, survey, n, bucket));
    const wait = earliestWait(outcomes);
    if (wait !== undefined && (waitUntil === undefined || wait < waitUntil)) waitUntil = wait;
    start = page.next;
  } while (start);
  if (waitUntil !== undefined && (await scheduleReminderAt({ waveId }, waveId, n, waitUntil, wave.closesAt)))
    return 'waiting';
  return 'done';
}
