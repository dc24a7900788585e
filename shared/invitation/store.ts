/** Invitations in DynamoDB (key `token`; index byWaveKeys, sorted by contact, keys only). */
import {
  BatchGetCommand,
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { isConditionFailure, transactionCancelReasons } from '../aws/dynamo-errors.ts';
import { tableName } from '../config.ts';
import { backOff } from '../retry.ts';
import { mapConcurrent } from '../send/concurrency.ts';
import type { Invitation, InvitationStatus } from './schema.ts';

/** The wave's index of invitations (shared/tables.ts): keys only. */
const waveIndex = 'byWaveKeys';

/** Writes a new invitation unless one with this token exists; answers whether it was new. */
export async function putInvitationOnce(invitation: Invitation): Promise<boolean> {
  try {
    await dynamo().send(
      new PutCommand({
        TableName: tableName('invitations'),
        Item: invitation,
        ConditionExpression: 'attribute_not_exists(#token)',
        ExpressionAttributeNames: { '#token': 'token' },
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

/**
 * Writes new invitations 25 to a request (BatchWriteItem), for a page of a wave's selection written
 * for the first time: nothing can exist under their tokens yet, so no condition is needed. A page
 * written before (a run died in it) goes through `putInvitationOnce` instead, which never overwrites.
 */
export async function putNewInvitations(invitations: Invitation[]): Promise<void> {
  const batches: Invitation[][] = [];
  for (let i = 0; i < invitations.length; i += 25) batches.push(invitations.slice(i, i + 25));
  await Promise.all(
    batches.map(async (batch) => {
      let requests = batch.map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 8) throw new Error('could not write invitations (DynamoDB kept them unprocessed)');
        const result = await dynamo().send(
          new BatchWriteCommand({ RequestItems: { [tableName('invitations')]: requests } }),
        );
        requests = (result.UnprocessedItems?.[tableName('invitations')] ?? []) as typeof requests;
        if (requests.length) await backOff(attempt, 25, 1000);
      }
    }),
  );
}

export async function getInvitation(token: string, consistent = false): Promise<Invitation | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName('invitations'), Key: { token }, ConsistentRead: consistent }),
  );
  return Item as Invitation | undefined;
}

/**
 * The invitations under these tokens as they are now, 100 to a BatchGetItem; those gone are left
 * out. Eventually consistent unless `consistent` (half the read units).
 */
export async function getInvitations(tokens: string[], consistent = false): Promise<Invitation[]> {
  const found: Invitation[] = [];
  const chunks: string[][] = [];
  for (let i = 0; i < tokens.length; i += 100) chunks.push(tokens.slice(i, i + 100));
  // BatchGetItem takes 100 keys: a longer list is read 100 at a time, four at once.
  await mapConcurrent(chunks, 4, (chunk) => readChunk(chunk, consistent, found));
  return found;
}

async function readChunk(tokens: string[], consistent: boolean, found: Invitation[]): Promise<void> {
  let keys: Record<string, unknown>[] = tokens.map((token) => ({ token }));
  for (let attempt = 0; keys.length > 0; attempt++) {
    if (attempt > 8) throw new Error('could not read invitations (DynamoDB kept them unprocessed)');
    const result = await dynamo().send(
      new BatchGetCommand({
        RequestItems: { [tableName('invitations')]: { Keys: keys, ConsistentRead: consistent } },
      }),
    );
    found.push(...((result.Responses?.[tableName('invitations')] ?? []) as Invitation[]));
    keys = (result.UnprocessedKeys?.[tableName('invitations')]?.Keys ?? []) as Record<string, unknown>[];
    if (keys.length) await backOff(attempt, 25, 1000);
  }
}

/**
 * Orders invitations read by token (BatchGetItem answers in any order) as the index listed them:
 * by contact id, then token.
 */
const inIndexOrder = (items: Invitation[], tokens: string[]): Invitation[] => {
  const at = new Map(tokens.map((token, i) => [token, i]));
  return items.sort((a, b) => (at.get(a.token) ?? 0) - (at.get(b.token) ?? 0));
};

/**
 * One page of a wave's invitations in the given states (by contact id): the page's keys from
 * `byWaveKeys`, then the invitations themselves (the index holds keys only, so that updating an
 * invitation writes the table alone; see shared/tables.ts). A page may hold fewer than `limit`, or
 * none, and still have a `next`.
 */
export async function queryWaveInvitations(
  waveId: string,
  statuses: InvitationStatus[],
  start?: Record<string, unknown>,
  limit = 100,
): Promise<{ items: Invitation[]; next?: Record<string, unknown> }> {
  const page = await dynamo().send(
    new QueryCommand({
      TableName: tableName('invitations'),
      IndexName: waveIndex,
      KeyConditionExpression: 'waveId = :w',
      ExpressionAttributeValues: { ':w': waveId },
      ExclusiveStartKey: start,
      Limit: limit,
    }),
  );
  const tokens = (page.Items ?? []).map((item) => String(item.token));
  const wanted = new Set<string>(statuses);
  const items = (await getInvitations(tokens)).filter((inv) => wanted.has(inv.status));
  return {
    items: inIndexOrder(items, tokens),
    ...(page.LastEvaluatedKey && { next: page.LastEvaluatedKey }),
  };
}

/**
 * Moves an invitation from one status to another, setting the given fields, only if it is still in
 * one of the `from` states. Answers false when it was not (someone else moved it first).
 */
export async function transitionInvitation(
  token: string,
  from: InvitationStatus[],
  to: InvitationStatus,
  fields: Record<string, unknown> = {},
): Promise<boolean> {
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = { ':to': to };
  const sets = ['#status = :to'];
  Object.entries(fields).forEach(([name, value], i) => {
    names[`#f${i}`] = name;
    values[`:f${i}`] = value;
    sets.push(`#f${i} = :f${i}`);
  });
  from.forEach((s, i) => {
    values[`:from${i}`] = s;
  });
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName('invitations'),
        Key: { token },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: `#status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

/** One conditional update of an invitation, in the form DynamoDB takes it. */
export interface InvitationUpdate {
  set: string;
  condition: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

/** What a counted write needs of its invitation: whether its wave's counts are folded from the stream. */
export type CountedInvitation = Pick<Invitation, 'token' | 'waveId' | 'countedMask'>;

/**
 * Updates an invitation so that one of its wave's counts goes up by one, once. An invitation whose
 * counts are folded from the stream (`countedMask`, every invitation made since) is written alone,
 * marked `uncounted`: the score function adds the fact to its wave in batches (shared/wave/counts.ts),
 * so no email writes the item every email of its wave shares. One made before is updated together
 * with its wave's count in one transaction, as it always was (DynamoDB's transaction conflicts on
 * that hot item are tried again by the client). Answers false when the invitation's condition
 * failed: someone else moved it first.
 */
export async function updateInvitationCounted(
  invitation: CountedInvitation,
  update: InvitationUpdate,
  count: string,
): Promise<boolean> {
  if (invitation.countedMask !== undefined) {
    try {
      await dynamo().send(
        new UpdateCommand({
          TableName: tableName('invitations'),
          Key: { token: invitation.token },
          UpdateExpression: update.set.replace(/^SET /, 'SET uncounted = :uncounted, '),
          ConditionExpression: update.condition,
          ...(update.names && { ExpressionAttributeNames: update.names }),
          ExpressionAttributeValues: { ...update.values, ':uncounted': true },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }
  try {
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableName('invitations'),
              Key: { token: invitation.token },
              UpdateExpression: update.set,
              ConditionExpression: update.condition,
              ...(update.names && { ExpressionAttributeNames: update.names }),
              ...(update.values && { ExpressionAttributeValues: update.values }),
            },
          },
          {
            Update: {
              TableName: tableName('surveys'),
              Key: { pk: `WAVE#${invitation.waveId}`, sk: 'WAVE' },
              UpdateExpression: 'ADD counts.#count :one',
              ExpressionAttributeNames: { '#count': count },
              ExpressionAttributeValues: { ':one': 1 },
            },
          },
        ],
      }),
    );
    return true;
  } catch (err) {
    if (transactionCancelReasons(err)?.[0] === 'ConditionalCheckFailed') return false;
    throw err;
  }
}

/**
 * Moves an invitation to a final sending state and counts it on its wave (one transaction).
 * Answers false when the invitation had already left `from`.
 */
export function settleInvitation(
  invitation: CountedInvitation,
  from: InvitationStatus[],
  to: InvitationStatus,
  fields: Record<string, unknown>,
  count: string,
): Promise<boolean> {
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = { ':to': to };
  const sets = ['#status = :to'];
  Object.entries(fields).forEach(([name, value], i) => {
    names[`#f${i}`] = name;
    values[`:f${i}`] = value;
    sets.push(`#f${i} = :f${i}`);
  });
  from.forEach((s, i) => {
    values[`:from${i}`] = s;
  });
  return updateInvitationCounted(
    invitation,
    {
      set: `SET ${sets.join(', ')}`,
      condition: `#status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
      names,
      values,
    },
    count,
  );
}

/**
 * Settles an email as sent, counted once on its wave. An invitation answered while still `sending`
 * (the email can land before the run that sent it settles it, or that run died) keeps `responded`
 * and gets its `sentAt` and its count; otherwise the wave's `sent`, the response rate's denominator,
 * would miss a contact who answered. Answers false when it was settled already.
 */
export async function settleSent(
  invitation: CountedInvitation,
  fields: { sentAt: string; messageId?: string },
): Promise<boolean> {
  if (await settleInvitation(invitation, ['sending'], 'sent', fields, 'sent')) return true;
  return updateInvitationCounted(
    invitation,
    {
      set: `SET sentAt = :sentAt${fields.messageId === undefined ? '' : ', messageId = :messageId'}`,
      condition: '#status = :responded AND attribute_not_exists(sentAt)',
      names: { '#status': 'status' },
      values: {
        ':responded': 'responded',
        ':sentAt': fields.sentAt,
        ...(fields.messageId !== undefined && { ':messageId': fields.messageId }),
      },
    },
    'sent',
  );
}

/**
 * Stamps a one-time event on an invitation (`automatedAt`, `unsubscribedAt`…) and counts it on the
 * wave, both only the first time. Answers whether this was the first time.
 */
export function stampInvitationOnce(
  invitation: CountedInvitation,
  field: 'automatedAt' | 'unsubscribedAt' | 'complainedAt',
  at: string,
  count: string,
): Promise<boolean> {
  return updateInvitationCounted(
    invitation,
    {
      set: 'SET #field = :at',
      condition: 'attribute_exists(#token) AND attribute_not_exists(#field)',
      names: { '#field': field, '#token': 'token' },
      values: { ':at': at },
    },
    count,
  );
}

/** The invitation and its survey in one round trip (the token names the survey). */
export async function getInvitationWithSurvey(
  token: string,
): Promise<{ invitation?: Invitation; survey?: Record<string, unknown> }> {
  const surveyKey = { pk: `SURVEY#${token.slice(0, token.indexOf('.'))}`, sk: 'SURVEY' };
  let request: Record<string, { Keys: Record<string, unknown>[] }> = {
    [tableName('invitations')]: { Keys: [{ token }] },
    [tableName('surveys')]: { Keys: [surveyKey] },
  };
  const found: Record<string, Record<string, unknown>[]> = {};
  for (let attempt = 0; attempt < 5 && Object.keys(request).length > 0; attempt++) {
    const result = await dynamo().send(new BatchGetCommand({ RequestItems: request }));
    for (const [table, items] of Object.entries(result.Responses ?? {})) {
      found[table] = [...(found[table] ?? []), ...items];
    }
    request = (result.UnprocessedKeys ?? {}) as typeof request;
    if (Object.keys(request).length) await backOff(attempt, 25, 1000);
  }
  return {
    invitation: found[tableName('invitations')]?.[0] as Invitation | undefined,
    survey: found[tableName('surveys')]?.[0],
  };
}

/**
 * A contact's invitations in one wave: a key lookup in byWaveKeys (sorted by contact), then a read
 * of what it found: two requests whatever the wave's size. Usually one; a triggered wave may hold several.
 */
export async function invitationsOfContactInWave(waveId: string, contactId: string): Promise<Invitation[]> {
  const tokens: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(
      new QueryCommand({
        TableName: tableName('invitations'),
        IndexName: waveIndex,
        KeyConditionExpression: 'waveId = :w AND contactId = :c',
        ExpressionAttributeValues: { ':w': waveId, ':c': contactId },
        ExclusiveStartKey: start,
      }),
    );
    tokens.push(...(page.Items ?? []).map((item) => String(item.token)));
    start = page.LastEvaluatedKey;
  } while (start);
  return inIndexOrder(await getInvitations(tokens), tokens);
}

/**
 * Erasure: takes the person out of an invitation. Who it was (the contact id, sealed or not) and
 * whatever they wrote or SES said about their address go; the score stays counted and listed under
 * a stand-in id (the byWaveKeys index needs one). Nothing here can be told apart from another erased
 * answer.
 */
export async function eraseInvitationContact(token: string, standIn: string): Promise<void> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName('invitations'),
        Key: { token },
        UpdateExpression:
          'REMOVE #comment, locale, reportProps, failureReason, sealedContactId SET erased = :true, contactId = :erased',
        // Never makes an item of its own.
        ConditionExpression: 'attribute_exists(#token)',
        ExpressionAttributeNames: { '#comment': 'comment', '#token': 'token' },
        ExpressionAttributeValues: { ':true': true, ':erased': standIn },
      }),
    );
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
  }
}
