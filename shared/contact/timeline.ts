/**
 * A contact's history across every survey: each invitation it got, and the answer it gave. Found
 * wave by wave in byWave (one key lookup each, as erasure does), so the cost grows with the number
 * of waves, never with the number of invitations. Anonymous answers are not linked to the contact
 * once given, so they are not in it.
 */

import type { InvitationStatus } from '../invitation/schema.ts';
import { invitationsOfContactInWave } from '../invitation/store.ts';
import { type Segment, segmentOf } from '../scoring.ts';
import { mapConcurrent } from '../send/concurrency.ts';
import type { Survey } from '../survey/schema.ts';
import { listSurveys } from '../survey/store.ts';
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
}

export async function contactTimeline(contactId: string): Promise<TimelineEntry[]> {
  const surveys = await listSurveys();
  const waves = (
    await mapConcurrent(surveys, 8, async (survey) =>
      (await listWaves(survey.id)).map((w) => ({ survey, wave: w })),
    )
  ).flat();
  const found = await mapConcurrent(waves, 16, async ({ survey, wave }) =>
    (await invitationsOfContactInWave(wave.id, contactId)).map(
      (inv): TimelineEntry => ({
        survey: { id: survey.id, name: survey.name, kind: survey.kind, scale: survey.scale },
        waveId: wave.id,
        status: inv.status,
        at: inv.sentAt ?? inv.createdAt,
        reminders: inv.reminders ?? 0,
        ...(inv.score !== undefined && {
          score: inv.score,
          segment: segmentOf(inv.kind, inv.scale, inv.score),
          respondedAt: inv.respondedAt,
        }),
        ...(inv.comment && { comment: inv.comment }),
        edited: (inv.responseVersion ?? 0) > 1,
      }),
    ),
  );
  // Newest first: by the answer if there is one, else by the invitation.
  return found.flat().sort((a, b) => (b.respondedAt ?? b.at).localeCompare(a.respondedAt ?? a.at));
}
