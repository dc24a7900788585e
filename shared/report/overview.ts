/**
 * A survey's row in the overview: its latest score (the newest wave of its own that has answers, or
 * the last 90 days for surveys answered continuously through a link or triggered invitations), and
 * the short trend behind it.
 */
import { addCounts, type Counts, emptyCounts } from '../scoring.ts';
import { type Headline, headlineOf, type SurveyReport, trendByPeriod, trendByWave } from './survey-report.ts';

export interface SurveySummary {
  headline: Headline;
  /** What the headline covers: a wave (its start) or the last 90 days. */
  scope: { wave: string } | { days: 90 };
  /** The headline figure per wave (or per month), oldest first: a sparkline's points. */
  trend: (number | null)[];
  trendUnit: 'wave' | 'month';
}

const sparklinePoints = 12;

export function summarize(report: SurveyReport, today: string): SurveySummary {
  const own = report.waves.filter((row) => !row.rolling);
  const latest = own.findLast((row) => row.answers.responses > 0);
  if (latest) {
    return {
      headline: latest.headline,
      scope: { wave: latest.wave.startedAt },
      trend: trendByWave(report)
        .slice(-sparklinePoints)
        .map((p) => p.headline.value),
      trendUnit: 'wave',
    };
  }
  const since = new Date(Date.parse(`${today}T00:00:00Z`) - 89 * 86_400_000).toISOString().slice(0, 10);
  let recent: Counts = emptyCounts();
  for (const [day, counts] of report.days)
    if (day >= since && day <= today) recent = addCounts(recent, counts);
  return {
    headline: headlineOf(report.survey, recent),
    scope: { days: 90 },
    trend: trendByPeriod(report, 'month', today)
      .slice(-sparklinePoints)
      .map((p) => p.headline.value),
    trendUnit: 'month',
  };
}
