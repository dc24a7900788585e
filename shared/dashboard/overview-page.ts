/**
 * The dashboard's first page: every survey with its state, latest score ± margin, answers, response
 * rate, a sparkline of its trend and its next scheduled wave. On a phone each row becomes a card.
 */
import { fill } from '../i18n/format.ts';
import { html } from '../pages/html.ts';
import type { SurveySummary } from '../report/overview.ts';
import { headlineRange, type SurveyReport } from '../report/survey-report.ts';
import { sparkline } from './charts/sparkline.ts';
import { renderDashboardPage, type View } from './layout.ts';

export interface OverviewRow {
  report: SurveyReport;
  summary: SurveySummary;
  nextWave?: Date;
}

/** A sparkline shows the movement: its range hugs the values (with room), within the score's range. */
function sparkRange(
  values: (number | null)[],
  range: { min: number; max: number },
): { min: number; max: number } {
  const known = values.filter((v): v is number => v !== null);
  const room = (range.max - range.min) / 10;
  const min = Math.max(range.min, Math.min(...known) - room);
  const max = Math.min(range.max, Math.max(...known) + room);
  return max > min ? { min, max } : range;
}

export function renderOverviewPage(view: View, rows: OverviewRow[]): string {
  const { m, f } = view;
  const body = rows.map(({ report, summary, nextWave }) => {
    const { survey } = report;
    const h = summary.headline;
    const scope =
      'wave' in summary.scope
        ? fill(m.overview.latestWave, { date: f.date(summary.scope.wave, survey.timezone) })
        : m.overview.lastDays;
    const range = headlineRange(survey);
    const values = summary.trend.map((v) => f.score(survey.kind, v)).join(', ');
    const spark = summary.trend.some((v) => v !== null)
      ? sparkline({
          label: fill(summary.trendUnit === 'wave' ? m.overview.sparkline : m.overview.sparklineMonths, {
            kind: m.kinds[survey.kind],
            values,
          }),
          values: summary.trend,
          ...sparkRange(summary.trend, range),
        })
      : html`<span class="muted">–</span>`;
    const score =
      h.value === null
        ? html`<span class="muted">${m.overview.noAnswers}</span>`
        : html`<span><strong>${f.score(survey.kind, h.value)}</strong> ${f.margin(survey.kind, h.margin)}<br><span class="muted">${scope}, ${fill(m.overview.n, { n: f.number(h.n, 0) })}</span></span>`;
    return html`<tr data-survey="${survey.id}">
<td class="name" data-label="${m.overview.survey}"><span><a href="/admin/surveys/${encodeURIComponent(survey.id)}">${survey.name}</a> <span class="muted">${m.kinds[survey.kind]}</span></span></td>
<td data-label="${m.overview.state}"><span class="badge st-${survey.state}">${m.states[survey.state]}</span></td>
<td data-label="${m.overview.score}" data-value="${h.value ?? ''}">${score}</td>
<td class="num" data-label="${m.overview.responses}">${f.number(report.answers.responses, 0)}</td>
<td class="num" data-label="${m.overview.responseRate}">${f.percent(report.responseRate, 0)}</td>
<td data-label="${m.overview.trend}">${spark}</td>
<td data-label="${m.overview.nextWave}"><span>${nextWave ? f.dateTime(nextWave.toISOString(), survey.timezone) : html`<span class="muted">${m.overview.notScheduled}</span>`}</span></td>
</tr>`;
  });
  const main = html`<h1>${m.overview.title}</h1>
${
  rows.length === 0
    ? html`<div class="card"><p>${m.overview.empty}</p></div>`
    : html`<div class="card scroll"><table class="surveys">
<caption class="sr-only">${m.overview.caption}</caption>
<thead><tr><th scope="col">${m.overview.survey}</th><th scope="col">${m.overview.state}</th><th scope="col">${m.overview.score}</th><th scope="col" class="num">${m.overview.responses}</th><th scope="col" class="num">${m.overview.responseRate}</th><th scope="col">${m.overview.trend}</th><th scope="col">${m.overview.nextWave}</th></tr></thead>
<tbody>${body}</tbody>
</table></div>`
}`;
  return renderDashboardPage(view, { title: m.overview.title, main, current: 'surveys' });
}
