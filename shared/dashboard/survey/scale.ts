/** The axis a survey's headline figure is drawn on, and its figures as the charts want them. */

import type { Headline } from '../../report/survey-report.ts';
import { headlineRange } from '../../report/survey-report.ts';
import type { Survey } from '../../survey/schema.ts';
import type { View } from '../layout.ts';

export interface Axis {
  min: number;
  max: number;
  ticks: { value: number; text: string }[];
}

export function headlineAxis(view: View, survey: Pick<Survey, 'kind' | 'scale'>): Axis {
  const { min, max } = headlineRange(survey);
  const values =
    survey.kind === 'nps'
      ? [-100, -50, 0, 50, 100]
      : Array.from({ length: max - min + 1 }, (_, i) => min + i);
  return {
    min,
    max,
    ticks: values.map((value) => ({
      value,
      text: survey.kind === 'nps' ? view.f.signed(value, 0) : view.f.number(value, 0),
    })),
  };
}

/** The numbers and texts a chart row needs of a headline. */
export function headlineCells(view: View, survey: Pick<Survey, 'kind'>, h: Headline) {
  return {
    value: h.value,
    ...(h.low !== null && { low: h.low }),
    ...(h.high !== null && { high: h.high }),
    ...(h.margin !== null && { margin: h.margin }),
    valueText: view.f.score(survey.kind, h.value),
    intervalText: view.f.margin(survey.kind, h.margin),
    n: h.n,
    nText: view.f.number(h.n, 0),
  };
}
