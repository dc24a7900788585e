/**
 * A contact's history across every survey: each invitation it got, and the answer it gave. Found
 * wave by wave in byWaveKeys (one key lookup and one read each, as erasure does), so the cost grows with the number
 * of waves, never with the number of invitations. An anonymous survey's invitation is listed as
 * sent (or expired once its wave closed) whether it was answered or not: the timeline is an admin's
 * view, and "this contact answered" next to the survey's comment feed would name the answer.
 */

import type { Invitation, InvitationStatus } from '../invitation/schema.ts';
import { sealContactId } from '../invitation/sealed-contact.ts';
import { invitationsOfContactInWave } from '../invitation/store.ts';
import { type Segment, segmentOf } from '../scoring.ts';
import { mapConcurrent } from '../send/concurrency.ts';
import type { Survey } from '../survey/schema.ts';
import { listSurveys } from '../survey/store.ts';
import type { Wave } from '../wave/schema.ts';
import { listWaves } from '../wave/store.ts';

export interface TimelineEntry {
  survey: Pick<Survey, 'id' | 'name' | 'kind' | 'scale'>;
  waveId: string;
  status: InvitationStatus;
  /** When it was emailed, or made (triggered and not yet sent). */
  at: string;
  reminders: number;
  score?: number;
  segment?: Segment;
  comment?: string;
  respondedAt?: string;
  edited: boolean;
  /** An anonymous survey's invitation: never shown answered (see above). */
  anonymous?: true;
}

/** The contact's invitations in a wave; an anonymous survey's answered ones under the sealed id too. */
async function invitationsOf(wave: Wave, survey: Survey, contactId: string): Promise<Invitation[]> {
  const plain = await invitationsOfContactInWave(wave.id, contactId);
  if (!survey.anonymous) return plain;
  return [...plain, ...(await invitationsOfContactInWave(wave.id, sealContactId(wave.secret, contactId)))];
}

/** An anonymous invitation's status as if it had not been answered. */
const withoutAnswer = (status: InvitationStatus, wave: Wave): InvitationStatus =>
  status !== 'responded' ? status : wave.status === 'closed' ? 'expired' : 'sent';

const answerOf = (
  inv: Invitation,
): Pick<TimelineEntry, 'status' | 'score' | 'segment' | 'comment' | 'respondedAt' | 'edited'> => ({
  status: inv.status,
  ...(inv.score !== undefined && {
    score: inv.score,
    segment: segmentOf(inv.kind, inv.scale, inv.score),
    respondedAt: inv.respondedAt,
  }),
  ...(inv.comment && { comment: inv.comment }),
  edited: (inv.responseVersion ?? 0) > 1,
});

export async function contactTimeline(contactId: string): Promise<TimelineEntry[]> {
  const surveys = await listSurveys();
  const waves = (
    await mapConcurrent(surveys, 8, async (survey) =>
      (await listWaves(survey.id)).map((w) => ({ survey, wave: w })),
    )
  ).flat();
  const found = await mapConcurrent(waves, 16, async ({ survey, wave }) =>
    (await invitationsOf(wave, survey, contactId)).map(
      (inv): TimelineEntry => ({
        survey: { id: survey.id, name: survey.name, kind: survey.kind, scale: survey.scale },
        waveId: wave.id,
        at: inv.sentAt ?? inv.createdAt,
        reminders: inv.reminders ?? 0,
        ...(inv.anonymous
          ? { status: withoutAnswer(inv.status, wave), edited: false, anonymous: true as const }
          : answerOf(inv)),
      }),
    ),
  );
  // Newest first: by the answer if there is one, else by the invitation.
  return found.flat().sort((a, b) => (b.respondedAt ?? b.at).localeCompare(a.respondedAt ?? a.at));
}
