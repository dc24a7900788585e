/**
 * The score, large, with its 95 % margin and n, the response rate, the score on its range beside
 * the benchmark bands, and the distribution of answers coloured by segment.
 */
import { fill } from '../../i18n/format.ts';
import { html, type SafeHtml } from '../../pages/html.ts';
import type { SurveyReport } from '../../report/survey-report.ts';
import type { SurveyBenchmark } from '../../score/benchmark.ts';
import { segmentOf, segmentsOf } from '../../scoring.ts';
import { type DistributionBar, distributionChart } from '../charts/distribution.ts';
import { scoreGauge } from '../charts/gauge.ts';
import type { View } from '../layout.ts';
import { headlineAxis } from './scale.ts';

function bandLabel(view: View, band: SurveyBenchmark['bands'][number]): string {
  return band.label ?? (band.builtIn === 2 ? view.m.score.band2 : view.m.score.band1);
}

export function scoreCard(
  view: View,
  report: SurveyReport,
  benchmark: SurveyBenchmark | undefined,
): SafeHtml {
  const { m, f } = view;
  const { survey, headline } = report;
  const axis = headlineAxis(view, survey);
  const figure = (value: number) => f.score(survey.kind, value);
  const bands = (benchmark?.bands ?? []).map((b) => ({
    from: b.from,
    to: b.to,
    label: bandLabel(view, b),
    fromText: figure(b.from),
    toText: figure(b.to),
  }));
  const gaugeDescription = [
    headline.value === null
      ? m.score.none
      : fill(m.score.gaugeDescription, {
          value: f.score(survey.kind, headline.value),
          low: headline.low === null ? '–' : figure(headline.low),
          high: headline.high === null ? '–' : figure(headline.high),
          min: figure(axis.min),
          max: figure(axis.max),
        }),
    bands.length
      ? fill(m.score.gaugeBands, {
          bands: bands
            .map((b) => fill(m.score.band, { label: b.label, from: figure(b.from), to: figure(b.to) }))
            .join('; '),
        })
      : '',
  ]
    .filter(Boolean)
    .join(' ');
  const gauge = scoreGauge({
    id: 'score-gauge',
    title: m.score.gaugeTitle,
    description: gaugeDescription,
    dataTableLabel: m.dataTable,
    scale: axis,
    value: headline.value,
    ...(headline.low !== null && { low: headline.low }),
    ...(headline.high !== null && { high: headline.high }),
    valueText: f.score(survey.kind, headline.value),
    intervalText: f.margin(survey.kind, headline.margin),
    ...(headline.low !== null && { lowText: figure(headline.low) }),
    ...(headline.high !== null && { highText: figure(headline.high) }),
    scoreLabel: m.score.row,
    bands,
    columns: { label: m.score.label, value: m.score.value, from: m.score.from, to: m.score.to },
  });
  const rate =
    report.responseRate === null
      ? ''
      : fill(m.score.rate, {
          rate: f.percent(report.responseRate, 1),
          responses: f.number(report.answers.responses, 0),
          delivered: f.number(report.delivered, 0),
        });
  const margin =
    headline.margin === null
      ? fill(m.score.noMargin, { n: f.number(headline.n, 0) })
      : fill(m.score.margin, { margin: f.margin(survey.kind, headline.margin), n: f.number(headline.n, 0) });
  const scoreBlock =
    headline.value === null
      ? html`<p>${m.score.none}</p>`
      : html`<p class="big" id="score-value">${f.score(survey.kind, headline.value)}<small>${f.margin(survey.kind, headline.margin)}</small></p>
<p>${margin}${survey.kind === 'nps' ? '' : html` · ${fill(m.score.meanOn, { min: String(survey.scale.min), max: String(survey.scale.max) })}`}</p>
${headline.satisfiedShare !== undefined && headline.satisfiedShare !== null ? html`<p>${fill(m.score.satisfied, { share: f.percent(headline.satisfiedShare, 1) })}</p>` : ''}`;
  return html`<section class="card" aria-labelledby="score-h">
<h2 id="score-h">${m.score.heading}</h2>
<p class="muted">${m.score.allAnswers}</p>
${scoreBlock}
${rate ? html`<p>${rate}</p>` : ''}
${gauge}
${benchmark ? html`<p class="muted">${fill(m.score.source, { source: benchmark.source })}</p>` : ''}
</section>`;
}

export function distributionCard(view: View, report: SurveyReport): SafeHtml {
  const { m, f } = view;
  const { survey, answers } = report;
  const total = answers.responses;
  const bars: DistributionBar[] = [];
  for (let score = survey.scale.min; score <= survey.scale.max; score++) {
    const count = answers.distribution[score] ?? 0;
    const share = total > 0 ? count / total : 0;
    bars.push({
      key: String(score),
      label: f.number(score, 0),
      count,
      countText: f.number(count, 0),
      share,
      shareText: f.percent(share, 0),
      segment: segmentOf(survey.kind, survey.scale, score),
    });
  }
  const segments = [...segmentsOf(survey.kind)].reverse();
  const parts = segments.map((segment) => {
    const count = bars.filter((b) => b.segment === segment).reduce((n, b) => n + b.count, 0);
    return fill(m.distribution.part, {
      count: f.number(count, 0),
      segment: m.segments[segment].toLowerCase(),
      share: f.percent(total > 0 ? count / total : 0, 0),
    });
  });
  return html`<section class="card" aria-labelledby="dist-h">
<h2 id="dist-h">${m.distribution.heading}</h2>
${distributionChart({
  id: 'distribution',
  title: m.distribution.title,
  description: fill(m.distribution.description, { n: f.number(total, 0), parts: parts.join(', ') }),
  dataTableLabel: m.dataTable,
  bars,
  legend: segments.map((segment) => ({ segment, name: m.segments[segment] })),
  columns: {
    label: m.distribution.score,
    segment: m.distribution.segment,
    count: m.distribution.count,
    share: m.distribution.share,
  },
})}
</section>`;
}
