/** Listing a survey's answers, page by page (JSON) or all at once (CSV export). */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { tableName } from '../config.ts';
import { badRequest } from '../errors.ts';
import { isContactId } from '../ids.ts';
import type { Invitation } from '../invitation/schema.ts';
import { segmentOf } from '../scoring.ts';
import type { Survey } from '../survey/schema.ts';
import { listWaves } from '../wave/store.ts';

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

interface Cursor {
  w: number;
  k?: Record<string, unknown>;
}

const encode = (c: Cursor): string => Buffer.from(JSON.stringify(c)).toString('base64url');
function decode(cursor: string | undefined): Cursor {
  if (!cursor) return { w: 0 };
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Cursor;
    if (typeof c.w !== 'number') throw new Error('bad');
    return c;
  } catch {
    throw badRequest('cursor is not one this API gave out');
  }
}

export async function listResponses(
  survey: Survey,
  cursor: string | undefined,
  pageSize = 100,
): Promise<{ responses: ResponseView[]; cursor?: string }> {
  const waves = await listWaves(survey.id);
  let at = decode(cursor);
  const responses: ResponseView[] = [];
  while (at.w < waves.length && responses.length < pageSize) {
    const wave = waves[at.w];
    if (!wave) break;
    const page = await dynamo().send(
      new QueryCommand({
        TableName: tableName('invitations'),
        IndexName: 'byWave',
        KeyConditionExpression: 'waveId = :w',
        FilterExpression: 'attribute_exists(responseVersion)',
        ExpressionAttributeValues: { ':w': wave.id },
        ExclusiveStartKey: at.k,
        Limit: pageSize,
      }),
    );
    for (const item of page.Items ?? []) responses.push(view(item as Invitation));
    at = page.LastEvaluatedKey ? { w: at.w, k: page.LastEvaluatedKey } : { w: at.w + 1 };
  }
  return { responses, ...(at.w < waves.length && { cursor: encode(at) }) };
}

const csvField = (value: unknown): string => {
  const text = value === undefined || value === null ? '' : String(value);
  // Quote always when needed; neutralise spreadsheet formulas (=, +, -, @ at the start).
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n']/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export async function responsesCsv(survey: Survey): Promise<string> {
  const header = [
    'waveId',
    'contactId',
    'score',
    'segment',
    'comment',
    'respondedAt',
    'firstRespondedAt',
  ] as const;
  const lines = [header.join(',')];
  let cursor: string | undefined;
  do {
    const page = await listResponses(survey, cursor, 500);
    for (const r of page.responses) lines.push(header.map((h) => csvField(r[h])).join(','));
    cursor = page.cursor;
  } while (cursor);
  return `${lines.join('\r\n')}\r\n`;
}
