/** Admin routes for contacts: upsert (JSON or CSV), look-up and erasure. */
import { eraseContact } from '../../shared/contact/erase.ts';
import { importCsv, importJson } from '../../shared/contact/import.ts';
import { isValidEmail, publicContact } from '../../shared/contact/schema.ts';
import { getContact, getContactByEmail } from '../../shared/contact/store.ts';
import { AppError, badRequest, notFound } from '../../shared/errors.ts';
import { bodyText, json, jsonBody, mediaType, noContent, pathParam, queryParam } from '../../shared/http.ts';
import type { AdminRoutes } from './router.ts';

export const contactRoutes: AdminRoutes = {
  'POST /api/contacts': async (event) => json(200, await importJson(jsonBody(event))),

  'POST /api/contacts/import': async (event) => {
    const type = mediaType(event);
    if (type !== 'text/csv' && type !== 'text/plain') {
      throw new AppError(
        'unsupported_media_type',
        `send the CSV with Content-Type: text/csv (got ${type || 'none'})`,
      );
    }
    return json(200, await importCsv(bodyText(event)));
  },

  'GET /api/contacts': async (event) => {
    const email = queryParam(event, 'email');
    if (!email) throw badRequest('give ?email= to look a contact up');
    if (!isValidEmail(email.trim())) throw badRequest(`invalid email ${JSON.stringify(email)}`);
    const contact = await getContactByEmail(email);
    if (!contact) throw notFound(`no contact with email ${email}`);
    return json(200, publicContact(contact));
  },

  'GET /api/contacts/{id}': async (event) => {
    const contact = await getContact(pathParam(event, 'id'));
    if (!contact) throw notFound(`contact ${pathParam(event, 'id')} not found`);
    return json(200, publicContact(contact));
  },

  'DELETE /api/contacts/{id}': async (event) => {
    await eraseContact(pathParam(event, 'id'));
    return noContent();
  },
};
