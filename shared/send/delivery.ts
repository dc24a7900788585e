/**
 * Emailing a wave's invitations, one page at a time, paced by a token bucket at SES's rate.
 * Each invitation is claimed (`queued → sending`) before SES is called and settled after, so that a
 * retry sees the intent; the wave's counts move in the same transaction as the invitation.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { nowIso } from '../clock.ts';
import { optionalEnv, requireEnv, tableName } from '../config.ts';
import type { Contact } from '../contact/schema.ts';
import { getContact } from '../contact/store.ts';
import { renderInvitationEmail } from '../email/invitation.ts';
import { pickLocale } from '../i18n/pick-locale.ts';
import type { Invitation } from '../invitation/schema.ts';
import { queryWaveInvitations, settleInvitation, transitionInvitation } from '../invitation/store.ts';
import type { Survey } from '../survey/schema.ts';
import type { Wave } from '../wave/schema.ts';
import { noteNextDue, recordSendPage, takeNextDue } from '../wave/store.ts';
import { mapConcurrent } from './concurrency.ts';
import type { TokenBucket } from './pacer.ts';
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
}

export type DeliveryOutcome = 'sent' | 'failed' | 'suppressed' | 'skipped' | 'retry-later';

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
  const next = page.next ? JSON.stringify(page.next) : undefined;
  await recordSendPage(wave.id, wave.sendCursor, next);
  if (next !== undefined) return { state: 'progress' };
  const until = await takeNextDue(wave.id);
  return until ? { state: 'waiting', until } : { state: 'complete' };
}

export async function deliverInvitation(
  inv: Invitation,
  survey: Survey,
  ctx: DeliveryContext,
): Promise<DeliveryOutcome> {
  const claimedAt = Date.now();
  if (inv.status === 'sending' && inv.sesAcceptedAt) {
    // A run died after SES took the message: SES's Send event is the proof; settle, never resend.
    await settleInvitation(inv, ['sending'], 'sent', { sentAt: inv.sesAcceptedAt }, 'sent');
    return 'sent';
  }
  const stale = inv.status === 'sending' && claimedAt - Number(inv.sendingAt ?? 0) > staleClaimMs();
  if (inv.status === 'sending' && !stale) return 'skipped';
  const claimed = await transitionInvitation(inv.token, [inv.status], 'sending', { sendingAt: claimedAt });
  if (!claimed) return 'skipped';
  const contact = inv.contactId ? await getContact(inv.contactId) : undefined;
  if (contact?.status !== 'subscribed') {
    const reason = contact ? contact.status : 'contact erased';
    await settleInvitation(inv, ['sending'], 'suppressed', { failureReason: reason }, 'suppressed');
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
      await settleInvitation(inv, ['sending'], 'sent', { sentAt: nowIso(), messageId }, 'sent');
      await noteSurveyed(contact.id, survey.id);
      return 'sent';
    } catch (err) {
      const kind = classifySendError(err);
      if (kind === 'permanent') {
        const reason = `${(err as Error).name}: ${(err as Error).message}`.slice(0, 500);
        await settleInvitation(inv, ['sending'], 'failed', { failureReason: reason }, 'failed');
        return 'failed';
      }
      if (kind === 'throttled' && throttles++ < maxThrottleRetries) {
        ctx.bucket.drain();
        await sleep(Math.min(30_000, 250 * 2 ** throttles) * (0.5 + Math.random() / 2));
        continue;
      }
      if (kind === 'transient' && transients++ < maxTransientRetries) {
        await sleep(Math.min(10_000, 200 * 2 ** transients) * (0.5 + Math.random() / 2));
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

/** Remembers when this survey emailed the contact (for "skip if surveyed within N days"). */
async function noteSurveyed(contactId: string, surveyId: string): Promise<void> {
  const at = nowIso();
  await dynamo()
    .send(
      new UpdateCommand({
        TableName: tableName('contacts'),
        Key: { id: contactId },
        UpdateExpression: 'SET surveyed.#s = :at, lastSurveyedAt = :at',
        ConditionExpression: 'attribute_exists(surveyed)',
        ExpressionAttributeNames: { '#s': surveyId },
        ExpressionAttributeValues: { ':at': at },
      }),
    )
    .catch(async (err: unknown) => {
      if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
      await dynamo()
        .send(
          new UpdateCommand({
            TableName: tableName('contacts'),
            Key: { id: contactId },
            UpdateExpression: 'SET surveyed = :m, lastSurveyedAt = :at',
            ConditionExpression: 'attribute_exists(id)',
            ExpressionAttributeValues: { ':m': { [surveyId]: at }, ':at': at },
          }),
        )
        .catch(() => undefined);
    });
}
