/** The dashboard's contact pages: find by email, a contact's page, timeline and follow-ups, erasure. */
import { followUpsOfContact } from '../../../shared/alert/followups.ts';
import { nowMs } from '../../../shared/clock.ts';
import { eraseContact } from '../../../shared/contact/erase.ts';
import { isValidEmail, publicContact } from '../../../shared/contact/schema.ts';
import { getContact, getContactByEmail } from '../../../shared/contact/store.ts';
import { contactTimeline } from '../../../shared/contact/timeline.ts';
import { renderConfirmPage } from '../../../shared/dashboard/confirm-page.ts';
import { renderContactPage, renderContactSearchPage } from '../../../shared/dashboard/contact-pages.ts';
import { AppError, notFound } from '../../../shared/errors.ts';
import { pathParam, queryParam } from '../../../shared/http.ts';
import { fill } from '../../../shared/i18n/format.ts';
import { type DashboardAction, htmlResult, redirect } from './edge.ts';

const contactPath = (id: string) => `/admin/contacts/${encodeURIComponent(id)}`;

async function requireContact(id: string) {
  const contact = await getContact(id);
  if (!contact) throw notFound(`contact ${id} not found`);
  return contact;
}

export const contactPageRoutes: Record<string, DashboardAction> = {
  'GET /admin/contacts': async (req) => {
    const email = queryParam(req.event, 'email')?.trim();
    const erased = queryParam(req.event, 'done') === 'erased';
    if (!email) return htmlResult(req, 200, renderContactSearchPage(req.view, { erased }));
    const contact = isValidEmail(email) ? await getContactByEmail(email) : undefined;
    if (contact) return redirect(contactPath(contact.id));
    return htmlResult(req, 404, renderContactSearchPage(req.view, { email, notFound: true }));
  },

  'GET /admin/contacts/{id}': async (req) => {
    const contact = await requireContact(pathParam(req.event, 'id'));
    const [timeline, followUps] = await Promise.all([
      contactTimeline(contact.id),
      followUpsOfContact(contact.id),
    ]);
    return htmlResult(
      req,
      200,
      renderContactPage(req.view, { contact: publicContact(contact), timeline, followUps, nowMs: nowMs() }),
    );
  },

  'GET /admin/contacts/{id}/erase': async (req) => {
    const contact = await requireContact(pathParam(req.event, 'id'));
    const { m } = req.view;
    return htmlResult(
      req,
      200,
      renderConfirmPage(req.view, {
        title: fill(m.eraseConfirm.title, { email: contact.email }),
        text: m.eraseConfirm.text,
        action: `${contactPath(contact.id)}/erase`,
        confirm: m.eraseConfirm.confirm,
        cancelHref: contactPath(contact.id),
        cancel: m.eraseConfirm.cancel,
        danger: true,
        current: 'contacts',
      }),
    );
  },

  'POST /admin/contacts/{id}/erase': async (req) => {
    try {
      await eraseContact(pathParam(req.event, 'id'));
    } catch (err) {
      // A second post of the same confirmation finds the contact gone: erased, as asked.
      if (!(err instanceof AppError && err.code === 'not_found')) throw err;
    }
    return redirect('/admin/contacts?done=erased');
  },
};
