/**
 * Benchmark bands beside a survey's score (PRODUCT.md, Reporting): the team's own per survey, or,
 * for NPS, the seeds' figures by default — seed 004: "0–30 is a good NPS; companies that invest
 * heavily in customer experience should expect 50–70".
 */
import type { Survey } from '../survey/schema.ts';

export interface BenchmarkBand {
  from: number;
  to: number;
  /** The team's own words, or undefined for a built-in band the page names in its own language. */
  label?: string;
  /** Which built-in band: 1 = "a good NPS", 2 = "heavy investment in customer experience". */
  builtIn?: 1 | 2;
}

export interface SurveyBenchmark {
  bands: BenchmarkBand[];
  source: string;
  builtIn: boolean;
}

/** The seed this default comes from, named as published. */
export const defaultNpsBenchmarkSource =
  '“NPS 活動:包含步驟的完整指南” (NPS campaigns: a complete guide), 2022-08-03';

export function benchmarkOf(survey: Pick<Survey, 'kind' | 'benchmark'>): SurveyBenchmark | undefined {
  if (survey.benchmark === null) return undefined;
  if (survey.benchmark) {
    return {
      bands: survey.benchmark.bands.map((b) => ({ from: b.from, to: b.to, label: b.label })),
      source: survey.benchmark.source,
      builtIn: false,
    };
  }
  if (survey.kind !== 'nps') return undefined;
  return {
    bands: [
      { from: 0, to: 30, builtIn: 1 },
      { from: 50, to: 70, builtIn: 2 },
    ],
    source: defaultNpsBenchmarkSource,
    builtIn: true,
  };
}
