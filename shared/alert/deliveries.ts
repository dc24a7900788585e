/**
 * Delivery records: one per event and destination, written in the same transaction that fires the
 * rule, before any attempt, so nothing a rule fired can be lost. A record is `pending` until it is
 * delivered, or `failed` for good (the schedule ran out, the hook answered 410, the target was
 * refused); a failed one stays, visible, until someone redelivers it. Every attempt is kept on it.
 *
 * Workers take a record by a short claim (`claimedUntil`) before an attempt, so two never post the
 * same record at once; a worker that dies leaves a claim that runs out, and the next sweep retries.
 */
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { isConditionFailure } from '../aws/dynamo-errors.ts';
import { nowIso, nowMs } from '../clock.ts';
import { tableName } from '../config.ts';
import { badRequest, notFound } from '../errors.ts';
import { base32, sha256Hex } from '../ids.ts';
import type { AlertEvent, Delivery, DeliveryAttempt, DeliveryChannel, DeliveryStatus } from './schema.ts';

/**
 * Standard Webhooks' schedule (STACK.md): the first attempt at once, then 5 s, 5 min, 30 min, 2 h,
 * 5 h, 10 h, 14 h, 20 h and 24 h after the one before: about three days in all.
 */
export const retryDelaysSeconds = [5, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000, 86_400];
export const maxAttempts = retryDelaysSeconds.length + 1;
/** How long an attempt may hold a record: the 10 s timeout and the bookkeeping around it. */
export const claimSeconds = 60;
/** Delivered records are kept this long for the deliveries API, then expire (failed ones stay). */
export const deliveredKeepDays = 30;
/** Attempts kept on a record (the newest), so redelivering for months cannot outgrow an item. */
const keptAttempts = 40;

export const deliveryKey = (id: string) => ({ pk: `DELIVERY#${id}`, sk: 'DELIVERY' });

const hashId = (prefix: string, text: string): string =>
  `${prefix}${base32(Buffer.from(sha256Hex(text), 'hex')).slice(0, 26)}`;

/** `webhook-id`: one per answer version and rule, so every retry, redelivery and replay repeats it. */
export const webhookIdFor = (token: string, responseVersion: number, ruleId: string): string =>
  hashId('msg_', `${token}|${responseVersion}|${ruleId}`);

/** The record's own id: one per event and channel (and per replay, which is a new record). */
export const deliveryIdFor = (webhookId: string, channel: DeliveryChannel, replay?: string): string =>
  hashId('dl_', `${webhookId}|${channel}|${replay ?? ''}`);

export const statusSortOf = (at: string, id: string): string => `${at}#${id}`;

export interface NewDelivery {
  webhookId: string;
  channel: DeliveryChannel;
  surveyId: string;
  ruleId: string;
  responseId: string;
  url?: string;
  format?: 'json' | 'slack';
  to?: string[];
  event: AlertEvent;
  replay?: string;
}

/** The item of a new pending record: due now. */
export function newDeliveryItem(input: NewDelivery, at: string): Record<string, unknown> & Delivery {
  const { replay, ...rest } = input;
  const id = deliveryIdFor(input.webhookId, input.channel, replay);
  const delivery: Delivery = {
    id,
    ...rest,
    status: 'pending',
    attempts: [],
    tries: 0,
    nextAttemptAt: at,
    createdAt: at,
  };
  return {
    ...delivery,
    ...deliveryKey(id),
    statusKey: 'DELIVERIES#pending',
    statusSort: statusSortOf(at, id),
    // Alert emails wait in their rule's queue until the rule's next email gathers them.
    ...(input.channel === 'email' && { ownerKey: `MAILQ#${input.ruleId}`, ownerSort: statusSortOf(at, id) }),
  };
}

/** A Put for the firing transaction: only if absent, so a fired event is recorded once. */
export const deliveryPut = (item: Record<string, unknown>) => ({
  Put: { TableName: tableName('alerts'), Item: item, ConditionExpression: 'attribute_not_exists(pk)' },
});

function fromItem(item: Record<string, unknown>): Delivery {
  const {
    pk: _a,
    sk: _b,
    statusKey: _c,
    statusSort: _d,
    ownerKey: _e,
    ownerSort: _f,
    claimedUntil: _g,
    expiresAt: _h,
    ...rest
  } = item;
  return rest as unknown as Delivery;
}

export async function getDelivery(id: string): Promise<Delivery | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName('alerts'), Key: deliveryKey(id), ConsistentRead: true }),
  );
  return Item ? fromItem(Item) : undefined;
}

const encodeCursor = (key: Record<string, unknown> | undefined): string | undefined =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;

function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (key && typeof key === 'object' && !Array.isArray(key)) return key as Record<string, unknown>;
  } catch {
    // the error below
  }
  throw badRequest('cursor: not a cursor this API gave');
}

/** Pending records by their next attempt; delivered and failed ones newest first. */
export async function listDeliveries(
  status: DeliveryStatus,
  cursor?: string,
  limit = 50,
): Promise<{ deliveries: Delivery[]; cursor?: string }> {
  const page = await dynamo().send(
    new QueryCommand({
      TableName: tableName('alerts'),
      IndexName: 'byStatus',
      KeyConditionExpression: 'statusKey = :k',
      ExpressionAttributeValues: { ':k': `DELIVERIES#${status}` },
      ScanIndexForward: status === 'pending',
      Limit: Math.min(Math.max(limit, 1), 200),
      ...(cursor && { ExclusiveStartKey: decodeCursor(cursor) }),
    }),
  );
  const next = encodeCursor(page.LastEvaluatedKey);
  return { deliveries: (page.Items ?? []).map(fromItem), ...(next && { cursor: next }) };
}

/** Ids of pending records due by now (the sweep's list), oldest due first. */
export async function dueDeliveryIds(
  limit: number,
  after?: Record<string, unknown>,
): Promise<{
  ids: string[];
  next?: Record<string, unknown>;
}> {
  const page = await dynamo().send(
    new QueryCommand({
      TableName: tableName('alerts'),
      IndexName: 'byStatus',
      KeyConditionExpression: 'statusKey = :k AND statusSort <= :now',
      ExpressionAttributeValues: { ':k': 'DELIVERIES#pending', ':now': `${nowIso()}#~` },
      Limit: limit,
      ...(after && { ExclusiveStartKey: after }),
    }),
  );
  return {
    ids: (page.Items ?? []).map((item) => String(item.id)),
    ...(page.LastEvaluatedKey && { next: page.LastEvaluatedKey }),
  };
}

/** A rule's queued alert emails (what its next email gathers), oldest first. */
export async function queuedEmails(ruleId: string, limit = 500): Promise<Delivery[]> {
  const { Items = [] } = await dynamo().send(
    new QueryCommand({
      TableName: tableName('alerts'),
      IndexName: 'byOwner',
      KeyConditionExpression: 'ownerKey = :k',
      ExpressionAttributeValues: { ':k': `MAILQ#${ruleId}` },
      Limit: limit,
    }),
  );
  return Items.map(fromItem).filter((d) => d.status === 'pending');
}

export interface Claim {
  delivery: Delivery;
  claimedUntil: number;
}

/**
 * Takes a pending record for one attempt, if it is due and nobody holds it. `force` skips the "due"
 * check (an email gathered into its rule's summary is sent whenever that summary goes).
 */
export async function claimDelivery(id: string, force = false): Promise<Claim | undefined> {
  const now = nowMs();
  const claimedUntil = now + claimSeconds * 1000;
  try {
    const { Attributes } = await dynamo().send(
      new UpdateCommand({
        TableName: tableName('alerts'),
        Key: deliveryKey(id),
        UpdateExpression: 'SET claimedUntil = :until',
        ConditionExpression:
          '#status = :pending AND (attribute_not_exists(claimedUntil) OR claimedUntil < :now)' +
          (force ? '' : ' AND nextAttemptAt <= :nowIso'),
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':pending': 'pending',
          ':now': now,
          ':until': claimedUntil,
          ...(!force && { ':nowIso': new Date(now).toISOString() }),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes ? { delivery: fromItem(Attributes), claimedUntil } : undefined;
  } catch (err) {
    if (isConditionFailure(err)) return undefined;
    throw err;
  }
}

export type AttemptOutcome =
  | { kind: 'delivered' }
  | { kind: 'retry'; at: string }
  /** No attempt was made (the rule's email window is closed): wait, without counting a try. */
  | { kind: 'wait'; at: string }
  | { kind: 'failed'; reason: string };

/**
 * Records an attempt and what follows from it, releasing the claim. Conditioned on still holding the
 * claim: a worker whose claim ran out (it was too slow) records nothing over a newer worker's result.
 */
export async function settleAttempt(
  claim: Claim,
  attempt: DeliveryAttempt | undefined,
  outcome: AttemptOutcome,
): Promise<boolean> {
  const { delivery } = claim;
  const at = nowIso();
  const attempts = attempt ? [...delivery.attempts, attempt].slice(-keptAttempts) : delivery.attempts;
  const tries = delivery.tries + (attempt ? 1 : 0);
  const status: DeliveryStatus =
    outcome.kind === 'delivered' ? 'delivered' : outcome.kind === 'failed' ? 'failed' : 'pending';
  const sortAt = outcome.kind === 'retry' || outcome.kind === 'wait' ? outcome.at : at;
  const values: Record<string, unknown> = {
    ':status': status,
    ':attempts': attempts,
    ':tries': tries,
    ':statusKey': `DELIVERIES#${status}`,
    ':statusSort': statusSortOf(sortAt, delivery.id),
    ':mine': claim.claimedUntil,
    ':pending': 'pending',
  };
  const sets = [
    '#status = :status',
    'attempts = :attempts',
    'tries = :tries',
    'statusKey = :statusKey',
    'statusSort = :statusSort',
  ];
  const removes = ['claimedUntil'];
  if (outcome.kind === 'delivered') {
    sets.push('deliveredAt = :at', 'expiresAt = :expires');
    values[':at'] = at;
    values[':expires'] = Math.floor(nowMs() / 1000) + deliveredKeepDays * 86_400;
    removes.push('nextAttemptAt', 'ownerKey', 'ownerSort', 'failure');
  } else if (outcome.kind === 'failed') {
    sets.push('failedAt = :at', 'failure = :reason');
    values[':at'] = at;
    values[':reason'] = outcome.reason;
    removes.push('nextAttemptAt', 'ownerKey', 'ownerSort');
  } else {
    sets.push('nextAttemptAt = :next');
    values[':next'] = outcome.at;
  }
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName('alerts'),
        Key: deliveryKey(delivery.id),
        UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
        ConditionExpression: 'claimedUntil = :mine AND #status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

/**
 * Puts a record back in the queue, due now, with a fresh schedule (its attempts stay). A delivered
 * record may be delivered again too: the receiver de-duplicates by `webhook-id` if it already has it.
 */
export async function requeueDelivery(id: string): Promise<Delivery> {
  const at = nowIso();
  const existing = await getDelivery(id);
  if (!existing) throw notFound(`no webhook delivery ${id}`);
  const { Attributes } = await dynamo().send(
    new UpdateCommand({
      TableName: tableName('alerts'),
      Key: deliveryKey(id),
      UpdateExpression:
        'SET #status = :pending, tries = :zero, nextAttemptAt = :at, statusKey = :k, statusSort = :s' +
        (existing.channel === 'email' ? ', ownerKey = :ok, ownerSort = :s' : '') +
        ' REMOVE failure, failedAt, expiresAt, claimedUntil',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':pending': 'pending',
        ':zero': 0,
        ':at': at,
        ':k': 'DELIVERIES#pending',
        ':s': statusSortOf(at, id),
        ...(existing.channel === 'email' && { ':ok': `MAILQ#${existing.ruleId}` }),
      },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return fromItem(Attributes ?? {});
}

/**
 * When the next attempt is due after `tries` attempts, with ±10 % jitter so a receiver coming back
 * is not hit by every queued event in the same second; a receiver's `Retry-After` is honoured
 * (up to a day). Undefined: the schedule has run out.
 */
export function nextAttemptDelayMs(
  tries: number,
  retryAfterSeconds?: number,
  random = Math.random,
): number | undefined {
  const base = retryDelaysSeconds[tries - 1];
  if (base === undefined) return undefined;
  const jittered = base * 1000 * (0.9 + 0.2 * random());
  const asked = retryAfterSeconds === undefined ? 0 : Math.min(retryAfterSeconds, 86_400) * 1000;
  return Math.round(Math.max(jittered, asked));
}
