/**
 * SES's reports on what happened to an email (via the configuration set's event destination):
 * a permanent bounce suppresses the contact and takes the invitation out of the response-rate
 * denominator; a complaint suppresses the contact. Each counts once on the wave, however often the
 * event is delivered.
 */
import * as v from 'valibot';
import { nowIso } from '../clock.ts';
import { getContact, setContactStatus } from '../contact/store.ts';
import {
  getInvitation,
  settleInvitation,
  settleSent,
  stampInvitationOnce,
  transitionInvitation,
} from '../invitation/store.ts';

const tagList = v.optional(v.array(v.string()));
export const sesEventSchema = v.object({
  source: v.optional(v.string()),
  'detail-type': v.optional(v.string()),
  detail: v.object({
    eventType: v.string(),
    mail: v.object({
      messageId: v.optional(v.string()),
      timestamp: v.optional(v.string()),
      destination: v.optional(v.array(v.string())),
      tags: v.optional(v.object({ invitation: tagList })),
    }),
    bounce: v.optional(v.object({ bounceType: v.string(), bounceSubType: v.optional(v.string()) })),
    complaint: v.optional(v.object({ complaintFeedbackType: v.optional(v.string()) })),
  }),
});
export type SesEvent = v.InferOutput<typeof sesEventSchema>;

export type SesEventOutcome = 'accepted' | 'bounced' | 'complained' | 'ignored' | 'unknown-invitation';

/**
 * SES took the message: record it on the invitation, so a run that died between SES's answer and
 * its own settle is settled as sent instead of emailing again.
 */
async function confirmAccepted(
  token: string,
  at: string,
  messageId: string | undefined,
): Promise<SesEventOutcome> {
  const invitation = await getInvitation(token, true);
  if (!invitation) return 'unknown-invitation';
  if (invitation.status === 'responded' && !invitation.sentAt) {
    // Answered before its run settled it (that run may have died): this is the proof it was sent.
    await settleSent(invitation, { sentAt: at, ...(messageId !== undefined && { messageId }) });
    return 'accepted';
  }
  if (invitation.status !== 'sending') return 'ignored';
  await transitionInvitation(token, ['sending'], 'sending', {
    sesAcceptedAt: at,
    ...(messageId !== undefined && { messageId }),
  });
  return 'accepted';
}

export async function handleSesEvent(event: SesEvent): Promise<SesEventOutcome> {
  const { detail } = event;
  const token = detail.mail.tags?.invitation?.[0];
  if (detail.eventType === 'Send' && token)
    return confirmAccepted(token, detail.mail.timestamp ?? nowIso(), detail.mail.messageId);
  const isHardBounce = detail.eventType === 'Bounce' && detail.bounce?.bounceType === 'Permanent';
  const isComplaint = detail.eventType === 'Complaint';
  if (!isHardBounce && !isComplaint) return 'ignored';
  if (!token) return 'unknown-invitation';
  const invitation = await getInvitation(token, true);
  if (!invitation) return 'unknown-invitation';
  const contact = invitation.contactId ? await getContact(invitation.contactId) : undefined;
  if (isHardBounce) {
    // A bounce proves SES took the message. An invitation still `sending` (its run died, or has not
    // settled yet) is counted sent first: otherwise it would count as bounced but never as sent, and
    // the response rate's denominator (sent − bounced) would lose a contact that was never in it.
    if (invitation.status === 'sending') {
      await settleSent(invitation, { sentAt: invitation.sesAcceptedAt ?? nowIso() });
    }
    await settleInvitation(invitation, ['sent', 'sending'], 'bounced', { bouncedAt: nowIso() }, 'bounced');
    if (contact && contact.status !== 'complained') await setContactStatus(contact.id, 'bounced');
    return 'bounced';
  }
  await stampInvitationOnce(invitation, 'complainedAt', nowIso(), 'complained');
  if (contact) await setContactStatus(contact.id, 'complained');
  return 'complained';
}
