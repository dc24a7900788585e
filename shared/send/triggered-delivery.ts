/**
 * Sending one triggered invitation when its time comes, then giving it its own expiry and reminder
 * schedules (a triggered invitation has no wave send of its own to hang them on).
 */
import { nowIso, nowMs } from '../clock.ts';
import { getInvitation, settleInvitation } from '../invitation/store.ts';
import { scheduleName, scheduleOnce } from '../schedule/scheduler.ts';
import { requireSurvey } from '../survey/store.ts';
import { invitationIdOf } from '../wave/triggered.ts';
import { type DeliveryOutcome, deliverInvitation } from './delivery.ts';
import { TokenBucket } from './pacer.ts';
import { remindOne, scheduleReminderAt } from './reminders.ts';
import { allowedSendRate } from './ses.ts';

export async function sendTriggered(
  token: string,
  deadline: number,
): Promise<DeliveryOutcome | 'not-found' | 'not-due'> {
  const inv = await getInvitation(token, true);
  if (!inv) return 'not-found';
  if (inv.status !== 'queued' && inv.status !== 'sending') return 'skipped';
  if (inv.sendAfter && inv.sendAfter > nowIso()) return 'not-due';
  const survey = await requireSurvey(inv.surveyId);
  if (survey.state !== 'published') {
    await settleInvitation(
      inv,
      ['queued'],
      'suppressed',
      { failureReason: 'survey unpublished' },
      'suppressed',
    );
    return 'suppressed';
  }
  const id = invitationIdOf(token);
  const outcome = await deliverInvitation(inv, survey, {
    bucket: new TokenBucket(await allowedSendRate()),
    deadline,
    // Its send window closed before it could go: it goes at the next opening, on a schedule of its
    // own (the one that fired may exist until this run ends, so the name carries the new time).
    onDeferred: (_, sendAfter) =>
      scheduleOnce(
        scheduleName('invite', id, String(Date.parse(sendAfter) / 1000)),
        new Date(sendAfter),
        'send',
        {
          type: 'invitation.send',
          token,
        },
      ),
  });
  if (outcome !== 'sent') return outcome;
  await scheduleOnce(scheduleName('expire', id), new Date(inv.closesAt), 'expire', { token });
  const closes = Date.parse(inv.closesAt);
  for (let n = 1; n <= survey.reminders.count; n++) {
    const at = nowMs() + n * survey.reminders.afterDays * 86_400_000;
    if (at >= closes) break;
    await scheduleOnce(scheduleName('remind', id, String(n)), new Date(at), 'remind', { token, reminder: n });
  }
  return outcome;
}

/** Reminder n of one triggered invitation. */
export async function remindTriggered(token: string, n: number): Promise<void> {
  const inv = await getInvitation(token, true);
  if (inv?.status !== 'sent' || inv.closesAt <= nowIso()) return;
  const survey = await requireSurvey(inv.surveyId);
  if (survey.state !== 'published') return; // no reminders about a survey taken down (remindWave)
  const outcome = await remindOne(inv, survey, n, new TokenBucket(await allowedSendRate()));
  if (typeof outcome === 'object')
    await scheduleReminderAt({ token }, invitationIdOf(token), n, outcome.waitUntil, inv.closesAt);
}

/** Expiry of one triggered invitation at its own closesAt (compared, never left to TTL). */
export async function expireTriggered(token: string): Promise<'expired' | 'not-yet' | 'nothing-to-do'> {
  const inv = await getInvitation(token, true);
  if (!inv || !['queued', 'sending', 'sent'].includes(inv.status)) return 'nothing-to-do';
  if (inv.closesAt > nowIso()) return 'not-yet';
  const done = await settleInvitation(inv, [inv.status], 'expired', { expiredAt: nowIso() }, 'expired');
  return done ? 'expired' : 'nothing-to-do';
}
