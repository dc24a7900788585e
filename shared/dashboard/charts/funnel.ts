/**
 * Response rate as a funnel: selected → sent → delivered → responded as horizontal bars on a
 * light track (so the drop from one step to the next shows), each with its count and its share of
 * the first step; what fell out beside the funnel (bounced, unsubscribed, complained, failed,
 * suppressed, automated clicks) as a compact list under the bars. Everything is in the table.
 */
import { html, type SafeHtml } from '../../pages/html.ts';
import { endText, isFiniteNumber, n2, noPadding, pct, plotWidthAtNarrow } from './axis.ts';
import { type ChartText, checkId, dataTable, figure, group } from './frame.ts';
import { textWidth, wrapText } from './measure.ts';

export interface FunnelStep {
  key: string;
  label: string;
  count: number;
  countText: string;
  /** Share of the first step, as the API gives it. */
  share: number;
  shareText: string;
}

export interface FunnelSide {
  key: string;
  label: string;
  count: number;
  countText: string;
}

export interface FunnelInput extends ChartText {
  steps: readonly FunnelStep[];
  side: readonly FunnelSide[];
  columns: { step: string; count: string; share: string };
}

const lineHeight = 17;
const barHeight = 22;

export function funnelChart(input: FunnelInput): SafeHtml {
  checkId(input.id);
  const padding = noPadding;
  const plotPx = plotWidthAtNarrow(padding);
  const counts = input.steps.map((s) => (isFiniteNumber(s.count) && s.count > 0 ? s.count : 0));
  const most = Math.max(0, ...counts);

  let top = 0;
  const tracks: SafeHtml[] = [];
  const bars: SafeHtml[] = [];
  const texts: SafeHtml[] = [];
  input.steps.forEach((s, i) => {
    const lines = wrapText(s.label, plotPx, 13, 2);
    texts.push(
      html`<text class="lg" y="${top + 13}">${lines.map((l, k) => html`<tspan x="0"${k === 0 ? '' : html` dy="${lineHeight}"`}>${l}</tspan>`)}</text>`,
    );
    const barTop = top + lines.length * lineHeight + 3;
    const f = most > 0 ? (counts[i] ?? 0) / most : 0;
    tracks.push(html`<rect x="0" y="${barTop}" width="100%" height="${barHeight}"/>`);
    bars.push(html`<rect x="0" y="${barTop}" width="${pct(f)}" height="${barHeight}"/>`);
    const numbers = `${s.countText} · ${s.shareText}`;
    const at = endText(0, f, f, f, textWidth(numbers, 12, true), plotPx);
    const ty = n2(barTop + barHeight / 2 + 4);
    texts.push(
      at.inside
        ? html`<text class="in" x="${at.x}" dx="${at.dx}" y="${ty}" text-anchor="${at.anchor}">${numbers}</text>`
        : html`<text x="${at.x}" dx="${at.dx}" y="${ty}"><tspan font-weight="600">${s.countText}</tspan><tspan class="mu"> · ${s.shareText}</tspan></text>`,
    );
    top = barTop + barHeight + 14;
  });

  const body = html`${group('trk', tracks)}${group('da', bars)}${texts}`;
  const side =
    input.side.length === 0
      ? ''
      : html`<ul class="side">${input.side.map((s) => html`<li>${s.label} <b>${s.countText}</b></li>`)}</ul>`;
  const table = dataTable(
    input.dataTableLabel,
    [input.columns.step, input.columns.count, input.columns.share],
    [
      ...input.steps.map((s) => ({
        key: s.key,
        label: s.label,
        cells: [
          { col: 'count', text: s.countText, value: s.count },
          { col: 'share', text: s.shareText, value: s.share },
        ],
      })),
      ...input.side.map((s) => ({
        key: s.key,
        label: s.label,
        cells: [
          { col: 'count', text: s.countText, value: s.count },
          { col: 'share', text: '', value: null },
        ],
      })),
    ],
  );
  return figure({
    kind: 'funnel',
    text: input,
    padding,
    height: Math.max(top - 6, 1),
    body,
    after: side,
    table,
  });
}
