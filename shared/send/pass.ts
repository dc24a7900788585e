/**
 * A send pass over a wave: its queued invitations page by page (100 at a time, 16 in flight; more
 * of both at a faster rate, as long as DynamoDB keeps up: `pageSizeFor`, `inFlightLimitFor`), each
 * delivered exactly once (shared/send/delivery.ts), the cursor checkpointed on the wave after each
 * page. Invitations whose email may be on its way (`pending`) do not hold the pass up: they are
 * looked at again at its end, once SES's Send event has had time to come or their claim has gone
 * stale, and the wave is done only when every one of them is settled.
 */
import { nowIso } from '../clock.ts';
import type { Invitation } from '../invitation/schema.ts';
import { getInvitation, queryWaveInvitations } from '../invitation/store.ts';
import { sleep } from '../retry.ts';
import type { Survey } from '../survey/schema.ts';
import type { Wave } from '../wave/schema.ts';
import { getWave, markSendRecheck, noteNextDue, recordSendPage, takeNextDue } from '../wave/store.ts';
import { mapConcurrent } from './concurrency.ts';
import { type DeliveryContext, deliverInvitation } from './delivery.ts';
import { InFlightLimit } from './in-flight.ts';
import type { Pacer } from './ses-rate.ts';

export type SendProgress =
  | { state: 'progress' | 'complete' }
  /** SES kept failing, or the account cannot send (`reason`): the page is left for a later run. */
  | { state: 'stalled'; reason?: string }
  /** The pass is over but some invitations wait for their send window (the wave's `nextDueAt`). */
  | { state: 'waiting'; until: string };

/** Invitations of this run whose email may be on its way, by token: looked at again at the pass's end. */
export type PendingInvitations = Map<string, Invitation>;

/**
 * Emails in flight per run, at the least. SES's rate is paced account-wide (ses-rate.ts); what this
 * bounds is the DynamoDB and SES round trips one run waits on at once, so that a slow answer (a
 * throttle's backoff, a lost answer) does not leave the account's rate unused. A faster account gets
 * more (`Pacer.inFlight`, ses-rate.ts's `inFlightFor`).
 */
export const sendConcurrency = 16;

/**
 * A run's in-flight count: 16, climbing towards what the account's rate could use while DynamoDB
 * keeps answering fast (in-flight.ts). One per run, so that what it learnt carries from page to page.
 */
export const inFlightLimitFor = (pacer: Pacer): InFlightLimit =>
  new InFlightLimit(sendConcurrency, pacer.inFlight ?? sendConcurrency);

/** What a page's emails keep in flight: the run's limit as it moves, or the pacer's fixed count. */
const inFlightOf = (ctx: DeliveryContext): number | (() => number) => {
  const limit = ctx.inFlight;
  return limit ? () => limit.current : (ctx.pacer.inFlight ?? sendConcurrency);
};

/**
 * Invitations listed per page: 100, or three times what is in flight when the rate asks for more.
 * Between two pages a run waits on a few requests in a row with nothing in flight (the cursor's
 * checkpoint, the lease, the wave and the survey read again, the next listing), and every page ends
 * with its slowest emails: at a lifted rate, pages of 100 left a run idle a third of its time.
 * A bigger page costs only a longer re-listing after a crash, and an unpublish taking effect a page
 * later (a page lasts a few seconds at the rates that get one).
 */
export const pageSizeFor = (inFlight: number): number => Math.max(100, Math.min(400, inFlight * 3));

/** How often the end of a pass looks again at invitations whose email may be on its way. */
const pendingLookMs = 1_000;

export async function sendPage(
  wave: Wave,
  survey: Survey,
  ctx: DeliveryContext,
  pending: PendingInvitations,
): Promise<SendProgress> {
  const page = await queryWaveInvitations(
    wave.id,
    ['queued', 'sending'],
    wave.sendCursor ? JSON.parse(wave.sendCursor) : undefined,
    pageSizeFor(ctx.pacer.inFlight ?? sendConcurrency),
  );
  const now = nowIso();
  const due = page.items.filter((inv) => !inv.sendAfter || inv.sendAfter <= now);
  const notYet = page.items
    .filter((inv) => inv.sendAfter && inv.sendAfter > now)
    .map((inv) => inv.sendAfter as string);
  if (notYet.length) await noteNextDue(wave.id, notYet.sort()[0] as string);
  const outcomes = await mapConcurrent(due, inFlightOf(ctx), (inv) => deliverInvitation(inv, survey, ctx));
  if (outcomes.includes('paused')) return { state: 'stalled', ...(ctx.paused && { reason: ctx.paused }) };
  if (outcomes.includes('retry-later')) return { state: 'stalled' }; // keep the cursor: this page is tried again
  // The deadline came mid-page: keep the cursor; the next invocation does this page again.
  if (outcomes.includes('not-started')) return { state: 'progress' };
  due.forEach((inv, i) => {
    if (outcomes[i] === 'pending') pending.set(inv.token, inv);
  });
  const next = page.next ? JSON.stringify(page.next) : undefined;
  await recordSendPage(wave.id, wave.sendCursor, next);
  if (next !== undefined) return { state: 'progress' };
  const until = await takeNextDue(wave.id);
  if (until) return { state: 'waiting', until };
  if (pending.size > 0) {
    const settled = await settlePending(survey, ctx, pending);
    if (settled !== 'settled') return settled;
  }
  return (await passMayHaveMissed(wave.id, ctx)) ? { state: 'stalled' } : { state: 'complete' };
}

/**
 * Looks again at the invitations whose email may be on its way, until each is settled (confirmed by
 * SES's Send event, or sent again once its claim went stale) or the deadline comes. At the deadline
 * the next run's pass starts afresh (the cursor is back at the start) and meets them again.
 */
async function settlePending(
  survey: Survey,
  ctx: DeliveryContext,
  pending: PendingInvitations,
): Promise<'settled' | SendProgress> {
  const wait = ctx.wait ?? sleep;
  while (pending.size > 0) {
    if (Date.now() + pendingLookMs >= ctx.deadline) return { state: 'progress' };
    await wait(pendingLookMs);
    const tokens = [...pending.keys()];
    const outcomes = await mapConcurrent(tokens, inFlightOf(ctx), async (token) => {
      const current = await getInvitation(token, true);
      return current ? deliverInvitation(current, survey, ctx) : 'skipped';
    });
    if (outcomes.includes('paused')) return { state: 'stalled', ...(ctx.paused && { reason: ctx.paused }) };
    tokens.forEach((token, i) => {
      if (!['pending', 'retry-later', 'not-started'].includes(outcomes[i] as string)) pending.delete(token);
    });
    if (outcomes.includes('not-started')) return { state: 'progress' };
    if (outcomes.includes('retry-later')) return { state: 'stalled' };
  }
  return 'settled';
}

/**
 * Whether the pass that just ended may have missed invitations. The byWaveKeys index is eventually
 * consistent on AWS, and a small wave is emailed moments after its invitations are put: one not yet
 * in the index is not listed, and the wave would be done with that contact never emailed. Every
 * invitation the selection counted must by now be sent, failed, suppressed or expired. Those counts
 * are folded from the invitations stream (shared/wave/counts.ts), a moment behind the settles: they
 * are read again while they still move. When some are not accounted for, the wave stalls once (its
 * cursor is back at the start) and the sweeper's next run, minutes later, passes over it again. A
 * shortfall after that is logged and the wave is done: then it is the counts, not the invitations,
 * that are off.
 */
async function passMayHaveMissed(waveId: string, ctx: DeliveryContext): Promise<boolean> {
  const wait = ctx.wait ?? sleep;
  const until = Math.min(Date.now() + countsCatchUpMs, ctx.deadline);
  let unsettled = Number.POSITIVE_INFINITY;
  // Waited since the counts last moved, and the next wait: 200 ms, doubling to 1 s while they move
  // (each look is a read: a fold a second behind costs a few, not one every 200 ms).
  let still = 0;
  let interval = countsLookMs;
  for (;;) {
    const wave = await getWave(waveId);
    if (!wave) return false;
    const { selected, sent, failed, suppressed, expired } = wave.counts;
    const now = selected - (sent + failed + suppressed + expired);
    if (now <= 0) return false;
    if (now < unsettled) still = 0;
    unsettled = now;
    // The stream's consumer is a moment behind: while it is still counting, wait for it.
    if (still >= countsStillMs || Date.now() + interval > until) break;
    await wait(interval);
    still += interval;
    interval = Math.min(countsLookMaxMs, interval * 2);
  }
  if (await markSendRecheck(waveId, nowIso())) return true;
  console.error('send: wave done with selected invitations unaccounted for', waveId, unsettled);
  return false;
}

/**
 * The end of a pass waits at most this long for the stream to count its settles, looking first
 * after 200 ms and then less often, up to once a second, and stops waiting once the counts have not
 * moved for 3 s.
 */
const countsCatchUpMs = 60_000;
const countsLookMs = 200;
const countsLookMaxMs = 1_000;
const countsStillMs = 3_000;
