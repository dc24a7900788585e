/** The one-time schedules of a wave: its expiry at `closesAt`, and each reminder before it. */
import { scheduleName, scheduleOnce } from '../schedule/scheduler.ts';
import type { Survey } from '../survey/schema.ts';
import type { Wave } from './schema.ts';

const dayMs = 86_400_000;

export async function scheduleWaveTimers(wave: Wave, survey: Survey): Promise<void> {
  await scheduleOnce(scheduleName('expire', wave.id), new Date(wave.closesAt), 'expire', { waveId: wave.id });
  const start = Date.parse(wave.startedAt);
  const closes = Date.parse(wave.closesAt);
  for (let n = 1; n <= survey.reminders.count; n++) {
    const at = start + n * survey.reminders.afterDays * dayMs;
    if (at >= closes) break;
    await scheduleOnce(scheduleName('remind', wave.id, String(n)), new Date(at), 'remind', {
      waveId: wave.id,
      reminder: n,
    });
  }
}
