/**
 * Choosing a wave's audience, one page of contacts at a time. Each chosen contact gets an invitation
 * whose token is derived from the wave's secret, so a page redone after a crash finds the
 * invitations it already wrote instead of making new ones.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { matchesAudience } from '../audience/criteria.ts';
import { inPercentSample } from '../audience/sample.ts';
import { dynamo } from '../aws/clients.ts';
import { nowIso, nowMs } from '../clock.ts';
import { optionalEnv, tableName } from '../config.ts';
import type { Contact } from '../contact/schema.ts';
import { invitationToken } from '../ids.ts';
import type { Invitation } from '../invitation/schema.ts';
import { sealContactId } from '../invitation/sealed-contact.ts';
import { putInvitationOnce } from '../invitation/store.ts';
import { closedUntil } from '../schedule/send-window.ts';
import { skipIfSurveyedDays } from '../survey/lifecycle.ts';
import type { Survey } from '../survey/schema.ts';
import type { Wave } from '../wave/schema.ts';
import { recordSelectionPage } from '../wave/store.ts';
import { candidatePage, putCandidates } from './candidates.ts';
import { mapConcurrent } from './concurrency.ts';

export const selectionPageSize = 250;

/** The account-wide rule: no contact gets more than one survey of any kind in this many days (0: off). */
export const contactThrottleDays = (): number =>
  Math.max(0, Number(optionalEnv('CONTACT_THROTTLE_DAYS') ?? 0) || 0);

/** Whether a contact belongs in this wave, with the reason when it does not. */
export function chooseContact(contact: Contact, survey: Survey, wave: Wave, at: number): true | string {
  if (contact.status !== 'subscribed') return contact.status;
  if (!matchesAudience(contact, survey.audience.where, at)) return 'criteria';
  const skipDays = skipIfSurveyedDays(survey);
  const last = contact.surveyed?.[survey.id];
  if (skipDays > 0 && last && at - Date.parse(last) < skipDays * 86_400_000) return 'surveyed recently';
  const accountDays = contactThrottleDays();
  if (
    accountDays > 0 &&
    contact.lastSurveyedAt &&
    at - Date.parse(contact.lastSurveyedAt) < accountDays * 86_400_000
  ) {
    return 'surveyed recently by another survey';
  }
  const sample = survey.audience.sample;
  if (
    sample &&
    'percent' in sample &&
    !inPercentSample(wave.sampleSeed ?? wave.id, contact.id, sample.percent)
  ) {
    return 'not sampled';
  }
  return true;
}

/** With a send window closed now, the invitation waits for its next opening in the contact's zone. */
const windowStartOf = (survey: Survey, contact: Contact): { sendAfter?: string } => {
  const sendAfter = closedUntil(survey, contact, nowMs());
  return sendAfter ? { sendAfter } : {};
};

export function invitationFor(contact: Contact, survey: Survey, wave: Wave, at: string): Invitation {
  const reportProps: Record<string, string> = {};
  for (const prop of survey.reportBy) {
    const value = contact.properties?.[prop];
    if (value !== undefined && value !== '') reportProps[prop] = String(value);
  }
  return {
    token: invitationToken(survey.id, wave.secret, contact.id),
    surveyId: survey.id,
    waveId: wave.id,
    contactId: contact.id,
    kind: survey.kind,
    scale: survey.scale,
    status: 'queued',
    createdAt: at,
    closesAt: wave.closesAt,
    ...(contact.locale !== undefined && { locale: contact.locale }),
    ...(survey.anonymous && { anonymous: true, sealedContactId: sealContactId(wave.secret, contact.id) }),
    ...windowStartOf(survey, contact),
    ...(Object.keys(reportProps).length > 0 && { reportProps }),
  };
}

/**
 * Selects one page of contacts. With a fixed-count sample, eligible contacts are first written as
 * ranked candidates (phase `selecting`), then the lowest ranks are picked (phase `picking`): an
 * exact count, fixed by the seed, at any size.
 */
export async function selectPage(wave: Wave, survey: Survey): Promise<void> {
  const page = await dynamo().send(
    new ScanCommand({
      TableName: tableName('contacts'),
      Limit: selectionPageSize,
      ExclusiveStartKey: wave.cursor ? JSON.parse(wave.cursor) : undefined,
    }),
  );
  const at = nowMs();
  const createdAt = nowIso();
  const chosen = ((page.Items ?? []) as Contact[]).filter((c) => chooseContact(c, survey, wave, at) === true);
  const next = page.LastEvaluatedKey ? JSON.stringify(page.LastEvaluatedKey) : undefined;
  const sample = survey.audience.sample;
  if (sample && 'count' in sample) {
    await putCandidates(wave, chosen);
    await recordSelectionPage(wave.id, wave.cursor, next, {}, 'picking');
    return;
  }
  await mapConcurrent(chosen, 16, (contact) =>
    putInvitationOnce(invitationFor(contact, survey, wave, createdAt)),
  );
  // Counted with the cursor move, conditionally: a page redone after a crash is counted once.
  await recordSelectionPage(wave.id, wave.cursor, next, { selected: chosen.length }, 'sending');
}

/** Picks the next candidates in rank order until the sample's count is reached. */
export async function pickPage(wave: Wave, survey: Survey): Promise<void> {
  const sample = survey.audience.sample;
  const wanted = sample && 'count' in sample ? sample.count : 0;
  const remaining = wanted - wave.counts.selected;
  const page =
    remaining > 0
      ? await candidatePage(wave.id, wave.cursor, Math.min(selectionPageSize, remaining))
      : { contacts: [] };
  const createdAt = nowIso();
  await mapConcurrent(page.contacts, 16, (contact) =>
    putInvitationOnce(invitationFor(contact, survey, wave, createdAt)),
  );
  const done = remaining - page.contacts.length <= 0 || page.next === undefined;
  await recordSelectionPage(
    wave.id,
    wave.cursor,
    done ? undefined : page.next,
    { selected: page.contacts.length },
    'sending',
    'picking',
  );
}
