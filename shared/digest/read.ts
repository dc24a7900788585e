/**
 * Reading a digest's material through the stores the dashboard reads: the survey's aggregates and
 * waves (two requests at any volume: shared/report/survey-report), the comment feed filtered to the
 * low segment (a few bounded pages of shared/response/feed), and the survey's open follow-ups
 * (shared/alert/followups). Nothing is recomputed by scanning answers.
 */
import { listFollowUps } from '../alert/followups.ts';
import type { FollowUp } from '../alert/schema.ts';
import { requireEnv } from '../config.ts';
import { buildReport } from '../report/survey-report.ts';
import { type FeedEntry, readFeed } from '../response/feed.ts';
import { aggregateItems } from '../score/read.ts';
import type { Survey } from '../survey/schema.ts';
import { listWaves } from '../wave/store.ts';
import { commentLimit, type DigestContent, digestContent, lowSegment } from './content.ts';
import type { DigestPeriod } from './period.ts';

/** Feed pages read at most, newest first, to reach back past the answers given since the period ended. */
const maxFeedPages = 5;
/** Open follow-ups counted at most (a page of the list reads up to 10 index pages). */
const followUpPageSize = 200;
const maxFollowUpPages = 5;

/**
 * The low segment's comments answered in the period, newest first: the feed reads from now back,
 * so the few answers given since the period ended are passed over, then the period's are kept.
 */
export async function periodComments(
  survey: Survey,
  period: DigestPeriod,
): Promise<{ entries: FeedEntry[]; more: boolean }> {
  const entries: FeedEntry[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxFeedPages; page++) {
    const feed = await readFeed(survey, { segment: lowSegment(survey.kind) }, cursor);
    for (const entry of feed.entries) {
      if (entry.respondedAt < period.startAt) return { entries, more: false };
      if (entry.respondedAt < period.endAt) {
        if (entries.length === commentLimit) return { entries, more: true };
        entries.push(entry);
      }
    }
    cursor = feed.cursor;
    if (!cursor) return { entries, more: false };
  }
  // Read as far as a digest may: there may be more, and the dashboard lists them.
  return { entries, more: entries.length > 0 };
}

/** The survey's open follow-ups, soonest due first; `complete` is false when there were more to count. */
export async function openFollowUps(surveyId: string): Promise<{ followUps: FollowUp[]; complete: boolean }> {
  const followUps: FollowUp[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxFollowUpPages; page++) {
    const answer = await listFollowUps({
      status: 'open',
      surveyId,
      limit: followUpPageSize,
      ...(cursor && { cursor }),
    });
    followUps.push(...answer.followUps);
    cursor = answer.cursor;
    if (!cursor) return { followUps, complete: true };
  }
  return { followUps, complete: false };
}

/** Everything one survey's digest shows for the period. */
export async function readDigestContent(
  survey: Survey,
  period: DigestPeriod,
  at: Date,
): Promise<DigestContent> {
  // The report without the property breakdowns (the digest shows none): the aggregates and the waves.
  const [items, waves, comments, open] = await Promise.all([
    aggregateItems(survey.id),
    listWaves(survey.id),
    periodComments(survey, period),
    openFollowUps(survey.id),
  ]);
  return digestContent({
    report: buildReport(survey, items, waves, []),
    period,
    at,
    comments: comments.entries,
    moreComments: comments.more,
    followUps: open.followUps,
    followUpsComplete: open.complete,
    publicUrl: requireEnv('PUBLIC_URL'),
  });
}
