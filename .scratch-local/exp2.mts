import { parseScheduleExpression, nextOccurrence } from '../local/schedule-expression.ts';
const show = (e: string, tz = 'UTC', after = Date.parse('2025-01-01T00:00:00Z')) => {
  const p = parseScheduleExpression(e, tz);
  const out: string[] = [];
  let a = after;
  for (let i = 0; i < 4; i++) { const n = nextOccurrence(p, { afterMs: a, anchorMs: after }); if (n === undefined) break; out.push(new Date(n).toISOString()); a = n; }
  console.log(e, tz, out.join(' '));
};
show('at(2025-03-30T02:30:00)', 'Europe/Stockholm');
show('at(2025-06-01T10:00:00)', 'Europe/Stockholm');
show('at(2025-06-01T10:00:00)');
show('rate(5 minutes)');
show('rate(1 day)');
show('cron(0 10 ? * MON *)');
show('cron(0 10 ? * 2 *)');
show('cron(0 9 ? * 2-6 *)', 'Europe/Stockholm');
show('cron(15 10 ? * 6L 2025)');
show('cron(0 12 ? * 3#2 *)');
show('cron(0 0 L * ? *)');
show('cron(0/15 * * * ? *)');
show('cron(0 8 1 */3 ? *)', 'America/New_York');
show('cron(0 10 ? * MON-FRI *)');
