/** Unsubscribing through an invitation's link, and the honeypot's audit mark. */
import { nowIso } from '../clock.ts';
import { getContact, setContactStatus } from '../contact/store.ts';
import type { Invitation } from '../invitation/schema.ts';
import { getInvitation, stampInvitationOnce } from '../invitation/store.ts';

/** The contact gets no further waves or reminders; bounced or complained states are kept. */
export async function unsubscribeByInvitation(inv: Invitation): Promise<void> {
  if (inv.contactId) {
    const contact = await getContact(inv.contactId);
    if (contact?.status === 'subscribed') await setContactStatus(contact.id, 'unsubscribed');
  }
  await stampInvitationOnce(inv, 'unsubscribedAt', nowIso(), 'unsubscribed');
}

/** A fetch of the hidden link: this invitation's clicks are automated (counted once per invitation). */
export async function markAutomated(token: string): Promise<void> {
  const inv = await getInvitation(token);
  if (inv) await stampInvitationOnce(inv, 'automatedAt', nowIso(), 'automated');
}
