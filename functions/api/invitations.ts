/** Admin route for triggered invitations: one contact, now or after a delay. */
import * as v from 'valibot';
import { type ContactInput, contactInput } from '../../shared/contact/schema.ts';
import { getContact, upsertContact } from '../../shared/contact/store.ts';
import { notFound } from '../../shared/errors.ts';
import { json, jsonBody, parseInput, pathParam } from '../../shared/http.ts';
import { requireSurvey } from '../../shared/survey/store.ts';
import { triggerInvitation } from '../../shared/wave/triggered.ts';
import type { AdminRoutes } from './router.ts';

const delayMinutes = v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(7 * 24 * 60)), 0);
const triggerInput = v.union([
  v.strictObject({
    contactId: v.pipe(v.string(), v.regex(/^c_[a-z2-7]{20}$/, 'not a contact id')),
    delayMinutes,
  }),
  v.strictObject({ ...contactInput.entries, delayMinutes }),
]);

export const invitationRoutes: AdminRoutes = {
  'POST /api/surveys/{id}/invitations': async (event) => {
    const input = parseInput(triggerInput, jsonBody(event));
    const survey = await requireSurvey(pathParam(event, 'id'));
    let contact = 'contactId' in input ? await getContact(input.contactId) : undefined;
    if ('contactId' in input && !contact) throw notFound(`contact ${input.contactId} not found`);
    if (!('contactId' in input)) {
      const { delayMinutes: _d, ...fields } = input;
      contact = (await upsertContact(fields as ContactInput)).contact;
    }
    if (!contact) throw notFound('contact not found');
    const result = await triggerInvitation(survey, contact, input.delayMinutes);
    return 'skipped' in result ? json(200, result) : json(202, result);
  },
};
