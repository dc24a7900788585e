/**
 * A wave's live counts, folded from the invitations stream. Each email of a wave used to add one to
 * its wave's item in the same transaction that settled it: every email of the wave wrote one shared
 * item (about 500 transactions a second at most on DynamoDB, conflicting with each other long
 * before that). Now a settle writes only its invitation, marking it `uncounted`; the score function,
 * reading the stream, adds a batch's worth of facts to each wave in one transaction together with
 * each invitation's `countedMask` (what is already counted for it), conditioned on the mask it
 * read. A redelivered record finds its facts counted; a crash mid-way leaves nothing half-done. The
 * counts stay a stream's delay behind (about a second), and a send pass waits for them before it
 * calls a wave sent (shared/send/pass.ts).
 *
 * Invitations made before this (no `countedMask`) are still counted by the transaction that settles
 * them (shared/invitation/store.ts), and the fold leaves them alone.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { transactionCancelReasons } from '../aws/dynamo-errors.ts';
import { tableName } from '../config.ts';
import type { Invitation } from '../invitation/schema.ts';
import { getInvitations } from '../invitation/store.ts';
import { backOff } from '../retry.ts';
import type { CountName } from './schema.ts';

/** The facts of an invitation that a wave counts once each, as bits of `countedMask`. */
const factBits = {
  sent: 1,
  failed: 2,
  suppressed: 4,
  expired: 8,
  bounced: 16,
  automated: 32,
  unsubscribed: 64,
  complained: 128,
} as const satisfies Partial<Record<CountName, number>>;
type Fact = keyof typeof factBits;
const facts = Object.keys(factBits) as Fact[];

/** The invitation's facts: each is a stamp or a final state that, once there, stays. */
export function factsOf(inv: Partial<Invitation>): number {
  let mask = 0;
  if (inv.sentAt) mask |= factBits.sent;
  if (inv.status === 'failed') mask |= factBits.failed;
  if (inv.status === 'suppressed') mask |= factBits.suppressed;
  if (inv.expiredAt || inv.status === 'expired') mask |= factBits.expired;
  if (inv.bouncedAt || inv.status === 'bounced') mask |= factBits.bounced;
  if (inv.automatedAt) mask |= factBits.automated;
  if (inv.unsubscribedAt) mask |= factBits.unsubscribed;
  if (inv.complainedAt) mask |= factBits.complained;
  return mask;
}

/** What an invitation still adds to its wave's counts, or undefined when nothing (or when not folded). */
export function uncountedOf(inv: Partial<Invitation>): Partial<Record<CountName, number>> | undefined {
  if (inv.countedMask === undefined || !inv.token || !inv.waveId) return undefined;
  const due = factsOf(inv) & ~inv.countedMask;
  const reminders = (inv.reminders ?? 0) - (inv.countedReminders ?? 0);
  if (due === 0 && reminders <= 0) return undefined;
  const deltas: Partial<Record<CountName, number>> = {};
  for (const fact of facts) if (due & factBits[fact]) deltas[fact] = 1;
  if (reminders > 0) deltas.reminded = reminders;
  return deltas;
}

/** Invitations per transaction: with one count update per wave, at most 100 actions. */
const perTransaction = 50;
const maxAttempts = 8;

/**
 * Counts what the given invitations (as the stream's new images show them) add to their waves. The
 * latest image of each invitation is taken; an invitation whose mask moved since (counted already
 * by a redelivery, or by a later record) is read again and counted from what it is now.
 */
export async function foldWaveCounts(images: Invitation[]): Promise<number> {
  const latest = new Map<string, Invitation>();
  for (const inv of images) if (inv.countedMask !== undefined && inv.token) latest.set(inv.token, inv);
  const pending = [...latest.values()].filter((inv) => uncountedOf(inv));
  let counted = 0;
  for (let i = 0; i < pending.length; i += perTransaction) {
    counted += await foldGroup(pending.slice(i, i + perTransaction));
  }
  return counted;
}

async function foldGroup(group: Invitation[]): Promise<number> {
  let invitations = group;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const due = invitations.filter((inv) => uncountedOf(inv));
    if (due.length === 0) return 0;
    try {
      await dynamo().send(new TransactWriteCommand({ TransactItems: foldActions(due) }));
      return due.length;
    } catch (err) {
      // Another run counted some of them first: read them as they are now and count what is left.
      if (!transactionCancelReasons(err)?.includes('ConditionalCheckFailed')) throw err;
      invitations = await getInvitations(
        due.map((inv) => inv.token),
        true,
      );
      await backOff(attempt, 10, 500);
    }
  }
  throw new Error(`wave counts: could not fold ${group.length} invitations after ${maxAttempts} attempts`);
}

function foldActions(due: Invitation[]) {
  const byWave = new Map<string, Partial<Record<CountName, number>>>();
  const updates = due.map((inv) => {
    const deltas = uncountedOf(inv) ?? {};
    const sums = byWave.get(inv.waveId) ?? {};
    for (const [name, n] of Object.entries(deltas) as [CountName, number][])
      sums[name] = (sums[name] ?? 0) + n;
    byWave.set(inv.waveId, sums);
    const countedReminders = inv.countedReminders ?? 0;
    return {
      Update: {
        TableName: tableName('invitations'),
        Key: { token: inv.token },
        UpdateExpression: 'SET countedMask = :mask, countedReminders = :reminders REMOVE uncounted',
        ConditionExpression:
          'countedMask = :seen AND ' +
          (countedReminders === 0
            ? '(attribute_not_exists(countedReminders) OR countedReminders = :seenReminders)'
            : 'countedReminders = :seenReminders'),
        ExpressionAttributeValues: {
          ':mask': (inv.countedMask ?? 0) | factsOf(inv),
          ':reminders': Math.max(countedReminders, inv.reminders ?? 0),
          ':seen': inv.countedMask,
          ':seenReminders': countedReminders,
        },
      },
    };
  });
  const waves = [...byWave].map(([waveId, sums]) => {
    const entries = Object.entries(sums).filter(([, n]) => n);
    return {
      Update: {
        TableName: tableName('surveys'),
        Key: { pk: `WAVE#${waveId}`, sk: 'WAVE' },
        UpdateExpression: `ADD ${entries.map((_, i) => `counts.#c${i} :c${i}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(entries.map(([name], i) => [`#c${i}`, name])),
        ExpressionAttributeValues: Object.fromEntries(entries.map(([, n], i) => [`:c${i}`, n])),
      },
    };
  });
  return [...updates, ...waves];
}
