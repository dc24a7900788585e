/**
 * A digest's sent marker in the `alerts` table (pk `DIGEST#<surveyId>`, sk the period key): claimed
 * before any email goes, each owner's email recorded once SES took it, `sent` when every owner has
 * theirs. Two firings of the same day find the same marker, so one digest goes per survey and period.
 *
 * The claim is made with a conditional write (an UpdateItem rather than a PutItem, so that a claim
 * taken over keeps the owners already emailed). A claim still `sending` after `staleClaimMs` belongs to
 * a run that died, and may be taken over: that run may have had SES take an email just before it died,
 * so in that window an owner may get the digest twice. That is accepted for a digest (at least once
 * in a crash window) and for nothing else; an SES call that got no answer is never repeated by the
 * run that made it, only by a later run once the claim is stale. Claim times are real time, not
 * shared/clock's, since they measure how long a run has been gone.
 */
import { randomUUID } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { isConditionFailure, itemOfConditionFailure } from '../aws/dynamo-errors.ts';
import { tableName } from '../config.ts';
import type { DigestPeriod } from './period.ts';

/** A claim older than this, never finished, is from a run that died. */
export const staleClaimMs = 10 * 60_000;
/** Markers are kept for a little over a year, then TTL tidies them. */
const keepSeconds = 400 * 86_400;

export const digestMarkerKey = (surveyId: string, periodKey: string) => ({
  pk: `DIGEST#${surveyId}`,
  sk: periodKey,
});

export type DigestStatus = 'sending' | 'sent' | 'released';

export interface DigestMarker {
  surveyId: string;
  periodKey: string;
  status: DigestStatus;
  claimId: string;
  /** Real-time epoch ms of the claim (or its last renewal). */
  claimedAtMs: number;
  /** Owner address (lower case) → SES message id, or `refused` when SES will never take it. */
  sentTo: Record<string, string>;
  sentAt?: string;
  messageId?: string;
}

export type Claim =
  | { claimed: true; claimId: string; claimedAtMs: number; sentTo: Record<string, string> }
  | { claimed: false; status: DigestStatus | 'unknown' };

/**
 * Claims the digest of a survey for a period: when no run ever did, when a run gave it back
 * (`released`: SES could not send for now), or when a claim went stale. Two runs at once: one wins.
 */
export async function claimDigest(
  surveyId: string,
  period: Pick<DigestPeriod, 'key' | 'cadence' | 'startAt' | 'endAt'>,
  nowMs = Date.now(),
): Promise<Claim> {
  const claimId = randomUUID();
  try {
    const { Attributes } = await dynamo().send(
      new UpdateCommand({
        TableName: tableName('alerts'),
        Key: digestMarkerKey(surveyId, period.key),
        UpdateExpression:
          'SET #status = :sending, claimId = :id, claimedAtMs = :now, sentTo = if_not_exists(sentTo, :none), ' +
          'surveyId = :survey, periodKey = :key, cadence = :cadence, periodStart = :start, periodEnd = :end, ' +
          'expiresAt = :expires',
        ConditionExpression:
          'attribute_not_exists(pk) OR #status = :released OR (#status = :sending AND claimedAtMs < :staleBefore)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':sending': 'sending',
          ':released': 'released',
          ':id': claimId,
          ':now': nowMs,
          ':none': {},
          ':survey': surveyId,
          ':key': period.key,
          ':cadence': period.cadence,
          ':start': period.startAt,
          ':end': period.endAt,
          ':expires': Math.floor(nowMs / 1000) + keepSeconds,
          ':staleBefore': nowMs - staleClaimMs,
        },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return {
      claimed: true,
      claimId,
      claimedAtMs: nowMs,
      sentTo: (Attributes?.sentTo as Record<string, string> | undefined) ?? {},
    };
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
    const current = itemOfConditionFailure<Partial<DigestMarker>>(err);
    return { claimed: false, status: current?.status ?? 'unknown' };
  }
}

async function conditional(
  update: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>,
): Promise<boolean> {
  try {
    await dynamo().send(new UpdateCommand({ TableName: tableName('alerts'), ...update }));
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

const ours = (claimId: string) => ({
  ConditionExpression: '#status = :sending AND claimId = :id',
  names: { '#status': 'status' },
  values: { ':sending': 'sending', ':id': claimId },
});

/** Keeps a claim fresh while its run waits (a long wait for an SES turn); false when it is no longer ours. */
export function renewDigestClaim(surveyId: string, periodKey: string, claimId: string, nowMs = Date.now()) {
  const c = ours(claimId);
  return conditional({
    Key: digestMarkerKey(surveyId, periodKey),
    UpdateExpression: 'SET claimedAtMs = :now',
    ConditionExpression: c.ConditionExpression,
    ExpressionAttributeNames: c.names,
    ExpressionAttributeValues: { ...c.values, ':now': nowMs },
  });
}

/**
 * Records what SES did with one owner's email: its message id, or `refused`. Whoever holds the claim
 * by now, this is a fact about an email already gone (or never going), so it is written regardless.
 */
export async function recordOwner(
  surveyId: string,
  periodKey: string,
  owner: string,
  outcome: string,
): Promise<void> {
  await conditional({
    Key: digestMarkerKey(surveyId, periodKey),
    UpdateExpression: 'SET sentTo.#owner = :outcome',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeNames: { '#owner': owner.toLowerCase() },
    ExpressionAttributeValues: { ':outcome': outcome },
  });
}

/** Every owner has their email: the digest is sent (`messageId`: the first owner's, for the record). */
export function finishDigest(
  surveyId: string,
  periodKey: string,
  claimId: string,
  sentAt: string,
  messageId: string | undefined,
): Promise<boolean> {
  const c = ours(claimId);
  return conditional({
    Key: digestMarkerKey(surveyId, periodKey),
    UpdateExpression: `SET #status = :sent, sentAt = :at${messageId ? ', messageId = :mid' : ''}`,
    ConditionExpression: c.ConditionExpression,
    ExpressionAttributeNames: c.names,
    ExpressionAttributeValues: {
      ...c.values,
      ':sent': 'sent',
      ':at': sentAt,
      ...(messageId && { ':mid': messageId }),
    },
  });
}

/** Gives the claim back when SES sent nothing for now (throttled, the account paused), so a retry may claim it. */
export function releaseDigest(surveyId: string, periodKey: string, claimId: string): Promise<boolean> {
  const c = ours(claimId);
  return conditional({
    Key: digestMarkerKey(surveyId, periodKey),
    UpdateExpression: 'SET #status = :released',
    ConditionExpression: c.ConditionExpression,
    ExpressionAttributeNames: c.names,
    ExpressionAttributeValues: { ...c.values, ':released': 'released' },
  });
}
