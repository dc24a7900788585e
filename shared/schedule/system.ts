/**
 * Schedules the stack itself needs, whatever the surveys: the sweeper that resumes any wave a crash
 * or a dropped invocation left half-sent. The CDK stack and the local stack both create these.
 */
import type { ScheduleTarget } from './scheduler.ts';

export interface SystemSchedule {
  name: string;
  expression: string;
  target: ScheduleTarget;
  input: unknown;
}

export const systemSchedules: SystemSchedule[] = [
  { name: 'resume-waves', expression: 'rate(5 minutes)', target: 'send', input: { type: 'waves.resume' } },
];
