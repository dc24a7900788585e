/** An invitation or reminder email for one contact, in the contact's language, tagged for SES's events. */
import { requireEnv } from '../config.ts';
import type { Contact } from '../contact/schema.ts';
import { renderInvitationEmail } from '../email/invitation.ts';
import { pickLocale } from '../i18n/pick-locale.ts';
import type { Invitation } from '../invitation/schema.ts';
import type { Survey } from '../survey/schema.ts';
import type { OutgoingEmail } from './ses.ts';

/**
 * The tags come back on SES's events: `invitation` finds the invitation, and `reminder` (only on a
 * reminder) tells its Send event from the first email's.
 */
export function composeEmail(inv: Invitation, survey: Survey, contact: Contact, reminder = 0): OutgoingEmail {
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
    // SES keeps the tags for its events; the local stand-in keeps none, so a reminder also says so in
    // a header, read back by local/ses-events.ts.
    headers:
      reminder > 0
        ? [...rendered.headers, { name: 'X-Npswave-Reminder', value: String(reminder) }]
        : rendered.headers,
    tags: {
      invitation: inv.token.replace(/[^A-Za-z0-9_.@-]/g, '-'),
      wave: inv.waveId,
      survey: inv.surveyId,
      ...(reminder > 0 && { reminder: String(reminder) }),
    },
  };
}
