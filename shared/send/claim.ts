/**
 * The invitation's send claim: intent recorded before SES is called (`queued → sending`, with the
 * real-time `sendingAt`), so that any later run knows an email may be on its way. A claim is done
 * with when it is settled, when SES's Send event confirms it (`sesAcceptedAt`), or when it goes
 * stale unconfirmed: the run that held it died before SES took the message, and it is sent again.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { isConditionFailure } from '../aws/dynamo-errors.ts';
import { optionalEnv, tableName } from '../config.ts';
import type { Invitation } from '../invitation/schema.ts';
import { getInvitation, settleSent } from '../invitation/store.ts';

/**
 * A claim older than this, never settled and never confirmed by SES's Send event, is from a run that
 * died before SES took the message, so it is sent again. SES reports a Send within seconds.
 */
export const staleClaimMs = (): number => Number(optionalEnv('SEND_STALE_CLAIM_SECONDS') ?? 120) * 1000;

export const isStaleClaim = (inv: Pick<Invitation, 'sendingAt'>, now = Date.now()): boolean =>
  now - Number(inv.sendingAt ?? 0) > staleClaimMs();

/**
 * Claims an invitation before SES is called: from `queued`, or a stale claim exactly as this run read
 * it (same `sendingAt`, still unconfirmed by SES). The condition on the claim it saw keeps two runs
 * that both judged a claim stale from both sending, and a Send event that lands between the read
 * and the claim (`sesAcceptedAt`) from being overridden by a second email.
 */
export async function claimInvitation(inv: Invitation, at: number): Promise<boolean> {
  const values: Record<string, unknown> = { ':to': 'sending', ':from': inv.status, ':at': at };
  let condition = '#status = :from';
  if (inv.status === 'sending') {
    condition += ' AND attribute_not_exists(sesAcceptedAt)';
    if (inv.sendingAt === undefined) {
      condition += ' AND attribute_not_exists(sendingAt)';
    } else {
      condition += ' AND sendingAt = :seen';
      values[':seen'] = inv.sendingAt;
    }
  }
  return conditionalUpdate(inv.token, 'SET #status = :to, sendingAt = :at', condition, values);
}

/**
 * Before another attempt after a throttle or error: renews this run's claim (so that it never looks
 * stale to another run while this one backs off), only if it is still ours and SES has not
 * confirmed the message meanwhile (an attempt that failed on our side may have reached SES).
 */
export const renewClaim = (token: string, ours: number, at: number): Promise<boolean> =>
  conditionalUpdate(
    token,
    'SET sendingAt = :at',
    '#status = :sending AND sendingAt = :ours AND attribute_not_exists(sesAcceptedAt)',
    { ':sending': 'sending', ':ours': ours, ':at': at },
  );

async function conditionalUpdate(
  token: string,
  update: string,
  condition: string,
  values: Record<string, unknown>,
): Promise<boolean> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName('invitations'),
        Key: { token },
        UpdateExpression: update,
        ConditionExpression: condition,
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
 * SES's Send event proves it took the message: settle as sent, never send again. The contact's
 * "surveyed" stamp was taken by the run that sent it, before SES was called.
 */
export async function settleConfirmed(inv: Invitation, acceptedAt: string): Promise<'sent'> {
  await settleSent(inv, { sentAt: acceptedAt });
  return 'sent';
}

/**
 * When a claim could not be taken or renewed: if SES confirmed the message meanwhile, settle it as
 * sent; otherwise someone else has it (`skipped`).
 */
export async function settleIfConfirmed(inv: Invitation): Promise<'sent' | 'skipped'> {
  const current = await getInvitation(inv.token, true);
  if (current?.status === 'sending' && current.sesAcceptedAt)
    return settleConfirmed(current, current.sesAcceptedAt);
  return 'skipped';
}
