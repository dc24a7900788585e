/**
 * The score per value of each `reportBy` property (plan, region…), with margin and n per value: its
 * most answered values, then every other value's answers together as one row.
 */
import { fill } from '../../i18n/format.ts';
import { html, type SafeHtml } from '../../pages/html.ts';
import type { SurveyReport } from '../../report/survey-report.ts';
import { segmentChart } from '../charts/segments.ts';
import type { View } from '../layout.ts';
import { headlineAxis, headlineCells } from './scale.ts';

export function segmentsCard(view: View, report: SurveyReport): SafeHtml {
  const { m, f } = view;
  const { survey } = report;
  const kind = m.kinds[survey.kind];
  const axis = headlineAxis(view, survey);
  const charts = report.segments.map(({ property, rows }, i) => {
    if (rows.length === 0) return html`<p>${fill(m.segmentsView.empty, { property })}</p>`;
    return segmentChart({
      id: `segments-${i}`,
      title: fill(m.segmentsView.title, { kind, property }),
      description: fill(m.segmentsView.description, {
        count: f.number(rows.filter((row) => !row.other).length, 0),
        property,
      }),
      dataTableLabel: m.dataTable,
      scale: { ...axis, ...(survey.kind === 'nps' && { origin: 0 }) },
      rows: rows.map((row) => ({
        // Values are never empty (a wave keeps only set ones), so '' cannot name a value.
        key: row.other ? '' : row.value,
        label: row.other ? m.segmentsView.other : shortened(row.value),
        ...headlineCells(view, survey, row.headline),
      })),
      columns: {
        label: m.segmentsView.value,
        value: m.segmentsView.score,
        interval: m.segmentsView.interval,
        n: m.segmentsView.n,
      },
    });
  });
  return html`<section class="card" id="segments" aria-labelledby="segments-h">
<h2 id="segments-h">${m.segmentsView.heading}</h2>
${report.segments.length === 0 ? html`<p>${m.segmentsView.none}</p>` : html`<div class="grid two">${charts.map((c) => html`<div>${c}</div>`)}</div>`}
</section>`;
}

/** A contact property may be 1,000 characters long: the chart and its table show the start of it. */
const shownCharacters = 120;
const shortened = (value: string): string => {
  const chars = Array.from(value);
  return chars.length <= shownCharacters ? value : `${chars.slice(0, shownCharacters - 1).join('')}…`;
};
