/**
 * The dashboard's first page: the open follow-ups (how many, how many overdue, the longest overdue),
 * then every survey with its state, latest score ± margin, answers, response rate, a sparkline of its
 * trend and its next scheduled wave. On a phone each row becomes a card.
 */
import type { FollowUp } from '../alert/schema.ts';
import { fill } from '../i18n/format.ts';
import { html, type SafeHtml } from '../pages/html.ts';
import type { SurveySummary } from '../report/overview.ts';
import { headlineRange, type SurveyReport } from '../report/survey-report.ts';
import { sparkline } from './charts/sparkline.ts';
import { isOverdueAt, relativeTime, responsePath } from './followup-cells.ts';
import { renderDashboardPage, type View } from './layout.ts';

export interface OverviewRow {
  report: SurveyReport;
  summary: SurveySummary;
  nextWave?: Date;
}

/** The first page of open follow-ups, by due time (so the overdue come first). */
export interface OpenFollowUps {
  followUps: FollowUp[];
  /** More are open than the page holds. */
  more: boolean;
  nowMs: number;
}

/** How many overdue follow-ups the card names; the list page has the rest. */
const overdueShown = 5;

function followUpsCard(view: View, open: OpenFollowUps): SafeHtml {
  const { m, f } = view;
  const overdue = open.followUps.filter((x) => isOverdueAt(x, open.nowMs));
  // A full page of overdue ones may have more behind it: "50+", never a count that is too low.
  const count = (n: number, capped: boolean) => `${f.number(n, 0)}${capped ? '+' : ''}`;
  const openCount = count(open.followUps.length, open.more);
  const overdueCount = count(overdue.length, open.more && overdue.length === open.followUps.length);
  const items = overdue
    .slice(0, overdueShown)
    .map(
      (x) =>
        html`<li><a href="${responsePath(x.invitationId)}">${x.surveyName}</a> <span class="pill seg-${x.segment}" aria-hidden="true">${f.number(x.score, 0)}</span><span class="sr-only">${f.number(x.score, 0)}</span> · ${x.contactId ? (x.contactName ?? x.contactEmail ?? '') : m.followUps.anonymous} · <strong class="overdue">${m.followUps.overdue}</strong> <time datetime="${x.dueAt}">${relativeTime(view.locale, x.dueAt, open.nowMs)}</time>${x.assignee ? html` · ${x.assignee}` : ''}</li>`,
    );
  return html`<section class="card" aria-labelledby="followups-h"><h2 id="followups-h">${m.followUps.card.heading}</h2>
${
  open.followUps.length === 0
    ? html`<p class="muted">${m.followUps.card.none}</p>`
    : html`<p><strong>${fill(m.followUps.card.open, { n: openCount })}</strong> · ${overdue.length ? html`<strong class="badge st-unpublished overdue">${fill(m.followUps.card.overdue, { n: overdueCount })}</strong>` : fill(m.followUps.card.overdue, { n: overdueCount })}</p>
${items.length ? html`<h3>${m.followUps.card.firstOverdue}</h3><ul class="timeline">${items}</ul>` : ''}`
}
<p><a href="/admin/followups">${m.followUps.card.all}</a></p>
</section>`;
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

export function renderOverviewPage(view: View, rows: OverviewRow[], followUps?: OpenFollowUps): string {
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
}
${followUps && (rows.length > 0 || followUps.followUps.length > 0) ? followUpsCard(view, followUps) : ''}`;
  return renderDashboardPage(view, { title: m.overview.title, main, current: 'surveys' });
}
