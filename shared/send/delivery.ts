/**
 * Emailing one invitation, exactly once: claim it (shared/send/claim.ts), judge the contact and
 * its send window again, take the contact's "surveyed" stamp, call SES (shared/send/ses-attempts.ts),
 * settle. Whatever stops it at any step, the next run that meets the invitation finishes the job
 * without a second email.
 */
import { nowIso, nowMs } from '../clock.ts';
import type { Invitation } from '../invitation/schema.ts';
import { getInvitation, settleInvitation, settleSent, transitionInvitation } from '../invitation/store.ts';
import { closedUntil } from '../schedule/send-window.ts';
import type { Survey } from '../survey/schema.ts';
import { noteNextDue } from '../wave/store.ts';
import {
  claimInvitation,
  isStaleClaim,
  renewClaim,
  settleConfirmed,
  settleIfConfirmed,
  staleClaimMs,
} from './claim.ts';
import { composeEmail } from './compose.ts';
import type { InFlightLimit } from './in-flight.ts';
import { sendThroughSes } from './ses-attempts.ts';
import type { Pacer } from './ses-rate.ts';
import { claimSurveyed, type SurveyedStamp } from './surveyed-stamp.ts';

export interface DeliveryContext {
  pacer: Pacer;
  /** Real-time epoch ms after which no new page (and no SES backoff) is started. */
  deadline: number;
  /** Real-time epoch ms after which no call to SES starts at all (the invocation is about to stop). */
  stopBy?: number;
  wait?: (ms: number) => Promise<void>;
  /** An invitation put back until `sendAfter` (its window closed); by default the wave notes when to come back. */
  onDeferred?: (inv: Invitation, sendAfter: string) => Promise<void>;
  /** Set when SES said the account cannot send (the reason), so the caller stalls and says why. */
  paused?: string;
  /** The run's in-flight count, told each claim's round trip (in-flight.ts); fixed when absent. */
  inFlight?: InFlightLimit;
}

/**
 * - `pending`: an email may be on its way (SES gave no answer, or another run holds a fresh claim):
 *   look again once SES's Send event has had time to come, or the claim has gone stale;
 * - `deferred`: the contact's send window had closed; back in the queue until it opens (`sendAfter`);
 * - `retry-later`: SES kept throttling or failing; back in the queue, nothing sent;
 * - `paused`: the account cannot send (`ctx.paused` says why); back in the queue, nothing sent;
 * - `not-started`: the deadline came while it waited for its turn at SES; back in the queue;
 * - `skipped`: nothing to do (settled already).
 */
export type DeliveryOutcome =
  | 'sent'
  | 'failed'
  | 'suppressed'
  | 'skipped'
  | 'pending'
  | 'retry-later'
  | 'deferred'
  | 'paused'
  | 'not-started';

export async function deliverInvitation(
  inv: Invitation,
  survey: Survey,
  ctx: DeliveryContext,
): Promise<DeliveryOutcome> {
  if (inv.status !== 'queued' && inv.status !== 'sending') return 'skipped';
  // A run died after SES took the message: SES's Send event is the proof; settle, never resend.
  if (inv.status === 'sending' && inv.sesAcceptedAt) return settleConfirmed(inv, inv.sesAcceptedAt);
  if (inv.status === 'sending' && !isStaleClaim(inv)) return 'pending';
  let claimedAt = Date.now();
  if (survey.state !== 'published') {
    // Unpublished while its wave was sending: nobody more is emailed about it.
    if (!(await claimInvitation(inv, claimedAt))) return afterLostClaim(inv);
    await settleInvitation(
      inv,
      ['sending'],
      'suppressed',
      { failureReason: 'survey unpublished' },
      'suppressed',
    );
    return 'suppressed';
  }
  // The claim (on the invitation) and the contact's "surveyed" stamp (on the contact) are writes to
  // two items that do not depend on each other: made at once, an email waits one round trip before
  // SES, not three. The stamp's write also answers the contact as it was (the email's name, locale
  // and time zone), so no read is needed.
  const contactId = inv.contactId;
  const [claimed, stamp] = await Promise.all([
    claimInvitation(inv, claimedAt),
    contactId ? claimSurveyed(inv, survey, contactId) : Promise.resolve(erased),
  ]);
  ctx.inFlight?.observe(Date.now() - claimedAt);
  if (!claimed) {
    const outcome = await afterLostClaim(inv);
    // Settled without an email (suppressed, failed, expired) while this run stamped the contact:
    // the stamp goes back. While another run may be sending it, the stamp is that email's too.
    if (stamp.taken && outcome === 'skipped' && !(await mayHaveBeenSent(inv.token))) await stamp.release();
    return outcome;
  }
  if (!stamp.taken) {
    await settleInvitation(inv, ['sending'], 'suppressed', { failureReason: stamp.reason }, 'suppressed');
    return 'suppressed';
  }
  const contact = stamp.contact;
  // The send window is judged again now, not only at selection: a long wave (or a slow SES) can run
  // past its end, and then the rest waits for the next opening in each contact's zone.
  const sendAfter = closedUntil(survey, contact, nowMs());
  if (sendAfter) {
    if (await transitionInvitation(inv.token, ['sending'], 'queued', { sendAfter })) await stamp.release();
    await (ctx.onDeferred ?? ((deferred, at) => noteNextDue(deferred.waveId, at)))(inv, sendAfter);
    return 'deferred';
  }
  const answer = await sendThroughSes(composeEmail(inv, survey, contact), {
    pacer: ctx.pacer,
    deadline: ctx.deadline,
    ...(ctx.stopBy !== undefined && { stopBy: ctx.stopBy }),
    ...(ctx.wait && { wait: ctx.wait }),
    claimIsOld: () => Date.now() - claimedAt > staleClaimMs() / 2,
    // A long back-off must not let the claim go stale under another run (two emails).
    renew: async () => {
      const renewedAt = Date.now();
      if (!(await renewClaim(inv.token, claimedAt, renewedAt))) return false;
      claimedAt = renewedAt;
      return true;
    },
  });
  switch (answer.kind) {
    case 'sent':
      await settleSent(inv, { sentAt: nowIso(), messageId: answer.messageId });
      return 'sent';
    case 'refused':
      if (await settleInvitation(inv, ['sending'], 'failed', { failureReason: answer.reason }, 'failed'))
        await stamp.release();
      return 'failed';
    case 'unknown':
      // The claim stays as it is: SES's Send event settles it, or it goes stale and is sent again.
      return 'pending';
    case 'claim-lost':
      // Another run took it over, or SES confirmed an attempt that failed on our side.
      return (await settleIfConfirmed(inv)) === 'sent' ? 'sent' : 'pending';
    case 'not-started': {
      // The deadline came while it waited for its turn: back to the queue, for the next invocation.
      if (await transitionInvitation(inv.token, ['sending'], 'queued')) await stamp.release();
      return 'not-started';
    }
    case 'account':
    case 'gave-up': {
      // Nothing was sent: the invitation goes back to the queue for a later run, and the contact's
      // "surveyed" stamp back to what it was (the wave may close before that run comes).
      const back = await transitionInvitation(inv.token, ['sending'], 'queued', {
        failureReason: `retrying: ${answer.reason}`,
      });
      if (back) await stamp.release();
      if (answer.kind === 'gave-up') return 'retry-later';
      ctx.paused = answer.reason;
      return 'paused';
    }
  }
}

const erased: SurveyedStamp = { taken: false, reason: 'contact erased' };

/**
 * Someone moved the invitation first: settled (nothing to do), or claimed by another run that may
 * yet die (look again later, never pass it by for good).
 */
async function afterLostClaim(inv: Invitation): Promise<DeliveryOutcome> {
  const current = await getInvitation(inv.token, true);
  if (current?.status === 'sending' && current.sesAcceptedAt)
    return settleConfirmed(current, current.sesAcceptedAt);
  return current?.status === 'queued' || current?.status === 'sending' ? 'pending' : 'skipped';
}

/** Whether the invitation's email went, or may be on its way (the stamp is that email's). */
async function mayHaveBeenSent(token: string): Promise<boolean> {
  const current = await getInvitation(token, true);
  return Boolean(
    current &&
      (current.sentAt || ['queued', 'sending', 'sent', 'responded', 'bounced'].includes(current.status)),
  );
}
