/**
 * Reminder `n` of a wave: to invitations sent and not answered, not expired, whose contact is still
 * subscribed. The same intent-before-send rule as the first send: an invitation is claimed for
 * reminder n (`reminderClaim = n`, with the real-time `reminderClaimAt`) before SES is called and
 * settled (`reminders = n`, counted on the wave) after. SES's Send event of the reminder (tagged
 * `reminder`) records `reminderAccepted = n`, the proof a run that died between SES and the settle
 * needs: that claim is settled, never sent again. An unconfirmed claim is sent again only once it
 * is stale; until then a run that meets it looks again later instead of passing it by. Nothing is
 * dropped: a reminder SES kept refusing for the moment is tried again on a schedule.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { isConditionFailure } from '../aws/dynamo-errors.ts';
import { nowIso, nowMs } from '../clock.ts';
import { tableName } from '../config.ts';
import { getContact } from '../contact/store.ts';
import { tokenRef } from '../ids.ts';
import type { Invitation } from '../invitation/schema.ts';
import { getInvitation, queryWaveInvitations, updateInvitationCounted } from '../invitation/store.ts';
import { sleep } from '../retry.ts';
import { scheduleName, scheduleOnce } from '../schedule/scheduler.ts';
import { nextWindowOpening } from '../schedule/send-window.ts';
import type { Survey } from '../survey/schema.ts';
import { requireSurvey } from '../survey/store.ts';
import { clearWaveStall, getWave, markWaveStalled } from '../wave/store.ts';
import { staleClaimMs } from './claim.ts';
import { composeEmail } from './compose.ts';
import { mapConcurrent } from './concurrency.ts';
import type { InFlightLimit } from './in-flight.ts';
import { inFlightLimitFor } from './pass.ts';
import { SesAccountError, sesPacer } from './ses.ts';
import { sendThroughSes } from './ses-attempts.ts';
import type { Pacer } from './ses-rate.ts';

/**
 * done; more: the deadline came first (run again); closed; waiting: some wait for a send window
 * (scheduled); stalled: the SES account cannot send, or SES kept refusing (tried again on a schedule).
 */
export type RemindResult = 'done' | 'more' | 'closed' | 'waiting' | 'stalled';

/**
 * Claims the invitation for reminder n: it was sent, is still open, has not had reminder n, and no
 * other run holds a claim for it, unless that claim is stale and SES never confirmed it.
 */
async function claim(inv: Invitation, n: number, at: number): Promise<boolean> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName('invitations'),
        Key: { token: inv.token },
        UpdateExpression: 'SET reminderClaim = :n, reminderClaimAt = :t',
        ConditionExpression:
          '#status = :sent AND closesAt > :now AND (attribute_not_exists(reminders) OR reminders < :n) AND ' +
          '(attribute_not_exists(reminderAccepted) OR reminderAccepted < :n) AND ' +
          '(attribute_not_exists(reminderClaim) OR reminderClaim < :n OR reminderClaimAt < :stale)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':n': n,
          ':t': at,
          ':stale': at - staleClaimMs(),
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

/** Keeps this run's claim fresh across a backoff; false when it is no longer ours or SES confirmed it. */
async function renew(token: string, n: number, ours: number, at: number): Promise<boolean> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName('invitations'),
        Key: { token },
        UpdateExpression: 'SET reminderClaimAt = :at',
        ConditionExpression:
          'reminderClaim = :n AND reminderClaimAt = :ours AND (attribute_not_exists(reminderAccepted) OR reminderAccepted < :n)',
        ExpressionAttributeValues: { ':n': n, ':ours': ours, ':at': at },
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

/**
 * Records reminder n as sent and counts it on the wave, in one transaction, once: the condition
 * holds only while reminder n is not yet recorded.
 */
async function settle(inv: Invitation, n: number): Promise<void> {
  await updateInvitationCounted(
    inv,
    {
      set: 'SET reminders = :n, lastRemindedAt = :at REMOVE reminderClaim, reminderClaimAt',
      condition:
        '(attribute_not_exists(reminders) OR reminders < :n) AND (reminderClaim = :n OR reminderAccepted = :n)',
      values: { ':n': n, ':at': nowIso() },
    },
    'reminded',
  );
}

/** Gives up this run's claim when SES surely sent nothing, so a later run may send the reminder. */
async function release(inv: Invitation, n: number, ours: () => number): Promise<void> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName('invitations'),
        Key: { token: inv.token },
        UpdateExpression: 'REMOVE reminderClaim, reminderClaimAt',
        ConditionExpression: 'reminderClaim = :n AND reminderClaimAt = :ours',
        ExpressionAttributeValues: { ':n': n, ':ours': ours() },
      }),
    );
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
  }
}

/**
 * What became of one invitation: reminded; nothing to do; `pending` (the reminder may be on its way:
 * look again later); `retry` (SES kept refusing for now: nothing sent); its send window opens later;
 * or the account cannot send (`paused`, with why).
 */
export type RemindOutcome =
  | 'reminded'
  | 'skipped'
  | 'pending'
  | 'retry'
  | { waitUntil: number }
  | { paused: string };

/** The run a reminder is sent in: when it must stop, and its in-flight count (shared/send/in-flight.ts). */
export interface RemindRun {
  deadline?: number;
  stopBy?: number;
  inFlight?: InFlightLimit;
}

export async function remindOne(
  inv: Invitation,
  survey: Survey,
  n: number,
  pacer: Pacer,
  run: RemindRun = {},
): Promise<RemindOutcome> {
  const { deadline = Number.POSITIVE_INFINITY, stopBy = Number.POSITIVE_INFINITY } = run;
  if ((inv.reminders ?? 0) >= n || inv.status !== 'sent') return 'skipped';
  if ((inv.reminderAccepted ?? 0) >= n) {
    // SES confirmed this reminder; the run that sent it died before recording it.
    await settle(inv, n);
    return 'reminded';
  }
  if ((inv.reminderClaim ?? 0) >= n && Date.now() - Number(inv.reminderClaimAt ?? 0) <= staleClaimMs())
    return 'pending';
  // The contact comes first: an unsubscribed one needs no claim, and the window is in its zone.
  const contact = inv.contactId ? await getContact(inv.contactId) : undefined;
  if (contact?.status !== 'subscribed') return 'skipped';
  if (survey.sendWindow) {
    // A reminder is an email like the first: only inside the contact's send window.
    const now = nowMs();
    const opening = nextWindowOpening(survey.sendWindow, contact.timezone ?? survey.timezone, now);
    if (opening > now) return { waitUntil: opening };
  }
  let claimedAt = Date.now();
  const claimed = await claim(inv, n, claimedAt);
  run.inFlight?.observe(Date.now() - claimedAt);
  if (!claimed) {
    // Someone else holds it, or it changed under us (answered, reminded): look once more later.
    return (inv.reminders ?? 0) < n ? 'pending' : 'skipped';
  }
  const answer = await sendThroughSes(composeEmail(inv, survey, contact, n), {
    pacer,
    deadline,
    stopBy,
    claimIsOld: () => Date.now() - claimedAt > staleClaimMs() / 2,
    renew: async () => {
      const at = Date.now();
      if (!(await renew(inv.token, n, claimedAt, at))) return false;
      claimedAt = at;
      return true;
    },
  });
  switch (answer.kind) {
    case 'sent':
      await settle(inv, n);
      return 'reminded';
    case 'unknown':
    case 'claim-lost':
      // Maybe sent: SES's Send event settles it, or the claim goes stale and it is sent again.
      return 'pending';
    case 'refused':
      console.error('remind: SES refused', tokenRef(inv.token), answer.reason);
      await release(inv, n, () => claimedAt);
      return 'skipped';
    case 'gave-up':
    case 'not-started':
      // Nothing was sent: a later run (this wave's next invocation, or a retry) sends it.
      await release(inv, n, () => claimedAt);
      return 'retry';
    case 'account':
      await release(inv, n, () => claimedAt);
      return { paused: answer.reason };
  }
}

/** The earliest send-window opening among outcomes, if any waits. */
export function earliestWait(outcomes: readonly RemindOutcome[]): number | undefined {
  let earliest: number | undefined;
  for (const o of outcomes) {
    if (typeof o === 'object' && 'waitUntil' in o && (earliest === undefined || o.waitUntil < earliest))
      earliest = o.waitUntil;
  }
  return earliest;
}

const pausedReason = (outcomes: readonly RemindOutcome[]): string | undefined => {
  for (const o of outcomes) if (typeof o === 'object' && 'paused' in o) return o.paused;
  return undefined;
};

/**
 * Reminder n again at a given time (a send-window opening, or a retry): one schedule per distinct
 * minute, never one per contact. Nothing when the invitations close first.
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

/** How long a reminder SES kept refusing (or could not send at all) waits before it is tried again. */
export const remindRetryMs = 5 * 60_000;
const pendingLookMs = 1_000;

/**
 * Sends reminder n of a wave until done or the real-time deadline. Invitations whose contacts are
 * outside their send window wait: the wave's reminder resumes at the earliest opening (`waiting`).
 * Reminders that may be on their way are looked at again at the end, until settled.
 */
export async function remindWave(
  waveId: string,
  n: number,
  deadline: number,
  stopBy = Number.POSITIVE_INFINITY,
): Promise<RemindResult> {
  const wave = await getWave(waveId);
  if (!wave || wave.status === 'closed' || wave.closesAt <= nowIso()) return 'closed';
  const survey = await requireSurvey(wave.surveyId);
  // Unpublished: the emailed invitations stay answerable until they close, but nobody is emailed
  // again about a survey its owners took down.
  if (survey.state !== 'published') return 'closed';
  let pacer: Pacer;
  try {
    pacer = await sesPacer();
  } catch (err) {
    if (!(err instanceof SesAccountError)) throw err;
    return stalled(waveId, n, err.message, wave.closesAt);
  }
  const run = { deadline, stopBy, inFlight: inFlightLimitFor(pacer) };
  let waitUntil: number | undefined;
  let retry = false;
  const pending = new Map<string, Invitation>();
  let start: Record<string, unknown> | undefined;
  do {
    // The first page always: a run that only handed over would hand over for ever.
    if (start !== undefined && Date.now() >= deadline) return 'more';
    const page = await queryWaveInvitations(waveId, ['sent'], start, 100);
    const outcomes = await mapConcurrent(
      page.items,
      () => run.inFlight.current,
      (inv) => remindOne(inv, survey, n, pacer, run),
    );
    const paused = pausedReason(outcomes);
    if (paused) return stalled(waveId, n, paused, wave.closesAt);
    const wait = earliestWait(outcomes);
    if (wait !== undefined && (waitUntil === undefined || wait < waitUntil)) waitUntil = wait;
    page.items.forEach((inv, i) => {
      if (outcomes[i] === 'pending') pending.set(inv.token, inv);
    });
    retry ||= outcomes.includes('retry');
    start = page.next;
  } while (start);
  while (pending.size > 0) {
    if (Date.now() + pendingLookMs >= deadline) return 'more';
    await sleep(pendingLookMs);
    for (const [token] of pending) {
      const current = await getInvitation(token, true);
      const outcome = current ? await remindOne(current, survey, n, pacer, run) : 'skipped';
      if (typeof outcome === 'object' && 'paused' in outcome)
        return stalled(waveId, n, outcome.paused, wave.closesAt);
      if (outcome === 'retry') retry = true;
      if (outcome !== 'pending') pending.delete(token);
    }
  }
  if (retry) {
    await scheduleReminderAt({ waveId }, waveId, n, nowMs() + remindRetryMs, wave.closesAt);
    return 'stalled';
  }
  if (wave.stalled) await clearWaveStall(waveId);
  if (waitUntil !== undefined && (await scheduleReminderAt({ waveId }, waveId, n, waitUntil, wave.closesAt)))
    return 'waiting';
  return 'done';
}

async function stalled(waveId: string, n: number, reason: string, closesAt: string): Promise<'stalled'> {
  console.error(`ALERT remind: reminder ${n} of wave ${waveId} stalled: ${reason}`);
  await markWaveStalled(waveId, `reminder ${n}: ${reason}`, nowIso());
  await scheduleReminderAt({ waveId }, waveId, n, nowMs() + remindRetryMs, closesAt);
  return 'stalled';
}
