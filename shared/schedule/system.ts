/**
 * Schedules the stack itself needs, whatever the surveys: the sweeper that resumes any wave a crash
 * or a dropped invocation left half-sent, the sweeper that sends alert deliveries whose retry is due
 * (or whose one-time retry schedule was lost), and the daily run of the owners' digests. The CDK
 * stack creates every one of these; the local stack runs the `rate()` sweepers on real-time timers
 * and creates the `cron()` ones in its Scheduler stand-in (local/stack.ts).
 */
import type { ScheduleTarget } from './scheduler.ts';

export interface SystemSchedule {
  name: string;
  /** `rate(...)` or `cron(...)`, in UTC. */
  expression: string;
  target: ScheduleTarget;
  input: unknown;
}

export const systemSchedules: SystemSchedule[] = [
  { name: 'resume-waves', expression: 'rate(5 minutes)', target: 'send', input: { type: 'waves.resume' } },
  {
    name: 'sweep-deliveries',
    expression: 'rate(5 minutes)',
    target: 'deliver',
    input: { type: 'deliveries.sweep' },
  },
  // 07:00 UTC: the digest function decides per survey whether a daily or a weekly digest is due.
  // The firing's own time, so a late retry still covers the same period.
  {
    name: 'digests',
    expression: 'cron(0 7 * * ? *)',
    target: 'digest',
    input: { type: 'digests.send', scheduledAt: '<aws.scheduler.scheduled-time>' },
  },
];
