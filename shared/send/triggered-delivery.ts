/**
 * Sending one triggered invitation when its time comes, then giving it its own expiry and reminder
 * schedules (a triggered invitation has no wave send of its own to hang them on). Each invitation
 * has an outbox entry until it is settled (shared/wave/triggered.ts); the sweeper sends those whose
 * invocation or schedule never came, whose claim went stale, or that SES kept refusing for a while.
 */
import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { nowIso, nowMs } from '../clock.ts';
import { tableName } from '../config.ts';
import { getInvitation, settleInvitation } from '../invitation/store.ts';
import { scheduleName, scheduleOnce } from '../schedule/scheduler.ts';
import { requireSurvey } from '../survey/store.ts';
import { invitationIdOf, triggeredOutboxKey } from '../wave/triggered.ts';
import { staleClaimMs } from './claim.ts';
import { type DeliveryOutcome, deliverInvitation } from './delivery.ts';
import { remindOne, remindRetryMs, scheduleReminderAt } from './reminders.ts';
import { SesAccountError, sesPacer } from './ses.ts';

/** Not yet: an outcome after which the invitation is looked at again (on a schedule, and by the sweeper). */
const unsettled = new Set<string>(['pending', 'retry-later', 'paused', 'deferred', 'not-due']);

export async function sendTriggered(
  token: string,
  deadline: number,
): Promise<DeliveryOutcome | 'not-found' | 'not-due'> {
  const inv = await getInvitation(token, true);
  if (!inv) return 'not-found';
  if (inv.status !== 'queued' && inv.status !== 'sending') {
    // Sent by a run that may have died before its reminders and expiry: make sure of them (named,
    // so made once) before the outbox lets it go.
    if (inv.status === 'sent') {
      const survey = await requireSurvey(inv.surveyId);
      await scheduleFollowUps(token, inv.closesAt, survey.reminders);
    }
    await leaveOutbox(token);
    return 'skipped';
  }
  // Never emailed before its own time was up (SES paused for weeks): it expires unsent.
  if (inv.closesAt <= nowIso()) {
    await expireTriggered(token);
    return 'skipped';
  }
  if (inv.sendAfter && inv.sendAfter > nowIso()) return 'not-due';
  const survey = await requireSurvey(inv.surveyId);
  const id = invitationIdOf(token);
  const again = (at: number, why: string) =>
    scheduleOnce(scheduleName('invite', id, why, String(Math.floor(at / 1000))), new Date(at), 'send', {
      type: 'invitation.send',
      token,
    });
  let pacer: Awaited<ReturnType<typeof sesPacer>>;
  try {
    pacer = await sesPacer();
  } catch (err) {
    if (!(err instanceof SesAccountError)) throw err;
    console.error(`ALERT send: triggered invitation ${id} waits: ${err.message}`);
    await again(nowMs() + remindRetryMs, 'paused');
    return 'paused';
  }
  const outcome = await deliverInvitation(inv, survey, {
    pacer,
    deadline,
    // Its send window closed before it could go: it goes at the next opening, on a schedule of its
    // own (the one that fired may exist until this run ends, so the name carries the new time).
    onDeferred: (_, sendAfter) => again(Date.parse(sendAfter), 'window'),
  });
  if (outcome === 'pending') await again(nowMs() + staleClaimMs(), 'pending');
  if (outcome === 'retry-later' || outcome === 'paused') await again(nowMs() + remindRetryMs, 'retry');
  // Also when an earlier run sent it and died before its schedules (the names make them once).
  if (outcome === 'sent') await scheduleFollowUps(token, inv.closesAt, survey.reminders);
  if (!unsettled.has(outcome)) await leaveOutbox(token);
  return outcome;
}

/** The expiry and reminder schedules of a sent triggered invitation (named, so made once). */
async function scheduleFollowUps(
  token: string,
  closesAt: string,
  reminders: { count: number; afterDays: number },
): Promise<void> {
  const id = invitationIdOf(token);
  await scheduleOnce(scheduleName('expire', id), new Date(closesAt), 'expire', { token });
  const closes = Date.parse(closesAt);
  for (let n = 1; n <= reminders.count; n++) {
    const at = nowMs() + n * reminders.afterDays * 86_400_000;
    if (at >= closes) break;
    await scheduleOnce(scheduleName('remind', id, String(n)), new Date(at), 'remind', { token, reminder: n });
  }
}

/** Takes a settled invitation out of the outbox. */
async function leaveOutbox(token: string): Promise<void> {
  await dynamo().send(new DeleteCommand({ TableName: tableName('system'), Key: triggeredOutboxKey(token) }));
}

/**
 * The sweeper's part for triggered invitations: every outbox entry due for longer than a stale claim
 * lasts is sent now (or found settled and removed). Bounded by the deadline; the next sweep goes on.
 */
export async function sweepTriggered(deadline: number): Promise<number> {
  const dueBefore = new Date(nowMs() - staleClaimMs()).toISOString();
  let swept = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(
      new QueryCommand({
        TableName: tableName('system'),
        KeyConditionExpression: 'pk = :pk',
        // Only invitations not yet settled are in the outbox: few, so reading past the not-yet-due is cheap.
        FilterExpression: 'dueAt < :before',
        ExpressionAttributeValues: { ':pk': 'TRIGGERED', ':before': dueBefore },
        Limit: 100,
        ...(start && { ExclusiveStartKey: start }),
      }),
    );
    for (const item of page.Items ?? []) {
      if (Date.now() >= deadline) return swept;
      const token = String(item.token);
      const outcome = await sendTriggered(token, deadline);
      if (outcome === 'not-found') await leaveOutbox(token);
      swept++;
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return swept;
}

/** Reminder n of one triggered invitation. */
export async function remindTriggered(token: string, n: number): Promise<void> {
  const inv = await getInvitation(token, true);
  if (inv?.status !== 'sent' || inv.closesAt <= nowIso()) return;
  const survey = await requireSurvey(inv.surveyId);
  if (survey.state !== 'published') return; // no reminders about a survey taken down (remindWave)
  const id = invitationIdOf(token);
  let outcome: Awaited<ReturnType<typeof remindOne>>;
  try {
    outcome = await remindOne(inv, survey, n, await sesPacer());
  } catch (err) {
    if (!(err instanceof SesAccountError)) throw err;
    outcome = { paused: err.message };
  }
  if (typeof outcome === 'object' && 'waitUntil' in outcome)
    await scheduleReminderAt({ token }, id, n, outcome.waitUntil, inv.closesAt);
  else if (outcome === 'pending')
    await scheduleReminderAt({ token }, id, n, nowMs() + staleClaimMs(), inv.closesAt);
  else if (outcome === 'retry' || typeof outcome === 'object')
    await scheduleReminderAt({ token }, id, n, nowMs() + remindRetryMs, inv.closesAt);
}

/** Expiry of one triggered invitation at its own closesAt (compared, never left to TTL). */
export async function expireTriggered(token: string): Promise<'expired' | 'not-yet' | 'nothing-to-do'> {
  const inv = await getInvitation(token, true);
  if (!inv || !['queued', 'sending', 'sent'].includes(inv.status)) return 'nothing-to-do';
  if (inv.closesAt > nowIso()) return 'not-yet';
  const done = await settleInvitation(inv, [inv.status], 'expired', { expiredAt: nowIso() }, 'expired');
  if (done && inv.status !== 'sent') await leaveOutbox(token);
  return done ? 'expired' : 'nothing-to-do';
}
