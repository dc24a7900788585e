/**
 * Closing a wave at its `closesAt`: the wave closes and every invitation still open becomes
 * `expired`, each counted once. Decided by comparing times (never by DynamoDB TTL, which lags).
 * A wave still sending (e.g. waiting for a send window) stops: what it had not sent expires too.
 */
import { nowIso } from '../clock.ts';
import { queryWaveInvitations, settleInvitation } from '../invitation/store.ts';
import { mapConcurrent } from '../send/concurrency.ts';
import { closeWave, getWave } from './store.ts';

export type ExpireResult = 'closed' | 'not-yet' | 'unknown-wave';

export async function expireWave(waveId: string): Promise<ExpireResult> {
  const wave = await getWave(waveId);
  if (!wave) return 'unknown-wave';
  const now = nowIso();
  if (wave.closesAt > now) return 'not-yet';
  let start: Record<string, unknown> | undefined;
  do {
    const page = await queryWaveInvitations(waveId, ['queued', 'sending', 'sent'], start, 200);
    await mapConcurrent(page.items, 8, (inv) =>
      settleInvitation(inv, [inv.status], 'expired', { expiredAt: now }, 'expired'),
    );
    start = page.next;
  } while (start);
  await closeWave(waveId, now);
  return 'closed';
}
