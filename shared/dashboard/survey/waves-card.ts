/**
 * Each wave's funnel: selected → sent → delivered → answered, with bounced, unsubscribed, complained,
 * failed, suppressed and automated clicks beside it. The newest waves (or the one asked for) as
 * charts; every wave in a table below, whose rows open that wave's funnel.
 */
import { fill } from '../../i18n/format.ts';
import { html, type SafeHtml } from '../../pages/html.ts';
import type { SurveyReport, WaveRow } from '../../report/survey-report.ts';
import { rollingWaveId } from '../../wave/rolling.ts';
import { funnelChart } from '../charts/funnel.ts';
import type { View } from '../layout.ts';

const funnelsShown = 3;

/** A rolling wave by what it gathers; any other by the day it started. */
function waveName(view: View, row: WaveRow, timeZone: string, titled: boolean): string {
  if (row.rolling) {
    return row.wave.id === rollingWaveId('link', row.wave.surveyId)
      ? view.m.waves.link
      : view.m.waves.triggered;
  }
  const date = view.f.date(row.wave.startedAt, timeZone);
  return titled ? fill(view.m.waves.funnelTitle, { date }) : date;
}

function funnel(view: View, row: WaveRow, timeZone: string, index: number): SafeHtml {
  const { m, f } = view;
  const c = row.counts;
  const selected = c.selected;
  const share = (n: number) => (selected > 0 ? n / selected : 0);
  const steps = [
    { key: 'selected', label: m.waves.selected, count: selected },
    { key: 'sent', label: m.waves.sent, count: c.sent },
    { key: 'delivered', label: m.waves.delivered, count: row.delivered },
    { key: 'responded', label: m.waves.responded, count: c.responded },
  ].map((s) => ({
    ...s,
    countText: f.number(s.count, 0),
    share: share(s.count),
    shareText: f.percent(share(s.count), 0),
  }));
  const side = (['bounced', 'unsubscribed', 'complained', 'failed', 'suppressed', 'automated'] as const).map(
    (key) => ({ key, label: m.waves[key], count: c[key] ?? 0, countText: f.number(c[key] ?? 0, 0) }),
  );
  return funnelChart({
    id: `funnel-${index}`,
    title: waveName(view, row, timeZone, true),
    description: fill(m.waves.funnelDescription, {
      selected: f.number(selected, 0),
      sent: f.number(c.sent, 0),
      delivered: f.number(row.delivered, 0),
      responded: f.number(c.responded, 0),
      rate: f.percent(row.responseRate, 0),
    }),
    dataTableLabel: m.dataTable,
    steps,
    side,
    columns: { step: m.waves.step, count: m.waves.count, share: m.waves.share },
  });
}

export interface WavesCardInput {
  report: SurveyReport;
  /** A wave whose funnel was asked for (`?funnel=`). */
  chosen?: string;
  /** The page's URL with `funnel` set. */
  hrefFor: (waveId: string) => string;
}

export function wavesCard(view: View, input: WavesCardInput): SafeHtml {
  const { m, f } = view;
  const { survey } = input.report;
  const newestFirst = [...input.report.waves].reverse();
  if (newestFirst.length === 0) {
    return html`<section class="card" id="waves" aria-labelledby="waves-h"><h2 id="waves-h">${m.waves.heading}</h2><p>${m.waves.none}</p></section>`;
  }
  const chosen = newestFirst.find((row) => row.wave.id === input.chosen);
  // Waves that emailed someone: a wave whose audience was all surveyed recently selects nobody.
  const charted = chosen
    ? [chosen]
    : newestFirst.filter((row) => row.counts.selected > 0).slice(0, funnelsShown);
  const rows = newestFirst.map((row) => {
    const c = row.counts;
    const name = waveName(view, row, survey.timezone, false);
    const cells = [c.selected, c.sent, row.delivered, c.responded].map(
      (n) => html`<td class="num">${f.number(n, 0)}</td>`,
    );
    return html`<tr data-wave="${row.wave.id}">
<th scope="row"><a href="${input.hrefFor(row.wave.id)}#waves">${name}</a></th>
<td><span class="badge st-${row.wave.status}">${m.waveStatus[row.wave.status]}</span></td>
${cells}
<td class="num">${f.percent(row.responseRate, 0)}</td>
<td class="num">${f.score(survey.kind, row.headline.value)}</td>
${(['bounced', 'unsubscribed', 'complained', 'failed', 'suppressed', 'automated'] as const).map((k) => html`<td class="num">${f.number(c[k] ?? 0, 0)}</td>`)}
</tr>`;
  });
  return html`<section class="card" id="waves" aria-labelledby="waves-h">
<h2 id="waves-h">${m.waves.heading}</h2>
<div class="grid three">${charted.map((row, i) => funnel(view, row, survey.timezone, i))}</div>
<p class="muted">${m.waves.automatedHelp}</p>
<h3>${m.waves.older}</h3>
<div class="scroll"><table class="waves">
<thead><tr><th scope="col">${m.waves.wave}</th><th scope="col">${m.waves.status}</th><th scope="col" class="num">${m.waves.selected}</th><th scope="col" class="num">${m.waves.sent}</th><th scope="col" class="num">${m.waves.delivered}</th><th scope="col" class="num">${m.waves.responded}</th><th scope="col" class="num">${m.waves.rate}</th><th scope="col" class="num">${m.waves.score}</th>${(['bounced', 'unsubscribed', 'complained', 'failed', 'suppressed', 'automated'] as const).map((k) => html`<th scope="col" class="num">${m.waves[k]}</th>`)}</tr></thead>
<tbody>${rows}</tbody>
</table></div>
</section>`;
}
