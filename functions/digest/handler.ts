/**
 * The digest function: fired daily at 07:00 UTC by a system schedule, it emails each owned
 * survey's daily digest, and on Mondays its weekly one (shared/digest/). The time it works for is
 * the schedule's own (`scheduledAt`, Scheduler's `<aws.scheduler.scheduled-time>`) when the event
 * carries it, so a late retry still covers the same period; then `at` when it goes on from an earlier
 * invocation, else the clock. Each survey's digest is claimed before it goes, so a repeated firing
 * sends nothing twice; what runs out of time goes on in a fresh invocation of this function.
 */
import * as v from 'valibot';
import { nowIso, nowMs } from '../../shared/clock.ts';
import { envNames } from '../../shared/config.ts';
import { sendDigests } from '../../shared/digest/send.ts';
import { eventHandler } from '../../shared/lambda/handler.ts';
import { invokeAsync } from '../../shared/lambda/invoke.ts';
import { scheduleName, scheduleOnce } from '../../shared/schedule/scheduler.ts';

/** Minutes before the digests SES would not take are tried again. */
const retryMinutes = 5;

const isoTime = v.pipe(
  v.string(),
  v.maxLength(64),
  v.check((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO time'),
);

const event = v.object({
  type: v.literal('digests.send'),
  scheduledAt: v.optional(isoTime),
  /** The firing's time, as a continuation carries it on. */
  at: v.optional(isoTime),
  /** The last survey an earlier invocation of the same firing looked at. */
  after: v.optional(v.pipe(v.string(), v.regex(/^s_[a-z2-7]{16}$/))),
});

export const handler = eventHandler({ name: 'digest', event }, async (job, { deadline, stopBy }) => {
  const at = new Date(job.at ?? job.scheduledAt ?? nowIso());
  const result = await sendDigests({ at, ...(job.after && { after: job.after }), deadline, stopBy });
  if (result.next) {
    await invokeAsync(envNames.digestFunctionArn, {
      type: 'digests.send',
      after: result.next,
      at: result.at,
    });
  }
  // A digest SES would not take for now was given back: the firing is tried again in five minutes by
  // a one-time schedule (the sent markers keep the digests that went from going twice). Not by
  // failing: Lambda's retries would start every continuation again, and a passing throttle is no
  // reason to page anyone (an account that cannot send logs its ALERT where it is found).
  if (result.deferred.length) {
    const retryAt = new Date(nowMs() + retryMinutes * 60_000);
    await scheduleOnce(
      scheduleName('digest-retry', String(Date.parse(result.at)), String(retryAt.getTime())),
      retryAt,
      'digest',
      {
        type: 'digests.send',
        at: result.at,
      },
    );
    console.warn(
      `digest: ${result.deferred.length} digest(s) deferred; trying again at ${retryAt.toISOString()}`,
    );
  }
  return result;
});
