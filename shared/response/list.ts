/**
 * Listing a survey's answers, oldest first, from the sparse `answersBySurvey` index: it holds only
 * answered invitations, so a read costs what the answers cost, whatever the number of invitations
 * that were never answered. Every request reads a bounded amount (a few query pages, a time budget)
 * and hands back a cursor where it stopped, even with fewer answers than a full page: a caller that
 * follows the cursors sees every answer. The CSV export (export.ts) reads through the same function.
 *
 * The cursor is a position, not a DynamoDB key: the index's key includes the invitation's token,
 * and a token must never appear in a URL. Like the comment feed's cursor, it names the last answer's
 * time and how many answers at exactly that time were already handed out.
 */
import { performance } from 'node:perf_hooks';
import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { tableName } from '../config.ts';
import { badRequest } from '../errors.ts';
import { isContactId } from '../ids.ts';
import type { Invitation } from '../invitation/schema.ts';
import { backOff } from '../retry.ts';
import { segmentOf } from '../scoring.ts';
import type { Survey } from '../survey/schema.ts';

export interface ResponseView {
  waveId: string;
  contactId?: string;
  score: number;
  segment: string;
  comment?: string;
  respondedAt: string;
  firstRespondedAt: string;
}

const view = (inv: Invitation): ResponseView => ({
  waveId: inv.waveId,
  ...(isContactId(inv.contactId) && !inv.anonymous && { contactId: inv.contactId }),
  score: inv.score as number,
  segment: segmentOf(inv.kind, inv.scale, inv.score as number),
  ...(inv.comment && { comment: inv.comment }),
  respondedAt: inv.respondedAt as string,
  firstRespondedAt: (inv.firstRespondedAt ?? inv.respondedAt) as string,
});

/** Answers at or after `at`, less the first `skip` of those at exactly `at` (already handed out). */
export interface AnswerPosition {
  at: string;
  skip: number;
}

export const encodeAnswerCursor = (p: AnswerPosition): string =>
  Buffer.from(JSON.stringify(['a', p.at, p.skip])).toString('base64url');

export function decodeAnswerCursor(cursor: string | undefined): AnswerPosition | undefined {
  if (!cursor) return undefined;
  try {
    const [tag, at, skip] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (tag !== 'a' || typeof at !== 'string' || Number.isNaN(Date.parse(at))) throw new Error('at');
    if (typeof skip !== 'number' || !Number.isInteger(skip) || skip < 0) throw new Error('skip');
    return { at, skip };
  } catch {
    throw badRequest('cursor is not one this API gave out');
  }
}

/** What one request may spend on reading answers. */
export interface ReadBudget {
  /** Query pages of the index (each at most 1 MB); the request stops after the page that reaches it. */
  reads: number;
  /** Milliseconds of reading; checked between pages. */
  ms: number;
}

/** Where the answers read go: it takes them one at a time until it is full. */
export interface AnswerSink {
  /** Takes an answer, or refuses it (it is full): the answer is then the next request's first. */
  take(answer: ResponseView): boolean;
  /** How many more answers it expects to take (sizes the next read; 0 or less: it is full). */
  room(): number;
}

/** Items one query asks for at most: DynamoDB stops at 1 MB anyway (≥ 170 answers of the largest size). */
const maxQueryItems = 1000;
/** BatchGetItem takes at most 100 keys. */
const batchGetKeys = 100;

/**
 * Reads answers oldest first from `from` into `sink` until the sink is full, the budget is spent or
 * the answers end. Answers the position after the last answer taken, or undefined at the end.
 * At least one answer is taken before the budget can stop it, so a cursor always moves forward.
 */
export async function readAnswers(
  survey: Survey,
  from: AnswerPosition | undefined,
  budget: ReadBudget,
  sink: AnswerSink,
): Promise<AnswerPosition | undefined> {
  const started = performance.now();
  let position = from;
  let skip = from?.skip ?? 0;
  let start: Record<string, unknown> | undefined;
  let taken = 0;
  for (let reads = 1; ; reads++) {
    const page = await dynamo().send(
      new QueryCommand({
        TableName: tableName('invitations'),
        IndexName: 'answersBySurvey',
        KeyConditionExpression: from ? 'surveyId = :s AND respondedAt >= :at' : 'surveyId = :s',
        ExpressionAttributeValues: { ':s': survey.id, ...(from && { ':at': from.at }) },
        ScanIndexForward: true,
        ExclusiveStartKey: start,
        // The answers skipped at the start position come on top of the room the sink has.
        Limit: Math.max(1, Math.min(maxQueryItems, sink.room() + skip)),
      }),
    );
    const fresh: Invitation[] = [];
    for (const item of (page.Items ?? []) as Invitation[]) {
      if (from && skip > 0 && item.respondedAt === from.at) skip--;
      else fresh.push(item);
    }
    for (const inv of await withFirstAnswerTimes(fresh)) {
      const answer = view(inv);
      if (!sink.take(answer)) return position;
      taken++;
      position =
        position && position.at === answer.respondedAt
          ? { at: answer.respondedAt, skip: position.skip + 1 }
          : { at: answer.respondedAt, skip: 1 };
    }
    start = page.LastEvaluatedKey;
    if (!start) return undefined;
    const spent = reads >= budget.reads || performance.now() - started >= budget.ms;
    if (sink.room() <= 0 || (taken > 0 && spent)) return position;
  }
}

/**
 * The index holds what the feed shows, not `firstRespondedAt`. An answer never edited (version 1)
 * was first given when it was given; only edited ones need their item, read by key in batches.
 */
async function withFirstAnswerTimes(items: Invitation[]): Promise<Invitation[]> {
  const edited = items.filter((i) => (i.responseVersion ?? 1) > 1 && i.firstRespondedAt === undefined);
  if (edited.length === 0) return items;
  const first = new Map<string, string>();
  const table = tableName('invitations');
  for (let i = 0; i < edited.length; i += batchGetKeys) {
    let keys: Record<string, unknown>[] = edited.slice(i, i + batchGetKeys).map((e) => ({ token: e.token }));
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt > 8) throw new Error('answers: BatchGetItem kept leaving keys unprocessed');
      const result = await dynamo().send(
        new BatchGetCommand({
          RequestItems: {
            [table]: {
              Keys: keys,
              ProjectionExpression: '#token, firstRespondedAt',
              ExpressionAttributeNames: { '#token': 'token' },
            },
          },
        }),
      );
      for (const item of result.Responses?.[table] ?? []) {
        if (typeof item.firstRespondedAt === 'string') first.set(String(item.token), item.firstRespondedAt);
      }
      keys = (result.UnprocessedKeys?.[table]?.Keys ?? []) as Record<string, unknown>[];
      if (keys.length) await backOff(attempt, 25, 1000);
    }
  }
  return items.map((i) => {
    const at = first.get(i.token);
    return at === undefined ? i : { ...i, firstRespondedAt: at };
  });
}

/** One JSON page: a few query pages at most, so a page may hold fewer answers and still a cursor. */
const pageBudget: ReadBudget = { reads: 3, ms: 5_000 };

export async function listResponses(
  survey: Survey,
  cursor: string | undefined,
  pageSize = 100,
): Promise<{ responses: ResponseView[]; cursor?: string }> {
  const responses: ResponseView[] = [];
  const next = await readAnswers(survey, decodeAnswerCursor(cursor), pageBudget, {
    take: (answer) => responses.length < pageSize && responses.push(answer) > 0,
    room: () => pageSize - responses.length,
  });
  return { responses, ...(next && { cursor: encodeAnswerCursor(next) }) };
}
