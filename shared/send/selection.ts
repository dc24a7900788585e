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
import { putInvitationOnce, putNewInvitations } from '../invitation/store.ts';
import { closedUntil } from '../schedule/send-window.ts';
import { skipIfSurveyedDays } from '../survey/lifecycle.ts';
import type { Survey } from '../survey/schema.ts';
import type { Wave } from '../wave/schema.ts';
import { markPageStarted, recordSelectionPage } from '../wave/store.ts';
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
    // Its wave's counts are folded from the stream (shared/wave/counts.ts): nothing counted yet.
    countedMask: 0,
    createdAt: at,
    closesAt: wave.closesAt,
    ...(contact.locale !== undefined && { locale: contact.locale }),
    ...(survey.anonymous && { anonymous: true, sealedContactId: sealContactId(wave.secret, contact.id) }),
    ...windowStartOf(survey, contact),
    ...(Object.keys(reportProps).length > 0 && { reportProps }),
  };
}

/**
 * Selects one page of contacts, for a wave that began its selection before it was split into scan
 * segments (shared/send/segments.ts): one cursor on the wave. With a fixed-count sample, eligible contacts are first written as
 * ranked candidates (phase `selecting`), then the lowest ranks are picked (phase `picking`): an
 * exact count, fixed by the seed, at any size.
 */
export async function selectPage(wave: Wave, survey: Survey): Promise<void> {
  const { chosen, next, createdAt } = await scanPage(wave, survey, wave.cursor);
  const sample = survey.audience.sample;
  if (sample && 'count' in sample) {
    await putCandidates(wave, chosen);
    await recordSelectionPage(wave.id, wave.cursor, next, {}, 'picking');
    return;
  }
  const invitations = chosen.map((contact) => invitationFor(contact, survey, wave, createdAt));
  await writeInvitations(invitations, await firstTimeOnWave(wave, invitations));
  // Counted with the cursor move, conditionally: a page redone after a crash is counted once.
  await recordSelectionPage(wave.id, wave.cursor, next, { selected: chosen.length }, 'sending');
}

/**
 * A page's invitations: 25 to a request the first time the page is written (`firstTime`: the page
 * was noted as started, one write per page, and nothing can exist under these tokens yet); one
 * conditional put each when a run died in it before, so that nothing an earlier run wrote (a claim,
 * an erasure) is overwritten.
 */
export async function writeInvitations(invitations: Invitation[], firstTime: boolean): Promise<void> {
  if (invitations.length === 0) return;
  if (firstTime) await putNewInvitations(invitations);
  else await mapConcurrent(invitations, 16, putInvitationOnce);
}

/** The wave's own single-cursor selection (waves that started it before scan segments): first time of this page? */
const firstTimeOnWave = async (wave: Wave, invitations: Invitation[]): Promise<boolean> =>
  invitations.length > 0 && markPageStarted(wave.id, wave.phase, wave.cursor);

/**
 * One page of the contacts table's scan (of one parallel segment, when given), from `cursor`: the
 * contacts the wave chooses, and the cursor of the next page (undefined at the end).
 */
export async function scanPage(
  wave: Wave,
  survey: Survey,
  cursor: string | undefined,
  segment?: { segment: number; of: number },
): Promise<{ chosen: Contact[]; next?: string; createdAt: string }> {
  const page = await dynamo().send(
    new ScanCommand({
      TableName: tableName('contacts'),
      ...(segment && { Segment: segment.segment, TotalSegments: segment.of }),
      Limit: selectionPageSize,
      ExclusiveStartKey: cursor ? JSON.parse(cursor) : undefined,
    }),
  );
  const at = nowMs();
  return {
    chosen: ((page.Items ?? []) as Contact[]).filter((c) => chooseContact(c, survey, wave, at) === true),
    ...(page.LastEvaluatedKey && { next: JSON.stringify(page.LastEvaluatedKey) }),
    createdAt: nowIso(),
  };
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
  const invitations = page.contacts.map((contact) => invitationFor(contact, survey, wave, createdAt));
  await writeInvitations(invitations, await firstTimeOnWave(wave, invitations));
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
