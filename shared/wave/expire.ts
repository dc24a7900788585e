/**
 * Closing a wave at its `closesAt`: the wave closes and every invitation still open becomes
 * `expired`, each counted once. Decided by comparing times (never by DynamoDB TTL, which lags).
 * A wave still sending (e.g. waiting for a send window) stops: what it had not sent expires too.
 *
 * A large wave takes more than one invocation: the walk over its invitations stops at the
 * deadline and answers where it stands (byWaveKeys's cursor), and the caller hands that on to a fresh
 * invocation. Every step is safe to repeat, since Lambda may deliver the same event twice: each
 * settle is conditional on the invitation still being open, and a closed wave is left alone.
 */
import { nowIso } from '../clock.ts';
import type { InvitationStatus } from '../invitation/schema.ts';
import { queryWaveInvitations, settleInvitation } from '../invitation/store.ts';
import { mapConcurrent } from '../send/concurrency.ts';
import { closeWave, getWave } from './store.ts';

export type ExpireResult = 'closed' | 'more' | 'not-yet' | 'unknown-wave';

/** Where a walk stopped: the byWaveKeys index's LastEvaluatedKey. */
export type ExpireCursor = Record<string, unknown>;

export interface ExpireProgress {
  result: ExpireResult;
  /** With `more`: where the next invocation goes on. */
  next?: ExpireCursor;
}

const pageSize = 200;

/**
 * Expires a wave's open invitations from `from` on until they are all settled (then closes the
 * wave) or `deadline` (epoch ms, real time) has passed.
 */
/** What an expiry settles. From any of them, not only the status the (lagging) index listed. */
const open: InvitationStatus[] = ['queued', 'sending', 'sent'];

export async function expireWave(
  waveId: string,
  deadline = Number.POSITIVE_INFINITY,
  from?: ExpireCursor,
): Promise<ExpireProgress> {
  const wave = await getWave(waveId);
  if (!wave) return { result: 'unknown-wave' };
  // A repeated delivery after the close: nothing is open, and closedAt stays the first close's.
  if (wave.status === 'closed') return { result: 'closed' };
  const now = nowIso();
  if (wave.closesAt > now) return { result: 'not-yet' };
  let start = from;
  do {
    const page = await queryWaveInvitations(waveId, ['queued', 'sending', 'sent'], start, pageSize);
    await mapConcurrent(page.items, 8, (inv) =>
      settleInvitation(inv, open, 'expired', { expiredAt: now }, 'expired'),
    );
    start = page.next;
    if (start && Date.now() >= deadline) return { result: 'more', next: start };
  } while (start);
  await closeWave(waveId, now);
  return { result: 'closed' };
}
