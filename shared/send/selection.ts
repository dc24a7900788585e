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
import { tableName } from '../config.ts';
import type { Contact } from '../contact/schema.ts';
import { invitationToken } from '../ids.ts';
import type { Invitation } from '../invitation/schema.ts';
import { putInvitationOnce } from '../invitation/store.ts';
import { defaultSkipIfSurveyedWithinDays } from '../survey/lifecycle.ts';
import type { Survey } from '../survey/schema.ts';
import type { Wave } from '../wave/schema.ts';
import { recordSelectionPage } from '../wave/store.ts';
import { mapConcurrent } from './concurrency.ts';

export const selectionPageSize = 250;

/** Whether a contact belongs in this wave, with the reason when it does not. */
export function chooseContact(contact: Contact, survey: Survey, wave: Wave, at: number): true | string {
  if (contact.status !== 'subscribed') return contact.status;
  if (!matchesAudience(contact, survey.audience.where, at)) return 'criteria';
  const skipDays = survey.audience.skipIfSurveyedWithinDays ?? defaultSkipIfSurveyedWithinDays;
  const last = contact.surveyed?.[survey.id];
  if (skipDays > 0 && last && at - Date.parse(last) < skipDays * 86_400_000) return 'surveyed recently';
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
    ...(survey.anonymous && { anonymous: true }),
    ...(Object.keys(reportProps).length > 0 && { reportProps }),
  };
}

/** Selects one page; answers true when selection is complete. */
export async function selectPage(wave: Wave, survey: Survey): Promise<boolean> {
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
  await mapConcurrent(chosen, 16, (contact) =>
    putInvitationOnce(invitationFor(contact, survey, wave, createdAt)),
  );
  const next = page.LastEvaluatedKey ? JSON.stringify(page.LastEvaluatedKey) : undefined;
  // Counted with the cursor move, conditionally: a page redone after a crash is counted once.
  await recordSelectionPage(wave.id, wave.cursor, next, { selected: chosen.length });
  return next === undefined;
}
