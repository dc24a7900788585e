/** The demo's calendar: where the local clock starts and when each wave of the year begins. */
export const minuteMs = 60_000;
export const hourMs = 3_600_000;
export const dayMs = 86_400_000;

export interface DemoCalendar {
  /** Where the local clock starts (epoch ms): 45 minutes before the first wave. */
  clockStartsAt: number;
  /** When the cadence starts each wave: 09:00 UTC every 3 months, the newest 5–8 days before now. */
  waveStarts: number[];
}

export const waveCount = 5;

export function demoCalendar(now: Date): DemoCalendar {
  // The newest wave is past its reminder (3 days) and still open (14 days), on a day of the month
  // that every quarter has (a cadence in months fires on the publish day, days 29–31 as the 28th).
  let back = 5;
  while (new Date(now.getTime() - back * dayMs).getUTCDate() > 28) back++;
  const last = new Date(now.getTime() - back * dayMs);
  const waveStarts = Array.from({ length: waveCount }, (_, i) =>
    Date.UTC(last.getUTCFullYear(), last.getUTCMonth() - 3 * (waveCount - 1 - i), last.getUTCDate(), 9),
  );
  return { clockStartsAt: (waveStarts[0] as number) - 45 * minuteMs, waveStarts };
}
