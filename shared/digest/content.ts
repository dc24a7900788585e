/**
 * What a digest says, as numbers: pure, from what the dashboard already reads (the survey report's
 * per-day and per-wave aggregates, a page or two of the comment feed, the open follow-ups). The
 * score of the period and of the one before come from the same per-day aggregates the trend adds
 * up (headlineOf), and the change is judged by shared/score/significance as the trend judges it.
 */
import type { FollowUp } from '../alert/schema.ts';
import type { Headline, SurveyReport } from '../report/survey-report.ts';
import { headlineOf } from '../report/survey-report.ts';
import type { FeedEntry } from '../response/feed.ts';
import { type Change, compareScores } from '../score/significance.ts';
import { addCounts, type Counts, emptyCounts, type Segment, segmentOf, segmentsOf } from '../scoring.ts';
import type { Survey } from '../survey/schema.ts';
import type { DayRange, DigestPeriod } from './period.ts';

/** Comments listed at most; the rest are a link away. */
export const commentLimit = 10;
/** Follow-ups listed at most. */
export const followUpLimit = 5;

export type DigestSurvey = Pick<Survey, 'id' | 'name' | 'kind' | 'scale' | 'timezone' | 'defaultLocale'>;

export interface DigestComment {
  score: number;
  segment: Segment;
  comment: string;
  respondedAt: string;
  edited: boolean;
}

export interface DigestFollowUp {
  score: number;
  segment: Segment;
  who?: string;
  comment?: string;
  assignee?: string;
  dueAt: string;
  overdue: boolean;
  /** The answer in the dashboard. */
  url: string;
}

/** How the latest period compares with the one before, in words the email can choose from. */
export type ChangeVerdict =
  /** Larger than chance explains at 95 %. */
  | 'up'
  | 'down'
  /** Tested, and within what chance explains. */
  | 'within'
  /** Both sides without spread, or a mean on a single answer: nothing to test against. */
  | 'untestable'
  | 'noPrevious'
  | 'noAnswers';

export interface WaveRate {
  waveId: string;
  startedAt: string;
  delivered: number;
  responded: number;
  rate: number | null;
}

export interface DigestContent {
  survey: DigestSurvey;
  period: DigestPeriod;
  /** The period's answers (by the UTC day of each first answer). */
  current: { counts: Counts; headline: Headline };
  previous: { counts: Counts; headline: Headline };
  allTime: Headline;
  change: Change | null;
  verdict: ChangeVerdict;
  /** The period's answers per segment, in the kind's order (good, middle, bad). */
  split: { segment: Segment; count: number; share: number }[];
  /**
   * Responses over delivered invitations (PRODUCT.md) of the waves open at some time in the period:
   * the rate of the sends the period's answers belong to, never a period's answers over another's sends.
   */
  responseRate: { rate: number | null; responded: number; delivered: number; waves: WaveRate[] };
  /** The period's detractors (NPS) or low ratings (CSAT, CES): how many, and their latest comments. */
  low: { segment: Segment; count: number; comments: DigestComment[]; more: boolean };
  followUps: { open: number; overdue: number; complete: boolean; first: DigestFollowUp[] };
  links: { survey: string; comments: string; followUps: string; settings: string };
}

/** The segment a digest lists: detractors for NPS, low ratings for CSAT and CES. */
export const lowSegment = (kind: Survey['kind']): Segment => (kind === 'nps' ? 'detractor' : 'low');

/** The answers of a run of UTC days, from the report's per-day aggregates. */
export const countsOfDays = (days: ReadonlyMap<string, Counts>, range: DayRange): Counts =>
  range.days.reduce((sum, day) => {
    const counts = days.get(day);
    return counts ? addCounts(sum, counts) : sum;
  }, emptyCounts());

export function verdictOf(change: Change | null, current: Counts, previous: Counts): ChangeVerdict {
  if (current.responses === 0) return 'noAnswers';
  if (previous.responses === 0) return 'noPrevious';
  if (!change || change.pValue === null) return 'untestable';
  if (!change.significant) return 'within';
  return change.difference > 0 ? 'up' : 'down';
}

function splitOf(survey: DigestSurvey, counts: Counts): DigestContent['split'] {
  const bySegment = new Map<Segment, number>();
  for (const [score, n] of Object.entries(counts.distribution)) {
    if (!(n > 0)) continue;
    const segment = segmentOf(survey.kind, survey.scale, Number(score));
    bySegment.set(segment, (bySegment.get(segment) ?? 0) + n);
  }
  const total = [...bySegment.values()].reduce((a, b) => a + b, 0);
  // Good first, bad last: segmentsOf lists NPS's from promoter down and the ratings' from low up.
  const order = survey.kind === 'nps' ? segmentsOf('nps') : [...segmentsOf(survey.kind)].reverse();
  return order.map((segment) => {
    const count = bySegment.get(segment) ?? 0;
    return { segment, count, share: total > 0 ? count / total : 0 };
  });
}

/** A wave took part in the period when it was open at some moment of it. */
const openDuring = (row: SurveyReport['waves'][number], period: DigestPeriod): boolean => {
  const closed = row.wave.closedAt ?? row.wave.closesAt;
  return row.wave.startedAt < period.endAt && (!closed || closed >= period.startAt);
};

export interface DigestInput {
  report: SurveyReport;
  period: DigestPeriod;
  /** The firing's time: follow-ups due before it are overdue. */
  at: Date;
  /** Feed entries of the low segment answered in the period, newest first. */
  comments: FeedEntry[];
  /** More such comments than `comments` holds. */
  moreComments: boolean;
  /** Open follow-ups of the survey, soonest due first. */
  followUps: FollowUp[];
  /** All of them were read (false: there are more than were counted). */
  followUpsComplete: boolean;
  /** Base URL of the dashboard, e.g. https://feedback.example.com. */
  publicUrl: string;
}

export function digestContent(input: DigestInput): DigestContent {
  const { report, period } = input;
  const survey = report.survey;
  const current = countsOfDays(report.days, period);
  const previous = countsOfDays(report.days, period.previous);
  const change =
    current.responses > 0 && previous.responses > 0 ? compareScores(survey.kind, previous, current) : null;
  const split = splitOf(survey, current);
  const low = lowSegment(survey.kind);
  const waves = report.waves
    .filter((row) => row.delivered > 0 && openDuring(row, period))
    .map(
      (row): WaveRate => ({
        waveId: row.wave.id,
        startedAt: row.wave.startedAt,
        delivered: row.delivered,
        responded: row.counts.responded,
        rate: row.responseRate,
      }),
    );
  const delivered = waves.reduce((n, w) => n + w.delivered, 0);
  const responded = waves.reduce((n, w) => n + w.responded, 0);
  const atMs = input.at.getTime();
  const base = input.publicUrl.replace(/\/+$/, '');
  const surveyPath = `/admin/surveys/${encodeURIComponent(survey.id)}`;
  return {
    survey: {
      id: survey.id,
      name: survey.name,
      kind: survey.kind,
      scale: survey.scale,
      timezone: survey.timezone,
      defaultLocale: survey.defaultLocale,
    },
    period,
    current: { counts: current, headline: headlineOf(survey, current) },
    previous: { counts: previous, headline: headlineOf(survey, previous) },
    allTime: report.headline,
    change,
    verdict: verdictOf(change, current, previous),
    split,
    responseRate: { rate: delivered > 0 ? responded / delivered : null, responded, delivered, waves },
    low: {
      segment: low,
      count: split.find((s) => s.segment === low)?.count ?? 0,
      comments: input.comments.slice(0, commentLimit).map((entry) => ({
        score: entry.score,
        segment: entry.segment,
        comment: entry.comment,
        respondedAt: entry.respondedAt,
        edited: entry.edited,
      })),
      more: input.moreComments || input.comments.length > commentLimit,
    },
    followUps: {
      open: input.followUps.length,
      overdue: input.followUps.filter((f) => Date.parse(f.dueAt) < atMs).length,
      complete: input.followUpsComplete,
      first: input.followUps.slice(0, followUpLimit).map((f) => ({
        score: f.score,
        segment: f.segment,
        ...(whoOf(f) && { who: whoOf(f) }),
        ...(f.comment?.trim() && { comment: f.comment.trim() }),
        ...(f.assignee && { assignee: f.assignee }),
        dueAt: f.dueAt,
        overdue: Date.parse(f.dueAt) < atMs,
        url: f.responseUrl,
      })),
    },
    links: {
      survey: `${base}${surveyPath}`,
      comments: `${base}${surveyPath}?segment=${low}#comments`,
      followUps: `${base}/admin/followups`,
      settings: `${base}${surveyPath}/edit`,
    },
  };
}

const whoOf = (f: FollowUp): string | undefined => {
  const name = f.contactName?.trim();
  const email = f.contactEmail?.trim();
  if (name && email) return `${name} <${email}>`;
  return name || email || undefined;
};
