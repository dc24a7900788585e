/**
 * The trend: by wave, week or month (links, so it works without JavaScript), each point with its
 * 95 % interval, a mark where the change from the previous point is significant, and the same in
 * words: every significant change, and the latest one whatever it is.
 */
import { fill } from '../../i18n/format.ts';
import { html, type SafeHtml } from '../../pages/html.ts';
import type { SurveyReport, TrendPoint, TrendUnit } from '../../report/survey-report.ts';
import type { SurveyBenchmark } from '../../score/benchmark.ts';
import { trendChart } from '../charts/trend.ts';
import type { View } from '../layout.ts';
import { headlineAxis, headlineCells } from './scale.ts';

export interface TrendCardInput {
  report: SurveyReport;
  unit: TrendUnit;
  points: TrendPoint[];
  benchmark: SurveyBenchmark | undefined;
  /** The page's URL with `trend` set to each unit. */
  hrefFor: (unit: TrendUnit) => string;
}

function pointLabel(view: View, unit: TrendUnit, point: TrendPoint, timeZone: string): string {
  if (unit === 'month') return view.f.month(point.at);
  if (unit === 'week') return fill(view.m.trend.week, { date: view.f.date(point.at) });
  return view.f.date(point.at, timeZone);
}

const pValue = (view: View, p: number | null): string =>
  p === null ? '' : p < 0.001 ? `p < ${view.f.number(0.001, 3)}` : `p = ${view.f.number(p, 3)}`;

function sentences(view: View, input: TrendCardInput, labels: string[]): string[] {
  const { m, f } = view;
  const kind = input.report.survey.kind;
  const kindName = m.kinds[kind];
  const said: string[] = [];
  const withAnswers = input.points.filter((p) => p.answers.responses > 0);
  input.points.forEach((point, i) => {
    const previous = input.points.slice(0, i).findLast((p) => p.answers.responses > 0);
    if (!point.change?.significant || !previous) return;
    const before = previous.headline.value ?? point.change.before;
    const after = point.headline.value ?? point.change.after;
    said.push(
      fill(after >= before ? m.trend.rose : m.trend.fell, {
        when: labels[i] ?? '',
        kind: kindName,
        before: f.score(kind, before),
        after: f.score(kind, after),
        change: f.signed(after - before, kind === 'nps' ? 1 : 2),
        p: pValue(view, point.change.pValue),
      }),
    );
  });
  const last = withAnswers.at(-1);
  const beforeLast = withAnswers.at(-2);
  if (last && beforeLast && !last.change?.significant) {
    if (!last.change || last.change.pValue === null) said.push(m.trend.untested);
    else {
      const before = beforeLast.headline.value ?? last.change.before;
      const after = last.headline.value ?? last.change.after;
      said.push(
        fill(m.trend.within, {
          before: f.score(kind, before),
          after: f.score(kind, after),
          change: f.signed(after - before, kind === 'nps' ? 1 : 2),
          p: pValue(view, last.change.pValue),
        }),
      );
    }
  }
  return said;
}

export function trendCard(view: View, input: TrendCardInput): SafeHtml {
  const { m, f } = view;
  const { survey } = input.report;
  const kindName = m.kinds[survey.kind];
  const tabs = (['wave', 'week', 'month'] as const).map((unit) => {
    const text = unit === 'wave' ? m.trend.byWave : unit === 'week' ? m.trend.byWeek : m.trend.byMonth;
    return html`<li><a href="${input.hrefFor(unit)}#trend"${unit === input.unit ? html` aria-current="true"` : ''}>${text}</a></li>`;
  });
  const labels = input.points.map((p) => pointLabel(view, input.unit, p, survey.timezone));
  const hasAnswers = input.points.some((p) => p.answers.responses > 0);
  const title = fill(
    input.unit === 'wave' ? m.trend.title : input.unit === 'week' ? m.trend.titleWeek : m.trend.titleMonth,
    { kind: kindName },
  );
  let body: SafeHtml;
  if (!hasAnswers) {
    body = html`<p>${m.trend.empty}</p>`;
  } else {
    const said = sentences(view, input, labels);
    const previousValue = (i: number) =>
      input.points.slice(0, i).findLast((p) => p.answers.responses > 0)?.headline.value ?? null;
    const chart = trendChart({
      id: 'trend-chart',
      title,
      description: fill(m.trend.description, {
        count: f.number(input.points.length, 0),
        first: labels[0] ?? '',
        last: labels.at(-1) ?? '',
      }),
      dataTableLabel: m.dataTable,
      scale: headlineAxis(view, survey),
      bands: (input.benchmark?.bands ?? []).map((b) => ({
        from: b.from,
        to: b.to,
        label: b.label ?? (b.builtIn === 2 ? m.score.band2 : m.score.band1),
      })),
      points: input.points.map((point, i) => {
        const cells = headlineCells(view, survey, point.headline);
        const before = previousValue(i);
        const change =
          point.change && point.headline.value !== null && before !== null
            ? point.headline.value - before
            : undefined;
        return {
          key: point.key,
          label: labels[i] ?? '',
          ...cells,
          ...(change !== undefined && {
            change,
            changeText: f.signed(change, survey.kind === 'nps' ? 1 : 2),
          }),
          significant: point.change?.significant ?? false,
        };
      }),
      markLabel: m.trend.mark,
      intervalLabel: m.trend.errorBars,
      columns: {
        label: m.trend.point,
        value: m.trend.value,
        interval: m.trend.interval,
        n: m.trend.n,
        change: m.trend.change,
        significant: m.trend.significant,
      },
      yes: m.yes,
      no: m.no,
    });
    body = html`${chart}${said.length ? html`<ul class="sentences">${said.map((s) => html`<li>${s}</li>`)}</ul>` : ''}`;
  }
  return html`<section class="card" id="trend" aria-labelledby="trend-h">
<h2 id="trend-h">${m.trend.heading}</h2>
<ul class="tabs">${tabs}</ul>
${body}
</section>`;
}
