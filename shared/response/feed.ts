/**
 * The comment feed: a survey's answers with a comment, newest first, read one page at a time from
 * the sparse `answersBySurvey` index (only answered invitations carry `respondedAt`). A page costs a
 * bounded number of requests at any number of answers; filters (segment, wave, score range, text)
 * are applied by DynamoDB while it reads, so a rare match may need "older" to look further.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { tableName } from '../config.ts';
import { badRequest } from '../errors.ts';
import { isContactId } from '../ids.ts';
import type { Invitation } from '../invitation/schema.ts';
import { type Scale, type Segment, type SurveyKind, segmentOf } from '../scoring.ts';
import type { Survey } from '../survey/schema.ts';

export interface FeedFilter {
  segment?: Segment;
  waveId?: string;
  minScore?: number;
  maxScore?: number;
  /** Words to find in the comment (as typed, lower case and capitalised: DynamoDB's contains() minds case). */
  text?: string;
}

export interface FeedEntry {
  waveId: string;
  /** Absent for anonymous, link and erased answers. */
  contactId?: string;
  score: number;
  segment: Segment;
  comment: string;
  respondedAt: string;
  /** The answer was changed after it was first given. */
  edited: boolean;
  /** The contact properties the survey reports by, as they were when the wave chose it. */
  reportProps: Record<string, string>;
}

export interface FeedPage {
  entries: FeedEntry[];
  /** Where the next (older) page starts; absent at the end. */
  cursor?: string;
  /** Answers DynamoDB looked at for this page (a filter that rarely matches looks at many). */
  examined: number;
}

/** Where a page starts: answers at or before `at`, less the first `skip` matches at exactly `at`. */
interface Cursor {
  at: string;
  skip: number;
}

export const feedPageSize = 20;
/**
 * Answers read per request: the first read expects about a third of the answers to carry a comment
 * (4 × a page), later ones look further. At most 3 reads per page, whatever the filter.
 */
const firstReadLimit = 4 * feedPageSize;
const laterReadLimit = 200;
const maxReads = 3;

const encode = (c: Cursor): string => Buffer.from(JSON.stringify([c.at, c.skip])).toString('base64url');
export function decodeFeedCursor(cursor: string | undefined): Cursor | undefined {
  if (!cursor) return undefined;
  try {
    const [at, skip] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) throw new Error('at');
    if (typeof skip !== 'number' || !Number.isInteger(skip) || skip < 0 || skip > 10_000)
      throw new Error('skip');
    return { at, skip };
  } catch {
    throw badRequest('cursor is not one this page gave out');
  }
}

/** The scores of a segment, as a range (segments are contiguous on every scale). */
export function segmentScores(
  kind: SurveyKind,
  scale: Scale,
  segment: Segment,
): { min: number; max: number } {
  const scores: number[] = [];
  for (let s = scale.min; s <= scale.max; s++) if (segmentOf(kind, scale, s) === segment) scores.push(s);
  if (scores.length === 0) throw badRequest(`segment ${segment} is not one of a ${kind} survey`);
  return { min: Math.min(...scores), max: Math.max(...scores) };
}

/** Case variants of the searched text that contains() should try. */
function textVariants(text: string): string[] {
  const lower = text.toLowerCase();
  const capital = lower.charAt(0).toUpperCase() + lower.slice(1);
  return [...new Set([text, lower, capital, text.toUpperCase()])];
}

function filterExpression(survey: Survey, filter: FeedFilter) {
  const parts = ['attribute_exists(#comment)'];
  const names: Record<string, string> = { '#comment': 'comment' };
  const values: Record<string, unknown> = {};
  if (filter.waveId) {
    parts.push('waveId = :wave');
    values[':wave'] = filter.waveId;
  }
  let min = filter.minScore ?? survey.scale.min;
  let max = filter.maxScore ?? survey.scale.max;
  if (filter.segment) {
    const range = segmentScores(survey.kind, survey.scale, filter.segment);
    min = Math.max(min, range.min);
    max = Math.min(max, range.max);
  }
  if (min > survey.scale.min || max < survey.scale.max) {
    parts.push('#score BETWEEN :min AND :max');
    names['#score'] = 'score';
    values[':min'] = min;
    values[':max'] = max;
  }
  if (filter.text) {
    const variants = textVariants(filter.text);
    parts.push(`(${variants.map((_, i) => `contains(#comment, :t${i})`).join(' OR ')})`);
    variants.forEach((v, i) => {
      values[`:t${i}`] = v;
    });
  }
  return { expression: parts.join(' AND '), names, values, empty: min > max };
}

const entryOf = (inv: Invitation): FeedEntry => ({
  waveId: inv.waveId,
  ...(isContactId(inv.contactId) && !inv.anonymous && { contactId: inv.contactId }),
  score: inv.score as number,
  segment: segmentOf(inv.kind, inv.scale, inv.score as number),
  comment: inv.comment ?? '',
  respondedAt: inv.respondedAt as string,
  edited: (inv.responseVersion ?? 1) > 1,
  reportProps: inv.reportProps ?? {},
});

export async function readFeed(
  survey: Survey,
  filter: FeedFilter,
  cursor: string | undefined,
  pageSize = feedPageSize,
): Promise<FeedPage> {
  const from = decodeFeedCursor(cursor);
  const where = filterExpression(survey, filter);
  if (where.empty) return { entries: [], examined: 0 };
  const matches: FeedEntry[] = [];
  let skip = from?.skip ?? 0;
  let start: Record<string, unknown> | undefined;
  let examined = 0;
  let lastEvaluatedAt: string | undefined;
  for (let read = 0; read < maxReads && matches.length <= pageSize; read++) {
    const page = await dynamo().send(
      new QueryCommand({
        TableName: tableName('invitations'),
        IndexName: 'answersBySurvey',
        KeyConditionExpression: from ? 'surveyId = :s AND respondedAt <= :at' : 'surveyId = :s',
        FilterExpression: where.expression,
        ExpressionAttributeNames: where.names,
        ExpressionAttributeValues: { ':s': survey.id, ...(from && { ':at': from.at }), ...where.values },
        ScanIndexForward: false,
        ExclusiveStartKey: start,
        Limit: read === 0 ? Math.max(firstReadLimit, 4 * pageSize) : laterReadLimit,
      }),
    );
    examined += page.ScannedCount ?? 0;
    for (const item of page.Items ?? []) {
      const inv = item as Invitation;
      if (from && skip > 0 && inv.respondedAt === from.at) {
        skip--;
        continue;
      }
      matches.push(entryOf(inv));
    }
    start = page.LastEvaluatedKey;
    lastEvaluatedAt = start ? String(start.respondedAt) : undefined;
    if (!start) break;
  }
  const entries = matches.slice(0, pageSize);
  let next: Cursor | undefined;
  const last = entries.at(-1);
  if (matches.length > pageSize && last) {
    next = { at: last.respondedAt, skip: shownAt(entries, last.respondedAt, from) };
  } else if (start && lastEvaluatedAt) {
    // The reads ran out before the page filled: go on from where DynamoDB stopped.
    next = { at: lastEvaluatedAt, skip: shownAt(entries, lastEvaluatedAt, from) };
  }
  return { entries, examined, ...(next && { cursor: encode(next) }) };
}

/** Matches at exactly `at` already shown, on this page and (same `at`) the ones before it. */
function shownAt(entries: FeedEntry[], at: string, from: Cursor | undefined): number {
  const here = entries.filter((e) => e.respondedAt === at).length;
  return here + (from && from.at === at ? from.skip : 0);
}
