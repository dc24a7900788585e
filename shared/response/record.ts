/**
 * Recording an answer: one conditional update of the invitation. The condition carries every rule
 * (the invitation exists, was sent, is still open, the score is on its scale, the content differs
 * from the last answer), so the request path makes one write and no read; when the condition
 * fails, the old item that DynamoDB returns tells which rule it was.
 */

import { createHash, randomBytes } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { isConditionFailure, itemOfConditionFailure } from '../aws/dynamo-errors.ts';
import { nowIso } from '../clock.ts';
import { tableName } from '../config.ts';
import { AppError, badRequest, gone, notFound } from '../errors.ts';
import type { Invitation } from '../invitation/schema.ts';
import { segmentOf } from '../scoring.ts';

export const maxCommentLength = 2000;
/** States in which an invitation can be answered (`sending`: the email may land before we settle). */
const answerable = ['sending', 'sent', 'responded'] as const;

export interface Answer {
  score: number;
  comment?: string;
}

const answerHash = (a: Answer): string =>
  createHash('sha256')
    .update(JSON.stringify([a.score, a.comment ?? '']))
    .digest('base64url')
    .slice(0, 22);

export interface RecordOptions {
  /**
   * The survey promises that answers are not linked to people, so the answering write replaces the
   * invitation's contact id with its sealed one (it stays listed under its wave; only the server,
   * holding the wave's secret, can open it to honour an unsubscribe or a complaint). An invitation
   * made without one (before sealing, or a link answer) gets a random id instead.
   */
  anonymous?: boolean;
  /** Invitations of this wave take no answer now, refused with `error` (a link that has closed). */
  closedWave?: { id: string; error: Error };
}

/** Records or replaces the answer of an invitation; answers the invitation as it now stands. */
export async function recordResponse(
  token: string,
  answer: Answer,
  options: RecordOptions = {},
): Promise<Invitation> {
  const at = nowIso();
  const hash = answerHash(answer);
  const values: Record<string, unknown> = {
    ':score': answer.score,
    ':now': at,
    ':one': 1,
    ':hash': hash,
    ':responded': 'responded',
  };
  answerable.forEach((s, i) => {
    values[`:a${i}`] = s;
  });
  const sets = [
    'score = :score',
    'respondedAt = :now',
    'firstRespondedAt = if_not_exists(firstRespondedAt, :now)',
    'responseHash = :hash',
    '#status = :responded',
  ];
  if (options.anonymous) {
    sets.push('contactId = if_not_exists(sealedContactId, :anon)');
    values[':anon'] = `anon_${randomBytes(10).toString('hex')}`;
  }
  const conditions = [
    'attribute_exists(#token)',
    `#status IN (${answerable.map((_, i) => `:a${i}`).join(', ')})`,
    'closesAt > :now',
    ':score BETWEEN #scale.#min AND #scale.#max',
    '(attribute_not_exists(responseHash) OR responseHash <> :hash)',
  ];
  if (options.closedWave) {
    conditions.push('waveId <> :closedWave');
    values[':closedWave'] = options.closedWave.id;
  }
  if (answer.comment) {
    sets.push('#comment = :comment');
    values[':comment'] = answer.comment;
  }
  try {
    const { Attributes } = await dynamo().send(
      new UpdateCommand({
        TableName: tableName('invitations'),
        Key: { token },
        UpdateExpression: `SET ${sets.join(', ')}${answer.comment ? '' : ' REMOVE #comment'} ADD responseVersion :one`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: {
          '#token': 'token',
          '#status': 'status',
          '#comment': 'comment',
          '#scale': 'scale',
          '#min': 'min',
          '#max': 'max',
        },
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return withSegment(Attributes as Invitation);
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
    const old = itemOfConditionFailure<Invitation>(err);
    throw explainRefusal(old, answer, hash, at, options.closedWave);
  }
}

const withSegment = (inv: Invitation): Invitation =>
  inv.score === undefined ? inv : { ...inv, segment: segmentOf(inv.kind, inv.scale, inv.score) };

class AlreadyRecorded extends AppError {
  constructor(readonly invitation: Invitation) {
    super('conflict', 'this answer is already recorded');
  }
}

function explainRefusal(
  old: Invitation | undefined,
  answer: Answer,
  hash: string,
  at: string,
  closedWave: RecordOptions['closedWave'],
): Error {
  if (!old) return notFound('unknown link');
  if (closedWave && old.waveId === closedWave.id) return closedWave.error;
  if (old.status === 'expired' || old.closesAt <= at) return gone('this survey has closed');
  if (!(answerable as readonly string[]).includes(old.status)) {
    return old.status === 'bounced' ? gone('this invitation is no longer valid') : notFound('unknown link');
  }
  if (answer.score < old.scale.min || answer.score > old.scale.max) {
    return badRequest(`score must be between ${old.scale.min} and ${old.scale.max}`);
  }
  if (old.responseHash === hash) return new AlreadyRecorded(old);
  return new Error('response refused for an unknown reason');
}

/** Runs recordResponse, treating "the same answer again" as success (a retried POST counts once). */
export async function recordResponseOnce(
  token: string,
  answer: Answer,
  options: RecordOptions = {},
): Promise<Invitation> {
  try {
    return await recordResponse(token, answer, options);
  } catch (err) {
    if (err instanceof AlreadyRecorded) return withSegment(err.invitation);
    throw err;
  }
}
