/**
 * Emailing a wave's invitations, one page at a time, paced by a token bucket at SES's rate.
 * Each invitation is claimed (`queued → sending`) before SES is called and settled after, so that a
 * retry sees the intent; the wave's counts move in the same transaction as the invitation.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { isConditionFailure, itemOfConditionFailure } from '../aws/dynamo-errors.ts';
import { nowIso, nowMs } from '../clock.ts';
import { optionalEnv, requireEnv, tableName } from '../config.ts';
import type { Contact } from '../contact/schema.ts';
import { getContact } from '../contact/store.ts';
import { renderInvitationEmail } from '../email/invitation.ts';
import { pickLocale } from '../i18n/pick-locale.ts';
import type { Invitation } from '../invitation/schema.ts';
import {
  getInvitation,
  queryWaveInvitations,
  settleInvitation,
  settleSent,
  transitionInvitation,
} from '../invitation/store.ts';
import { closedUntil } from '../schedule/send-window.ts';
import { skipIfSurveyedDays } from '../survey/lifecycle.ts';
import type { Survey } from '../survey/schema.ts';
import type { Wave } from '../wave/schema.ts';
import { getWave, markSendRecheck, noteNextDue, recordSendPage, takeNextDue } from '../wave/store.ts';
import { mapConcurrent } from './concurrency.ts';
import type { TokenBucket } from './pacer.ts';
import { contactThrottleDays } from './selection.ts';
import { classifySendError, sendEmail } from './ses.ts';

/**
 * A claim older than this, never settled and never confirmed by SES's Send event, is from a run that
 * died before SES took the message, so it is sent again. SES reports a Send within seconds.
 */
export const staleClaimMs = (): number => Number(optionalEnv('SEND_STALE_CLAIM_SECONDS') ?? 120) * 1000;
const maxThrottleRetries = 8;
const maxTransientRetries = 3;

export interface DeliveryContext {
  bucket: TokenBucket;
  /** Real-time epoch ms after which no new page is started. */
  deadline: number;
  sleep?: (ms: number) => Promise<void>;
  /** An invitation put back until `sendAfter` (its window closed); by default the wave notes when to come back. */
  onDeferred?: (inv: Invitation, sendAfter: string) => Promise<void>;
}

/** `deferred`: the contact's send window had closed; back in the queue until it opens (its `sendAfter`). */
export type DeliveryOutcome = 'sent' | 'failed' | 'suppressed' | 'skipped' | 'retry-later' | 'deferred';

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export type SendProgress =
  | { state: 'complete' | 'progress' | 'stalled' }
  | { state: 'waiting'; until: string };

/**
 * Sends one page: `complete` when every invitation of the wave has been through, `progress` when
 * more pages remain, `stalled` when SES kept failing (the page is left for a later run), `waiting`
 * when the pass is over but some invitations wait for their send window (the wave's `nextDueAt`).
 */
export async function sendPage(wave: Wave, survey: Survey, ctx: DeliveryContext): Promise<SendProgress> {
  const page = await queryWaveInvitations(
    wave.id,
    ['queued', 'sending'],
    wave.sendCursor ? JSON.parse(wave.sendCursor) : undefined,
    50,
  );
  const now = nowIso();
  const due = page.items.filter((inv) => !inv.sendAfter || inv.sendAfter <= now);
  const notYet = page.items
    .filter((inv) => inv.sendAfter && inv.sendAfter > now)
    .map((inv) => inv.sendAfter as string);
  if (notYet.length) await noteNextDue(wave.id, notYet.sort()[0] as string);
  const outcomes = await mapConcurrent(due, 8, (inv) => deliverInvitation(inv, survey, ctx));
  if (outcomes.includes('retry-later')) return { state: 'stalled' }; // keep the cursor: this page is tried again
  // A claim that another run still holds (fresh, not confirmed by SES) is not done either. Moving the
  // cursor past it would end the wave with that contact never emailed if that run has died (its claim
  // is only taken over once stale, e.g. 120 s on AWS against a 30 s lease): keep the page for a later
  // run, which finds the invitation settled, confirmed, or stale and sends it then.
  const skipped = due.filter((_, i) => outcomes[i] === 'skipped');
  if (skipped.length > 0 && (await anyStillClaimed(skipped))) return { state: 'stalled' };
  const next = page.next ? JSON.stringify(page.next) : undefined;
  await recordSendPage(wave.id, wave.sendCursor, next);
  if (next !== undefined) return { state: 'progress' };
  const until = await takeNextDue(wave.id);
  if (until) return { state: 'waiting', until };
  return (await passMayHaveMissed(wave.id)) ? { state: 'stalled' } : { state: 'complete' };
}

/**
 * Whether the pass that just ended may have missed invitations. The byWave index is eventually
 * consistent on AWS, and a small wave is emailed moments after its invitations are put: one not yet
 * in the index is not listed, and the wave would be done with that contact never emailed. Every
 * invitation the selection counted must by now be sent, failed, suppressed or expired. When some are
 * not, the wave stalls once (its cursor is back at the start) and the sweeper's next run, minutes
 * later, passes over it again. A shortfall after that is logged and the wave is done: then it is
 * the counts, not the invitations, that are off.
 */
async function passMayHaveMissed(waveId: string): Promise<boolean> {
  const wave = await getWave(waveId);
  if (!wave) return false;
  const { selected, sent, failed, suppressed, expired } = wave.counts;
  const unsettled = selected - (sent + failed + suppressed + expired);
  if (unsettled <= 0) return false;
  if (await markSendRecheck(waveId, nowIso())) return true;
  console.error('send: wave done with selected invitations unaccounted for', waveId, unsettled);
  return false;
}

/** Whether any of these invitations is still claimed (`sending`) now, read from the table itself. */
async function anyStillClaimed(invitations: Invitation[]): Promise<boolean> {
  const current = await mapConcurrent(invitations, 8, (inv) => getInvitation(inv.token, true));
  return current.some((inv) => inv?.status === 'sending');
}

/**
 * Claims an invitation before SES is called: from `queued`, or a stale claim exactly as this run read
 * it (same `sendingAt`, still unconfirmed by SES). The condition on the claim it saw keeps two runs
 * that both judged a claim stale from both sending, and a Send event that lands between the read
 * and the claim (`sesAcceptedAt`) from being overridden by a second email.
 */
async function claim(inv: Invitation, at: number): Promise<boolean> {
  const values: Record<string, unknown> = { ':to': 'sending', ':from': inv.status, ':at': at };
  let condition = '#status = :from';
  if (inv.status === 'sending') {
    condition += ' AND attribute_not_exists(sesAcceptedAt)';
    if (inv.sendingAt === undefined) {
      condition += ' AND attribute_not_exists(sendingAt)';
    } else {
      condition += ' AND sendingAt = :seen';
      values[':seen'] = inv.sendingAt;
    }
  }
  return conditionalUpdate(inv.token, 'SET #status = :to, sendingAt = :at', condition, values);
}

/**
 * Before another attempt after a throttle or error: renews this run's claim (so that it never looks
 * stale to another run while this one backs off), only if it is still ours and SES has not
 * confirmed the message meanwhile (an attempt that failed on our side may have reached SES).
 */
const renewClaim = (token: string, ours: number, at: number): Promise<boolean> =>
  conditionalUpdate(
    token,
    'SET sendingAt = :at',
    '#status = :sending AND sendingAt = :ours AND attribute_not_exists(sesAcceptedAt)',
    { ':sending': 'sending', ':ours': ours, ':at': at },
  );

async function conditionalUpdate(
  token: string,
  update: string,
  condition: string,
  values: Record<string, unknown>,
): Promise<boolean> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName('invitations'),
        Key: { token },
        UpdateExpression: update,
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

/**
 * SES's Send event proves it took the message: settle as sent, never send again. The contact's
 * "surveyed" stamp was taken by the run that sent it, before SES was called.
 */
async function settleConfirmed(inv: Invitation, acceptedAt: string): Promise<'sent'> {
  await settleSent(inv, { sentAt: acceptedAt });
  return 'sent';
}

/**
 * When a claim could not be taken or renewed: if SES confirmed the message meanwhile, settle it as
 * sent; otherwise someone else has it (`skipped`).
 */
async function settleIfConfirmed(inv: Invitation): Promise<'sent' | 'skipped'> {
  const current = await getInvitation(inv.token, true);
  if (current?.status === 'sending' && current.sesAcceptedAt)
    return settleConfirmed(current, current.sesAcceptedAt);
  return 'skipped';
}

export async function deliverInvitation(
  inv: Invitation,
  survey: Survey,
  ctx: DeliveryContext,
): Promise<DeliveryOutcome> {
  let claimedAt = Date.now();
  if (inv.status === 'sending' && inv.sesAcceptedAt) {
    // A run died after SES took the message: SES's Send event is the proof; settle, never resend.
    return settleConfirmed(inv, inv.sesAcceptedAt);
  }
  const stale = inv.status === 'sending' && claimedAt - Number(inv.sendingAt ?? 0) > staleClaimMs();
  if (inv.status === 'sending' && !stale) return 'skipped';
  if (!(await claim(inv, claimedAt))) return inv.status === 'sending' ? settleIfConfirmed(inv) : 'skipped';
  const contact = inv.contactId ? await getContact(inv.contactId) : undefined;
  if (contact?.status !== 'subscribed') {
    const reason = contact ? contact.status : 'contact erased';
    await settleInvitation(inv, ['sending'], 'suppressed', { failureReason: reason }, 'suppressed');
    return 'suppressed';
  }
  // The send window is judged again now, not only at selection: a long wave (or a slow SES) can run
  // past its end, and then the rest waits for the next opening in each contact's zone.
  const sendAfter = closedUntil(survey, contact, nowMs());
  if (sendAfter) {
    await transitionInvitation(inv.token, ['sending'], 'queued', { sendAfter });
    await (ctx.onDeferred ?? ((deferred, at) => noteNextDue(deferred.waveId, at)))(inv, sendAfter);
    return 'deferred';
  }
  const stamp = await claimSurveyed(inv, survey, contact.id);
  if (!stamp.taken) {
    await settleInvitation(inv, ['sending'], 'suppressed', { failureReason: stamp.reason }, 'suppressed');
    return 'suppressed';
  }
  const email = composeEmail(inv, survey, contact);
  const sleep = ctx.sleep ?? defaultSleep;
  let throttles = 0;
  let transients = 0;
  for (;;) {
    await ctx.bucket.take();
    try {
      const messageId = await sendEmail(email);
      await settleSent(inv, { sentAt: nowIso(), messageId });
      return 'sent';
    } catch (err) {
      const kind = classifySendError(err);
      if (kind === 'permanent') {
        const reason = `${(err as Error).name}: ${(err as Error).message}`.slice(0, 500);
        if (await settleInvitation(inv, ['sending'], 'failed', { failureReason: reason }, 'failed')) {
          await stamp.release();
        }
        return 'failed';
      }
      const retry =
        (kind === 'throttled' && throttles++ < maxThrottleRetries) ||
        (kind === 'transient' && transients++ < maxTransientRetries);
      if (retry) {
        if (kind === 'throttled') {
          ctx.bucket.drain();
          await sleep(Math.min(30_000, 250 * 2 ** throttles) * (0.5 + Math.random() / 2));
        } else {
          await sleep(Math.min(10_000, 200 * 2 ** transients) * (0.5 + Math.random() / 2));
        }
        // A long back-off must not let the claim go stale under another run (two emails); and if
        // the claim is no longer ours, or SES did take a "failed" attempt, this run stops here.
        const renewedAt = Date.now();
        if (!(await renewClaim(inv.token, claimedAt, renewedAt))) return settleIfConfirmed(inv);
        claimedAt = renewedAt;
        continue;
      }
      // SES keeps failing: give the invitation back; a later run picks it up again.
      await transitionInvitation(inv.token, ['sending'], 'queued', {
        failureReason: `retrying: ${(err as Error).name}`,
      });
      return 'retry-later';
    }
  }
}

export function composeEmail(inv: Invitation, survey: Survey, contact: Contact, reminder = 0) {
  const locale = pickLocale({ contactLocale: contact.locale, surveyDefault: survey.defaultLocale });
  const rendered = renderInvitationEmail({
    survey,
    locale,
    token: inv.token,
    publicUrl: requireEnv('PUBLIC_URL'),
    ...(contact.name !== undefined && { contactName: contact.name }),
    reminder,
  });
  return {
    to: contact.email,
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    headers: rendered.headers,
    tags: { invitation: inv.token.replace(/[^A-Za-z0-9_.@-]/g, '-'), wave: inv.waveId, survey: inv.surveyId },
  };
}

const dayMs = 86_400_000;

type SurveyedStamp = { taken: true; release(): Promise<void> } | { taken: false; reason: string };

/**
 * Takes the contact's "surveyed" stamps for this invitation just before SES is called, in one
 * conditional write. Selection judged the skip rules on what it read then, so two waves of one
 * survey sending at once (a second start while the first is still sending), or two surveys under the
 * account-wide throttle, would both email a contact neither had stamped yet. The stamps name the
 * invitation (`surveyedBy`, `lastSurveyedBy`), so the same invitation tried again (a retry, a
 * stale claim taken over) passes. The same write also checks that the contact is still subscribed.
 * `release` puts back what was there before, when SES refused the email for good.
 */
async function claimSurveyed(inv: Invitation, survey: Survey, contactId: string): Promise<SurveyedStamp> {
  const at = nowMs();
  const conditions = ['#status = :subscribed'];
  const values: Record<string, unknown> = {
    ':at': new Date(at).toISOString(),
    ':token': inv.token,
    ':subscribed': 'subscribed',
  };
  const skipDays = skipIfSurveyedDays(survey);
  if (skipDays > 0) {
    conditions.push(
      '(attribute_not_exists(surveyed.#s) OR surveyed.#s < :surveyCutoff OR surveyedBy.#s = :token)',
    );
    values[':surveyCutoff'] = new Date(at - skipDays * dayMs).toISOString();
  }
  const accountDays = contactThrottleDays();
  if (accountDays > 0) {
    conditions.push(
      '(attribute_not_exists(lastSurveyedAt) OR lastSurveyedAt < :accountCutoff OR lastSurveyedBy = :token)',
    );
    values[':accountCutoff'] = new Date(at - accountDays * dayMs).toISOString();
  }
  const stamp = () =>
    dynamo().send(
      new UpdateCommand({
        TableName: tableName('contacts'),
        Key: { id: contactId },
        UpdateExpression:
          'SET surveyed.#s = :at, surveyedBy.#s = :token, lastSurveyedAt = :at, lastSurveyedBy = :token',
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: { '#s': survey.id, '#status': 'status' },
        ExpressionAttributeValues: values,
        ReturnValues: 'UPDATED_OLD',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  let old: Partial<Contact> | undefined;
  try {
    try {
      old = (await stamp()).Attributes as Partial<Contact> | undefined;
    } catch (err) {
      if ((err as { name?: string }).name !== 'ValidationException') throw err;
      // A contact from before `surveyedBy` (one entry per survey): make the maps, then stamp.
      await dynamo().send(
        new UpdateCommand({
          TableName: tableName('contacts'),
          Key: { id: contactId },
          UpdateExpression:
            'SET surveyed = if_not_exists(surveyed, :empty), surveyedBy = if_not_exists(surveyedBy, :empty)',
          ConditionExpression: 'attribute_exists(id)',
          ExpressionAttributeValues: { ':empty': {} },
        }),
      );
      old = (await stamp()).Attributes as Partial<Contact> | undefined;
    }
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
    const current = itemOfConditionFailure<Contact>(err);
    if (!current) return { taken: false, reason: 'contact erased' };
    return { taken: false, reason: current.status === 'subscribed' ? 'surveyed recently' : current.status };
  }
  return { taken: true, release: () => releaseSurveyed(inv.token, survey.id, contactId, old ?? {}) };
}

/**
 * Puts back the stamps a refused email took, each pair only while this invitation still holds it:
 * the contact was not surveyed, so the skip rules must not count it.
 */
async function releaseSurveyed(
  token: string,
  surveyId: string,
  contactId: string,
  old: Partial<Contact>,
): Promise<void> {
  const restore = (pairs: [path: string, value: string | undefined][], holder: string) => {
    const values: Record<string, unknown> = { ':token': token };
    const sets: string[] = [];
    const removes: string[] = [];
    pairs.forEach(([path, value], i) => {
      if (value === undefined) {
        removes.push(path);
      } else {
        sets.push(`${path} = :v${i}`);
        values[`:v${i}`] = value;
      }
    });
    return dynamo()
      .send(
        new UpdateCommand({
          TableName: tableName('contacts'),
          Key: { id: contactId },
          UpdateExpression: [
            sets.length ? `SET ${sets.join(', ')}` : '',
            removes.length ? `REMOVE ${removes.join(', ')}` : '',
          ]
            .filter(Boolean)
            .join(' '),
          ConditionExpression: `${holder} = :token`,
          ...(holder.includes('#s') && { ExpressionAttributeNames: { '#s': surveyId } }),
          ExpressionAttributeValues: values,
        }),
      )
      .catch((err: unknown) => {
        if (!isConditionFailure(err)) throw err;
      });
  };
  await restore(
    [
      ['surveyed.#s', old.surveyed?.[surveyId]],
      ['surveyedBy.#s', old.surveyedBy?.[surveyId]],
    ],
    'surveyedBy.#s',
  );
  await restore(
    [
      ['lastSurveyedAt', old.lastSurveyedAt],
      ['lastSurveyedBy', old.lastSurveyedBy],
    ],
    'lastSurveyedBy',
  );
}
