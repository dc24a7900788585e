/**
 * Follow-ups: the task an alert rule opens for an answer, so the team closes the loop. One per
 * contact and survey (per answer when the survey is anonymous or the answer came through a link): a
 * new matching answer from the same person updates an open one and reopens a closed one, instead of
 * piling up tasks. Listed by status (open ones by due time, so the overdue come first) and per contact.
 */
import {
  GetCommand,
  QueryCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { isConditionFailure } from '../aws/dynamo-errors.ts';
import { nowIso, nowMs } from '../clock.ts';
import { tableName } from '../config.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import { isContactId, sha256Hex } from '../ids.ts';
import type { StoredAlertRule } from '../survey/schema.ts';
import type { FollowUp, FollowUpHistoryEntry, FollowUpStatus } from './schema.ts';

/** When a rule names no due time. */
export const defaultDueHours = 48;
/** History entries kept per follow-up (the newest). */
const maxHistory = 50;

export const followUpKey = (id: string) => ({ pk: `FOLLOWUP#${id}`, sk: 'FOLLOWUP' });

/** One follow-up per person and survey; an answer nobody can be linked to has its own. */
export function followUpIdFor(surveyId: string, contactId: string | undefined, token: string): string {
  const subject = contactId && isContactId(contactId) ? `contact:${contactId}` : `answer:${token}`;
  return `fu_${sha256Hex(`${surveyId}|${subject}`).slice(0, 20)}`;
}

const statusKeys = (status: FollowUpStatus, dueAt: string, closedAt: string | undefined, id: string) => ({
  statusKey: `FOLLOWUPS#${status}`,
  statusSort: `${status === 'open' ? dueAt : (closedAt ?? dueAt)}#${id}`,
});

export const isOverdue = (f: Pick<FollowUp, 'status' | 'dueAt'>, atMs = nowMs()): boolean =>
  f.status === 'open' && Date.parse(f.dueAt) < atMs;

function fromItem(item: Record<string, unknown>): FollowUp {
  const { pk: _pk, sk: _sk, statusKey: _a, statusSort: _b, ownerKey: _c, ownerSort: _d, ...rest } = item;
  return rest as unknown as FollowUp;
}

export async function getFollowUp(id: string, consistent = true): Promise<FollowUp | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName('alerts'), Key: followUpKey(id), ConsistentRead: consistent }),
  );
  return Item ? fromItem(Item) : undefined;
}

export interface FollowUpAnswer {
  surveyId: string;
  surveyName: string;
  token: string;
  ref: string;
  responseUrl: string;
  contactId?: string;
  contactEmail?: string;
  contactName?: string;
  /** The contact's properties, for an assignee taken from one. */
  contactProperties?: Record<string, unknown>;
  score: number;
  segment: FollowUp['segment'];
  comment?: string;
}

/** Who a rule assigns: a named person, or the value of a contact property (e.g. its account owner). */
export function assigneeFor(rule: StoredAlertRule, answer: FollowUpAnswer): string | undefined {
  const config = typeof rule.followUp === 'object' ? rule.followUp : {};
  if (config.assigneeFrom) {
    const value = answer.contactProperties?.[config.assigneeFrom.slice('properties.'.length)];
    if (typeof value === 'string' && value.trim()) return value.trim().slice(0, 200);
    if (typeof value === 'number') return String(value);
  }
  return config.assignee;
}

const dueHoursOf = (rule: StoredAlertRule): number =>
  (typeof rule.followUp === 'object' ? rule.followUp.dueInHours : undefined) ?? defaultDueHours;

/**
 * The write that opens (or reopens, or brings up to date) the follow-up of an answer, for a
 * transaction: conditioned on the follow-up being as it was read (`current`), so two answers racing
 * cannot both open it.
 */
export function followUpWrite(
  rule: StoredAlertRule,
  answer: FollowUpAnswer,
  current: FollowUp | undefined,
  at: string,
): { Update: NonNullable<NonNullable<TransactWriteCommandInput['TransactItems']>[number]['Update']> } {
  const id = followUpIdFor(answer.surveyId, answer.contactId, answer.token);
  const reopening = current?.status === 'closed';
  const fresh = !current;
  const dueAt =
    fresh || reopening
      ? new Date(Date.parse(at) + dueHoursOf(rule) * 3_600_000).toISOString()
      : current.dueAt;
  const assignee = assigneeFor(rule, answer) ?? current?.assignee;
  const entry: FollowUpHistoryEntry = { at, action: fresh ? 'opened' : reopening ? 'reopened' : 'updated' };
  const history = [...(current?.history ?? []), entry].slice(-maxHistory);
  const values: Record<string, unknown> = {
    ':surveyId': answer.surveyId,
    ':surveyName': answer.surveyName,
    ':ref': answer.ref,
    ':url': answer.responseUrl,
    ':score': answer.score,
    ':segment': answer.segment,
    ':open': 'open',
    ':dueAt': dueAt,
    ':at': at,
    ':history': history,
    ...statusKeysValues(statusKeys('open', dueAt, undefined, id)),
  };
  values[':id'] = id;
  const names: Record<string, string> = {};
  const sets: string[] = [];
  // Every attribute by placeholder: several (status, segment, comment…) are DynamoDB reserved words.
  const set = (attr: string, expression: string) => {
    names[`#${attr}`] = attr;
    sets.push(`#${attr} = ${expression}`);
  };
  set('id', ':id');
  set('surveyId', ':surveyId');
  set('surveyName', ':surveyName');
  set('invitationId', ':ref');
  set('responseUrl', ':url');
  set('score', ':score');
  set('segment', ':segment');
  set('status', ':open');
  set('dueAt', ':dueAt');
  set('updatedAt', ':at');
  set('history', ':history');
  set('statusKey', ':statusKey');
  set('statusSort', ':statusSort');
  set('createdAt', 'if_not_exists(#createdAt, :at)');
  const removes: string[] = [];
  const remove = (attr: string) => {
    names[`#${attr}`] = attr;
    removes.push(`#${attr}`);
  };
  remove('closedAt');
  const optional: [string, unknown][] = [
    ['comment', answer.comment],
    ['contactId', answer.contactId && isContactId(answer.contactId) ? answer.contactId : undefined],
    ['contactEmail', answer.contactEmail],
    ['contactName', answer.contactName],
    ['assignee', assignee],
  ];
  for (const [attr, value] of optional) {
    if (value === undefined || value === '') {
      if (attr !== 'assignee') remove(attr);
      continue;
    }
    values[`:${attr}`] = value;
    set(attr, `:${attr}`);
  }
  if (answer.contactId && isContactId(answer.contactId)) {
    values[':ownerKey'] = `CONTACT#${answer.contactId}`;
    values[':ownerSort'] = `${at}#${id}`;
    set('ownerKey', ':ownerKey');
    set('ownerSort', 'if_not_exists(#ownerSort, :ownerSort)');
  }
  if (current) values[':readAt'] = current.updatedAt;
  else names['#pk'] = 'pk';
  return {
    Update: {
      TableName: tableName('alerts'),
      Key: followUpKey(id),
      UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
      ConditionExpression: current ? '#updatedAt = :readAt' : 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

const statusKeysValues = (k: { statusKey: string; statusSort: string }) => ({
  ':statusKey': k.statusKey,
  ':statusSort': k.statusSort,
});

const encodeCursor = (key: Record<string, unknown> | undefined): string | undefined =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;

function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (key && typeof key === 'object' && !Array.isArray(key)) return key as Record<string, unknown>;
  } catch {
    // falls through to the error
  }
  throw badRequest('cursor: not a cursor this API gave');
}

export interface FollowUpQuery {
  status?: FollowUpStatus;
  surveyId?: string;
  cursor?: string;
  limit?: number;
}

/** Open follow-ups by due time (the overdue first); closed ones most recently closed first. */
export async function listFollowUps(
  q: FollowUpQuery = {},
): Promise<{ followUps: FollowUp[]; cursor?: string }> {
  const status = q.status ?? 'open';
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 200);
  const followUps: FollowUp[] = [];
  let start = decodeCursor(q.cursor);
  // A survey filter may leave a page short: read on until the page is full or the list ends.
  for (let reads = 0; reads < 10; reads++) {
    const page = await dynamo().send(
      new QueryCommand({
        TableName: tableName('alerts'),
        IndexName: 'byStatus',
        KeyConditionExpression: 'statusKey = :k',
        ExpressionAttributeValues: { ':k': `FOLLOWUPS#${status}`, ...(q.surveyId && { ':s': q.surveyId }) },
        ...(q.surveyId && { FilterExpression: 'surveyId = :s' }),
        ScanIndexForward: status === 'open',
        Limit: limit - followUps.length,
        ...(start && { ExclusiveStartKey: start }),
      }),
    );
    for (const item of page.Items ?? []) followUps.push(fromItem(item));
    start = page.LastEvaluatedKey;
    if (!start || followUps.length >= limit) break;
  }
  const cursor = encodeCursor(start);
  return { followUps, ...(cursor && { cursor }) };
}

/** A contact's follow-ups, newest first (their timeline; erasure reads them all, page by page). */
export async function followUpsOfContact(contactId: string, limit = 100): Promise<FollowUp[]> {
  const found: FollowUp[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(
      new QueryCommand({
        TableName: tableName('alerts'),
        IndexName: 'byOwner',
        KeyConditionExpression: 'ownerKey = :k',
        ExpressionAttributeValues: { ':k': `CONTACT#${contactId}` },
        ScanIndexForward: false,
        Limit: Math.min(100, limit - found.length),
        ...(start && { ExclusiveStartKey: start }),
      }),
    );
    found.push(...(page.Items ?? []).map(fromItem));
    start = page.LastEvaluatedKey;
  } while (start && found.length < limit);
  return found;
}

export interface FollowUpPatch {
  status?: FollowUpStatus;
  note?: string;
  assignee?: string | null;
  dueAt?: string;
}

/** Closing needs a note (what was done); reopening by hand clears nothing but the closing time. */
export async function updateFollowUp(id: string, patch: FollowUpPatch): Promise<FollowUp> {
  const current = await getFollowUp(id);
  if (!current) throw notFound(`no follow-up ${id}`);
  const status = patch.status ?? current.status;
  const note = patch.note?.trim();
  if (status === 'closed' && current.status !== 'closed' && !note) {
    throw badRequest('note: closing a follow-up needs a note saying what was done');
  }
  if (patch.dueAt !== undefined && Number.isNaN(Date.parse(patch.dueAt)))
    throw badRequest('dueAt: must be an ISO time');
  const at = nowIso();
  const dueAt = patch.dueAt ? new Date(patch.dueAt).toISOString() : current.dueAt;
  const closedAt = status === 'closed' ? (current.status === 'closed' ? current.closedAt : at) : undefined;
  const entries: FollowUpHistoryEntry[] = [];
  if (status !== current.status) {
    entries.push({ at, action: status === 'closed' ? 'closed' : 'reopened', ...(note && { note }) });
  } else if (note) entries.push({ at, action: 'updated', note });
  if (patch.assignee !== undefined && (patch.assignee ?? undefined) !== current.assignee) {
    entries.push({ at, action: 'assigned', note: patch.assignee ?? '' });
  }
  const next: FollowUp = {
    ...current,
    status,
    dueAt,
    updatedAt: at,
    history: [...current.history, ...entries].slice(-maxHistory),
    ...(note !== undefined && note !== '' && { note }),
  };
  if (closedAt) next.closedAt = closedAt;
  else delete next.closedAt;
  if (patch.assignee === null || patch.assignee === '') delete next.assignee;
  else if (patch.assignee !== undefined) next.assignee = patch.assignee.trim().slice(0, 200);
  const item: Record<string, unknown> = {
    ...next,
    ...followUpKey(id),
    ...statusKeys(status, dueAt, closedAt, id),
  };
  if (next.contactId) {
    item.ownerKey = `CONTACT#${next.contactId}`;
    item.ownerSort = `${next.createdAt}#${id}`;
  }
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName('alerts'),
        Key: followUpKey(id),
        ...withReadAt(replaceAll(item), current.updatedAt),
        ConditionExpression: 'updatedAt = :readAt',
      }),
    );
  } catch (err) {
    if (isConditionFailure(err)) throw conflict(`follow-up ${id} changed meanwhile; read it again`);
    throw err;
  }
  return next;
}

function withReadAt<T extends { ExpressionAttributeValues: Record<string, unknown> }>(
  update: T,
  readAt: string,
): T {
  update.ExpressionAttributeValues[':readAt'] = readAt;
  return update;
}

/** An UpdateItem that makes the item exactly `item` (keys aside), removing what it no longer has. */
function replaceAll(item: Record<string, unknown>): {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
} {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  let i = 0;
  for (const [attr, value] of Object.entries(item)) {
    if (attr === 'pk' || attr === 'sk' || value === undefined) continue;
    names[`#f${i}`] = attr;
    values[`:f${i}`] = value;
    sets.push(`#f${i} = :f${i}`);
    i++;
  }
  const removable = ['closedAt', 'assignee', 'note'].filter(
    (attr) => !(attr in item) || item[attr] === undefined,
  );
  for (const attr of removable) names[`#r_${attr}`] = attr;
  return {
    UpdateExpression: `SET ${sets.join(', ')}${removable.length ? ` REMOVE ${removable.map((a) => `#r_${a}`).join(', ')}` : ''}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}
