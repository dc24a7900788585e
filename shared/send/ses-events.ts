/**
 * SES's reports on what happened to an email (via the configuration set's event destination):
 * a permanent bounce suppresses the contact and takes the invitation out of the response-rate
 * denominator; a complaint suppresses the contact. Each counts once on the wave, however often the
 * event is delivered.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as v from 'valibot';
import { dynamo } from '../aws/clients.ts';
import { isConditionFailure } from '../aws/dynamo-errors.ts';
import { nowIso } from '../clock.ts';
import { tableName } from '../config.ts';
import type { Contact } from '../contact/schema.ts';
import { getContact, getContactByEmail, setContactStatus } from '../contact/store.ts';
import { isContactId } from '../ids.ts';
import type { Invitation } from '../invitation/schema.ts';
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
      tags: v.optional(v.object({ invitation: tagList, reminder: tagList })),
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

/**
 * Whom the event is about: the invitation's contact, or, once an anonymous answer sealed it, the
 * contact of the address SES reports. The event comes from SES itself (EventBridge takes `aws.ses`
 * events from no one else), and its destination is the one address the email went to.
 */
async function contactOfEvent(
  invitation: Invitation,
  destination: string[] | undefined,
): Promise<Contact | undefined> {
  if (isContactId(invitation.contactId)) return getContact(invitation.contactId);
  const address = destination?.length === 1 ? destination[0] : undefined;
  return address ? getContactByEmail(address) : undefined;
}

/**
 * SES took reminder n: recorded on the invitation (`reminderAccepted`), so that a run that died
 * between SES's answer and its settle has the reminder recorded instead of sent again
 * (shared/send/reminders.ts). Only ever raised, so a late event of an earlier reminder changes nothing.
 */
async function confirmReminder(token: string, n: number): Promise<SesEventOutcome> {
  if (!Number.isInteger(n) || n < 1 || n > 5) return 'ignored';
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName('invitations'),
        Key: { token },
        UpdateExpression: 'SET reminderAccepted = :n',
        ConditionExpression:
          'attribute_exists(#token) AND (attribute_not_exists(reminderAccepted) OR reminderAccepted < :n)',
        ExpressionAttributeNames: { '#token': 'token' },
        ExpressionAttributeValues: { ':n': n },
      }),
    );
    return 'accepted';
  } catch (err) {
    if (isConditionFailure(err)) return 'ignored';
    throw err;
  }
}

export async function handleSesEvent(event: SesEvent): Promise<SesEventOutcome> {
  const { detail } = event;
  const token = detail.mail.tags?.invitation?.[0];
  const reminder = Number(detail.mail.tags?.reminder?.[0] ?? 0);
  if (detail.eventType === 'Send' && token && reminder > 0) return confirmReminder(token, reminder);
  if (detail.eventType === 'Send' && token)
    return confirmAccepted(token, detail.mail.timestamp ?? nowIso(), detail.mail.messageId);
  const isHardBounce = detail.eventType === 'Bounce' && detail.bounce?.bounceType === 'Permanent';
  const isComplaint = detail.eventType === 'Complaint';
  if (!isHardBounce && !isComplaint) return 'ignored';
  if (!token) return 'unknown-invitation';
  const invitation = await getInvitation(token, true);
  if (!invitation) return 'unknown-invitation';
  const contact = await contactOfEvent(invitation, detail.mail.destination);
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
