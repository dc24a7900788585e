/** Unsubscribing through an invitation's link, and the honeypot's audit mark. */
import { nowIso } from '../clock.ts';
import { getContact, setContactStatus } from '../contact/store.ts';
import { isContactId } from '../ids.ts';
import type { Invitation } from '../invitation/schema.ts';
import { unsealContactId } from '../invitation/sealed-contact.ts';
import { getInvitation, stampInvitationOnce } from '../invitation/store.ts';
import { getWave } from '../wave/store.ts';

/**
 * The contact an invitation was sent to. An anonymous survey's answer sealed it (the answer must not
 * name anyone); the wave's secret opens it here, on the server, for the contact's own request.
 */
export async function contactIdOfInvitation(
  inv: Pick<Invitation, 'contactId' | 'sealedContactId' | 'waveId'>,
): Promise<string | undefined> {
  if (isContactId(inv.contactId)) return inv.contactId;
  const sealed = inv.sealedContactId ?? inv.contactId;
  if (!sealed?.startsWith('anon_')) return undefined;
  const wave = await getWave(inv.waveId);
  return wave && unsealContactId(wave.secret, sealed);
}

/** The contact gets no further waves or reminders; bounced or complained states are kept. */
export async function unsubscribeByInvitation(inv: Invitation): Promise<void> {
  const contactId = await contactIdOfInvitation(inv);
  if (contactId) {
    const contact = await getContact(contactId);
    if (contact?.status === 'subscribed') await setContactStatus(contact.id, 'unsubscribed');
  }
  await stampInvitationOnce(inv, 'unsubscribedAt', nowIso(), 'unsubscribed');
}

/** A fetch of the hidden link: this invitation's clicks are automated (counted once per invitation). */
export async function markAutomated(token: string): Promise<void> {
  const inv = await getInvitation(token);
  if (inv) await stampInvitationOnce(inv, 'automatedAt', nowIso(), 'automated');
}
