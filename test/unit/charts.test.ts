import { describe, expect, it } from 'vitest';
import { type DistributionInput, distributionChart } from '../../shared/dashboard/charts/distribution.ts';
import { type FunnelInput, funnelChart } from '../../shared/dashboard/charts/funnel.ts';
import { type GaugeInput, scoreGauge } from '../../shared/dashboard/charts/gauge.ts';
import { textWidth, wrapText } from '../../shared/dashboard/charts/measure.ts';
import {
  inkColour,
  mutedColour,
  segmentColours,
  seriesColour,
} from '../../shared/dashboard/charts/palette.ts';
import { type SegmentInput, segmentChart } from '../../shared/dashboard/charts/segments.ts';
import { sparkline } from '../../shared/dashboard/charts/sparkline.ts';
import { chartCss } from '../../shared/dashboard/charts/style.ts';
import { type TrendInput, type TrendPoint, trendChart } from '../../shared/dashboard/charts/trend.ts';
import { contrast } from '../../shared/pages/colour.ts';
import { escapeHtml } from '../../shared/pages/html.ts';
import type { Segment } from '../../shared/scoring.ts';

// ---- Reading the markup back. Every attribute value the builders write is escaped, so a tag never
// holds a raw `"` or `>` inside a value and a regular expression reads it reliably.

interface Tag {
  name: string;
  attrs: Record<string, string>;
}

const attrsOf = (s: string): Record<string, string> =>
  Object.fromEntries([...s.matchAll(/([\w:-]+)(?:="([^"]*)")?/g)].map((m) => [m[1] as string, m[2] ?? '']));

function tags(markup: string, name?: string): Tag[] {
  return [...markup.matchAll(/<([a-zA-Z][\w-]*)((?:\s+[\w:-]+(?:="[^"]*")?)*)\s*\/?>/g)]
    .map((m) => ({ name: m[1] as string, attrs: attrsOf(m[2] ?? '') }))
    .filter((t) => name === undefined || t.name === name);
}

const unescapeHtml = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/** The text of the first element `<name …>…</name>` that has the given attributes. */
function textOf(markup: string, name: string, attrs = ''): string | undefined {
  const m = markup.match(new RegExp(`<${name}${attrs}[^>]*>([\\s\\S]*?)</${name}>`));
  return m ? unescapeHtml((m[1] ?? '').replace(/<[^>]+>/g, '')) : undefined;
}

/** The chart's own <svg> (the legend's swatches come after it). */
const plotOf = (markup: string) => markup.slice(markup.indexOf('<svg'), markup.indexOf('</svg>') + 6);

/** The children of the first `<g class="…">` in the plot. */
function groupOf(markup: string, cls: string): Tag[] {
  const plot = plotOf(markup);
  const start = plot.indexOf(`<g class="${cls}"`);
  if (start < 0) return [];
  const end = plot.indexOf('</g>', start);
  return tags(plot.slice(start, end)).slice(1);
}

interface TableCell {
  col: string;
  value: string | undefined;
  text: string;
  attrs: Record<string, string>;
}

function tableOf(markup: string) {
  const details = markup.slice(markup.indexOf('<details class="chart-data">'));
  const headers = [...details.matchAll(/<th scope="col">([\s\S]*?)<\/th>/g)].map((m) =>
    unescapeHtml(m[1] ?? ''),
  );
  const rows = [
    ...details.matchAll(/<tr data-key="([^"]*)"><th scope="row">([\s\S]*?)<\/th>([\s\S]*?)<\/tr>/g),
  ].map((m) => ({
    key: unescapeHtml(m[1] ?? ''),
    label: unescapeHtml(m[2] ?? ''),
    cells: [...(m[3] ?? '').matchAll(/<td([^>]*)>([\s\S]*?)<\/td>/g)].map((c): TableCell => {
      const attrs = attrsOf(c[1] ?? '');
      return {
        col: attrs['data-col'] ?? '',
        value: attrs['data-value'],
        text: unescapeHtml(c[2] ?? ''),
        attrs,
      };
    }),
  }));
  return { summary: textOf(details, 'summary'), headers, rows };
}

const cellOf = (row: { cells: TableCell[] } | undefined, col: string): TableCell => {
  const cell = row?.cells.find((c) => c.col === col);
  if (!cell) throw new Error(`no ${col} cell`);
  return cell;
};

/** A data-value read back as a number (null when empty). */
const numberOf = (cell: TableCell): number | null => (cell.value === '' ? null : Number(cell.value));

const pct = (v: string | undefined): number => {
  if (v === undefined || !v.endsWith('%')) throw new Error(`not a percentage: ${v}`);
  return Number(v.slice(0, -1));
};

/** Structure every figure shares, and what must never appear in any chart. */
function expectFigure(
  markup: string,
  kind: string,
  text: { id: string; title: string; description: string },
) {
  expect(markup.startsWith(`<figure class="chart" data-chart="${kind}" id="${text.id}">`)).toBe(true);
  expect(markup.endsWith('</figure>')).toBe(true);
  expect(textOf(markup, 'figcaption')).toBe(text.title);
  const svg = tags(markup, 'svg')[0];
  expect(svg?.attrs.role).toBe('img');
  expect(svg?.attrs.width).toBe('100%');
  expect(Number(svg?.attrs.height)).toBeGreaterThan(0);
  const ids = (svg?.attrs['aria-labelledby'] ?? '').split(' ');
  expect(ids).toEqual([`${text.id}-title`, `${text.id}-desc`]);
  for (const id of ids) expect(markup.split(`id="${id}"`).length - 1).toBe(1);
  expect(textOf(markup, 'title', ` id="${text.id}-title"`)).toBe(text.title);
  expect(textOf(markup, 'desc', ` id="${text.id}-desc"`)).toBe(text.description);
  expect(markup).toContain('<details class="chart-data"><summary>');
  expectClean(markup);
}

function expectClean(markup: string) {
  expect(markup).not.toMatch(/NaN|undefined|Infinity|null|\[object/);
  expect(markup).not.toMatch(/\sstyle=/i);
  // Only the builders' own elements and attributes: nothing a text could have smuggled in.
  const own = new Set([
    'figure',
    'figcaption',
    'svg',
    'title',
    'desc',
    'defs',
    'path',
    'use',
    'g',
    'rect',
    'line',
    'circle',
    'text',
    'tspan',
    'ul',
    'li',
    'span',
    'b',
    'details',
    'summary',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
  ]);
  for (const t of tags(markup)) {
    expect(own.has(t.name), t.name).toBe(true);
    for (const name of Object.keys(t.attrs)) expect(name).not.toMatch(/^on|^style$|^src$/i);
  }
  // Element ids are unique.
  const ids = tags(markup)
    .map((t) => t.attrs.id)
    .filter((id) => id !== undefined);
  expect(new Set(ids).size).toBe(ids.length);
  // Horizontal positions are percentages of the plot, all within it.
  for (const t of tags(markup))
    for (const [name, value] of Object.entries(t.attrs))
      if (/^-?[\d.]+%$/.test(value) && name !== 'width') {
        expect(Number(value.slice(0, -1)), `${t.name} ${name}`).toBeGreaterThanOrEqual(0);
        expect(Number(value.slice(0, -1)), `${t.name} ${name}`).toBeLessThanOrEqual(100);
      } else if (name === 'width' && value.endsWith('%')) {
        expect(pct(value)).toBeGreaterThanOrEqual(0);
        expect(pct(value)).toBeLessThanOrEqual(100);
      }
}

// ---- Inputs

const text = (id: string) => ({
  id,
  title: `Title of ${id}`,
  description: `Description of ${id}.`,
  dataTableLabel: 'Show the numbers',
});

const npsScale = {
  min: -100,
  max: 100,
  ticks: [-100, -50, 0, 50, 100].map((value) => ({ value, text: value > 0 ? `+${value}` : String(value) })),
};

const npsSegment = (score: number): Segment =>
  score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';

function distribution(counts: number[], over: Partial<DistributionInput> = {}): DistributionInput {
  const total = counts.reduce((a, b) => a + b, 0);
  return {
    ...text('dist'),
    bars: counts.map((count, score) => ({
      key: String(score),
      label: String(score),
      count,
      countText: String(count),
      share: total > 0 ? count / total : 0,
      shareText: `${total > 0 ? Math.round((100 * count) / total) : 0} %`,
      segment: npsSegment(score),
    })),
    legend: [
      { segment: 'promoter', name: 'Promoters' },
      { segment: 'passive', name: 'Passives' },
      { segment: 'detractor', name: 'Detractors' },
    ],
    columns: { label: 'Score', segment: 'Segment', count: 'Answers', share: 'Share' },
    ...over,
  };
}

const npsCounts = [4, 2, 3, 5, 6, 12, 18, 35, 52, 61, 44];

function point(i: number, value: number | null, over: Partial<TrendPoint> = {}): TrendPoint {
  return {
    key: `w${i}`,
    label: `Wave ${i}`,
    value,
    ...(value !== null && {
      low: Math.round((value - 5.1) * 10) / 10,
      high: Math.round((value + 5.1) * 10) / 10,
      margin: 5.1,
    }),
    valueText: value === null ? '–' : `+${value}`,
    intervalText: value === null ? '' : '±5.1',
    n: value === null ? 0 : 100 + i,
    nText: value === null ? '0' : String(100 + i),
    significant: false,
    ...over,
  };
}

function trend(points: TrendPoint[], over: Partial<TrendInput> = {}): TrendInput {
  return {
    ...text('trend'),
    scale: npsScale,
    bands: [
      { from: 0, to: 30, label: 'a good NPS' },
      { from: 50, to: 70, label: 'excellent' },
    ],
    points,
    markLabel: 'Significant change',
    intervalLabel: '95 % interval',
    columns: {
      label: 'Wave',
      value: 'NPS',
      interval: 'Margin',
      n: 'n',
      change: 'Change',
      significant: 'Significant',
    },
    yes: 'yes',
    no: 'no',
    ...over,
  };
}

const eightWaves = (): TrendPoint[] =>
  [12.5, 18.2, 16.9, 31.4, 29.8, null, 22.1, 35.6].map((v, i, all) => {
    const prev = all.slice(0, i).findLast((p) => p !== null);
    const change = v !== null && prev !== undefined && prev !== null ? v - prev : undefined;
    return point(i + 1, v, {
      ...(change !== undefined && { change, changeText: change.toFixed(1) }),
      significant: i === 3 || i === 6,
    });
  });

function funnel(counts: number[], over: Partial<FunnelInput> = {}): FunnelInput {
  const names = ['selected', 'sent', 'delivered', 'responded'];
  return {
    ...text('funnel'),
    steps: counts.map((count, i) => ({
      key: names[i] ?? `s${i}`,
      label: names[i] ?? `Step ${i}`,
      count,
      countText: String(count),
      share: (counts[0] ?? 0) > 0 ? count / (counts[0] ?? 1) : 0,
      shareText: `${(counts[0] ?? 0) > 0 ? Math.round((100 * count) / (counts[0] ?? 1)) : 0} %`,
    })),
    side: [
      { key: 'bounced', label: 'Bounced', count: 22, countText: '22' },
      { key: 'automated', label: 'Automated clicks', count: 0, countText: '0' },
    ],
    columns: { step: 'Step', count: 'Count', share: 'Share of selected' },
    ...over,
  };
}

function segments(values: (number | null)[], over: Partial<SegmentInput> = {}): SegmentInput {
  return {
    ...text('seg'),
    scale: { ...npsScale, origin: 0 },
    rows: values.map((value, i) => ({
      key: `r${i}`,
      label: `Plan ${i}`,
      value,
      ...(value !== null && { low: value - 10, high: value + 10, margin: 10 }),
      valueText: value === null ? 'no answers' : String(value),
      intervalText: value === null ? '' : '±10',
      n: value === null ? 0 : 50 + i,
      nText: `n = ${value === null ? 0 : 50 + i}`,
    })),
    columns: { label: 'Plan', value: 'NPS', interval: 'Margin', n: 'n' },
    ...over,
  };
}

function gauge(over: Partial<GaugeInput> = {}): GaugeInput {
  return {
    ...text('gauge'),
    scale: npsScale,
    value: 31.2,
    low: 26.1,
    high: 36.3,
    valueText: '+31.2',
    intervalText: '±5.1',
    bands: [
      { from: 0, to: 30, label: 'a good NPS' },
      { from: 50, to: 70, label: 'companies that invest heavily in customer experience' },
    ],
    columns: { label: 'Name', from: 'From', to: 'To' },
    ...over,
  };
}

const xss = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>'];
const long = `${'Small and medium-sized businesses in the public sector '.repeat(8)}Supercalifragilisticexpialidocious${'x'.repeat(120)}`;

// ---- Tests

describe('distributionChart', () => {
  it('draws one column per score, coloured by segment, with the table of raw numbers', () => {
    const input = distribution(npsCounts);
    const out = distributionChart(input).html;
    expectFigure(out, 'distribution', input);
    const rects = tags(plotOf(out), 'rect');
    expect(rects.map((r) => r.attrs.class)).toEqual(npsCounts.map((_, s) => `seg-${npsSegment(s)}`));
    // Heights are proportional to the counts; the tallest reaches the full 120 px; all stand on one line.
    const heights = rects.map((r) => Number(r.attrs.height));
    expect(heights[9]).toBe(120);
    expect(heights[7]).toBeCloseTo((35 / 61) * 120, 1);
    expect((heights[8] ?? 0) / (heights[1] ?? 1)).toBeCloseTo(52 / 2, 1);
    const bases = new Set(rects.map((r) => Math.round((Number(r.attrs.y) + Number(r.attrs.height)) * 10)));
    expect(bases.size).toBe(1);
    // Equal widths, left to right.
    expect(new Set(rects.map((r) => r.attrs.width)).size).toBe(1);
    const xs = rects.map((r) => pct(r.attrs.x));
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
    // Counts above the columns, scores below.
    for (const c of npsCounts) expect(out).toContain(`>${c}</text>`);

    const table = tableOf(out);
    expect(table.summary).toBe('Show the numbers');
    expect(table.headers).toEqual(['Score', 'Segment', 'Answers', 'Share']);
    expect(table.rows.map((r) => r.key)).toEqual(input.bars.map((b) => b.key));
    table.rows.forEach((row, i) => {
      const bar = input.bars[i];
      expect(row.label).toBe(bar?.label);
      expect(cellOf(row, 'segment').text).toBe(
        { promoter: 'Promoters', passive: 'Passives', detractor: 'Detractors' }[npsSegment(i) as string],
      );
      expect(cellOf(row, 'segment').value).toBeUndefined();
      expect(numberOf(cellOf(row, 'count'))).toBe(bar?.count);
      expect(numberOf(cellOf(row, 'share'))).toBe(bar?.share);
      expect(cellOf(row, 'share').text).toBe(bar?.shareText);
    });
  });

  it('names each segment in a legend with its colour class', () => {
    const out = distributionChart(distribution(npsCounts)).html;
    const legend = out.slice(out.indexOf('<ul class="legend">'), out.indexOf('</ul>'));
    expect(legend).toContain('<span class="sw seg-promoter"></span>Promoters');
    expect(legend).toContain('<span class="sw seg-passive"></span>Passives');
    expect(legend).toContain('<span class="sw seg-detractor"></span>Detractors');
  });

  it('draws zero-height columns for an all-zero distribution, and a single score', () => {
    const zeros = distributionChart(distribution([0, 0, 0, 0, 0])).html;
    expectFigure(zeros, 'distribution', text('dist'));
    expect(tags(plotOf(zeros), 'rect').map((r) => r.attrs.height)).toEqual(['0', '0', '0', '0', '0']);
    expect(tableOf(zeros).rows.map((r) => numberOf(cellOf(r, 'count')))).toEqual([0, 0, 0, 0, 0]);

    const one = distributionChart(distribution([7])).html;
    expectFigure(one, 'distribution', text('dist'));
    const [rect] = tags(plotOf(one), 'rect');
    expect(rect?.attrs.height).toBe('120');
    expect(pct(rect?.attrs.x) + pct(rect?.attrs.width) / 2).toBeCloseTo(50, 1);
  });

  it('staggers counts that are wider than their column on a phone', () => {
    const out = distributionChart(distribution(npsCounts.map((c) => c * 100_000))).html;
    const ys = tags(plotOf(out), 'text')
      .filter((t) => /^\d{6,}$/.test(out.split(`y="${t.attrs.y}">`)[1]?.split('<')[0] ?? ''))
      .map((t) => Number(t.attrs.y));
    expect(ys.length).toBe(11);
    const rects = tags(plotOf(out), 'rect');
    // Neighbours sit at different distances above their columns.
    const gaps = ys.map((y, i) => Number(rects[i]?.attrs.y) - y);
    expect(new Set(gaps.map((g) => Math.round(g))).size).toBe(2);
    expect(gaps[0]).not.toBeCloseTo(gaps[1] ?? 0, 0);
  });
});

describe('trendChart', () => {
  it('draws points on the scale with error bars, lines broken at a gap, and the table', () => {
    const input = trend(eightWaves());
    const out = trendChart(input).html;
    expectFigure(out, 'trend', input);
    const dots = groupOf(out, 'pt');
    expect(dots).toHaveLength(7); // one wave has no value
    // y is linear in the value: 216 px at −100, 28 px at +100.
    const cy = (v: number) => 216 - ((v + 100) / 200) * 188;
    expect(Number(dots[0]?.attrs.cy)).toBeCloseTo(cy(12.5), 1);
    expect(Number(dots[6]?.attrs.cy)).toBeCloseTo(cy(35.6), 1);
    // x: slot centres of 8 points.
    expect(dots.map((d) => pct(d.attrs.cx))).toEqual([6.25, 18.75, 31.25, 43.75, 56.25, 81.25, 93.75]);
    // Lines join neighbours that both have values: 1–2, 2–3, 3–4, 4–5, 7–8; none across wave 6.
    const lines = groupOf(out, 'ln');
    expect(lines.map((l) => [pct(l.attrs.x1), pct(l.attrs.x2)])).toEqual([
      [6.25, 18.75],
      [18.75, 31.25],
      [31.25, 43.75],
      [43.75, 56.25],
      [81.25, 93.75],
    ]);
    const bars = groupOf(out, 'eb');
    expect(bars).toHaveLength(7);
    expect(Number(bars[0]?.attrs.y1)).toBeCloseTo(cy(12.5 + 5.1), 1);
    expect(Number(bars[0]?.attrs.y2)).toBeCloseTo(cy(12.5 - 5.1), 1);
    // Gridlines at the ticks, their labels in the left padding.
    expect(groupOf(out, 'g').map((l) => Number(l.attrs.y1))).toEqual(
      [-100, -50, 0, 50, 100].map((v) => cy(v)),
    );
    expect(out).toContain('>+100</text>');

    const table = tableOf(out);
    expect(table.headers).toEqual(['Wave', 'NPS', 'Margin', 'n', 'Change', 'Significant']);
    expect(table.rows.map((r) => r.key)).toEqual(input.points.map((p) => p.key));
    table.rows.forEach((row, i) => {
      const p = input.points[i] as TrendPoint;
      expect(row.label).toBe(p.label);
      expect(numberOf(cellOf(row, 'value'))).toBe(p.value);
      expect(numberOf(cellOf(row, 'interval'))).toBe(p.margin ?? null);
      expect(cellOf(row, 'interval').attrs['data-low']).toBe(p.low === undefined ? undefined : String(p.low));
      expect(cellOf(row, 'interval').attrs['data-high']).toBe(
        p.high === undefined ? undefined : String(p.high),
      );
      expect(numberOf(cellOf(row, 'n'))).toBe(p.n);
      expect(numberOf(cellOf(row, 'change'))).toBe(p.change ?? null);
      expect(cellOf(row, 'significant').value).toBe(p.significant ? '1' : '0');
      expect(cellOf(row, 'significant').text).toBe(p.significant ? 'yes' : 'no');
    });
  });

  it('rings significant changes, with ▲ or ▼ by direction, and explains marks and error bars', () => {
    const out = trendChart(trend(eightWaves())).html;
    const rings = groupOf(out, 'sig');
    expect(rings.map((r) => pct(r.attrs.cx))).toEqual([43.75, 81.25]);
    const glyphs = groupOf(out, 'gl');
    expect(glyphs.map((g) => [g.attrs.href, pct(g.attrs.x)])).toEqual([
      ['#trend-up', 43.75], // 16.9 → 31.4
      ['#trend-dn', 81.25], // 29.8 → 22.1
    ]);
    expect(out.split('id="trend-up"').length - 1).toBe(1);
    const legend = out.slice(out.indexOf('<ul class="legend">'));
    expect(legend).toContain('Significant change</li>');
    expect(legend).toContain('95 % interval</li>');

    const calm = trendChart(trend(eightWaves().map((p) => ({ ...p, significant: false })))).html;
    expect(groupOf(calm, 'sig')).toHaveLength(0);
    expect(calm).not.toContain('Significant change</li>');
    expect(calm).not.toContain('<defs>');
  });

  it('shades and labels the bands, clipped to the scale', () => {
    const out = trendChart(
      trend(eightWaves(), { bands: [{ from: 50, to: 250, label: 'above fifty' }] }),
    ).html;
    const [band] = groupOf(out, 'band');
    expect(Number(band?.attrs.y)).toBe(28);
    expect(Number(band?.attrs.height)).toBeCloseTo(216 - ((50 + 100) / 200) * 188 - 28, 1);
    expect(out).toContain('>above fifty</text>');
  });

  it('clips values outside the scale when drawing, keeping them raw in the table', () => {
    const out = trendChart(trend([point(1, 150), point(2, -130), point(3, 20)])).html;
    const dots = groupOf(out, 'pt');
    expect(dots.map((d) => Number(d.attrs.cy))).toEqual([28, 216, 216 - (120 / 200) * 188]);
    const bars = groupOf(out, 'eb');
    expect(bars[0]?.attrs.y1).toBe('28');
    expect(bars[0]?.attrs.y2).toBe('28');
    expect(tableOf(out).rows.map((r) => numberOf(cellOf(r, 'value')))).toEqual([150, -130, 20]);
    expect(tableOf(out).rows.map((r) => cellOf(r, 'interval').attrs['data-high'])).toEqual([
      '155.1',
      '-124.9',
      '25.1',
    ]);
  });

  it('draws one point, and a series of nulls, without NaN', () => {
    const one = trendChart(trend([point(1, 40, { significant: true, change: 3 })])).html;
    expectFigure(one, 'trend', text('trend'));
    expect(groupOf(one, 'pt').map((d) => d.attrs.cx)).toEqual(['50%']);
    expect(groupOf(one, 'ln')).toHaveLength(0);

    const none = trendChart(trend([point(1, null), point(2, null)], { bands: [] })).html;
    expectFigure(none, 'trend', text('trend'));
    expect(groupOf(none, 'pt')).toHaveLength(0);
    expect(tableOf(none).rows.map((r) => cellOf(r, 'value').value)).toEqual(['', '']);
    expect(tableOf(none).rows.map((r) => cellOf(r, 'interval').value)).toEqual(['', '']);
    expect(tableOf(none).rows.map((r) => cellOf(r, 'change').value)).toEqual(['', '']);

    const empty = trendChart(trend([])).html;
    expectFigure(empty, 'trend', text('trend'));
  });

  it('thins out x labels so none overlap at 280 px, always keeping the last', () => {
    const points = Array.from({ length: 30 }, (_, i) =>
      point(i, 10 + (i % 7), { label: `week of ${i + 1} March` }),
    );
    const out = trendChart(trend(points)).html;
    const plot = plotOf(out);
    const xGroup = plot.slice(plot.lastIndexOf('<g class="mu" text-anchor="middle">'));
    const labels = [...xGroup.matchAll(/<text x="([\d.]+)%" y="\d+">([^<]*)<\/text>/g)].map((m) => ({
      x: Number(m[1]),
      text: m[2] ?? '',
    }));
    expect(labels.length).toBeGreaterThan(1);
    expect(labels.length).toBeLessThan(10);
    expect(labels.at(-1)?.text).toBe('week of 30 March');
    const plotPx = 280 - 40 - 16; // the "pa" padding
    for (let i = 1; i < labels.length; i++) {
      const a = labels[i - 1] as { x: number; text: string };
      const b = labels[i] as { x: number; text: string };
      const gap = ((b.x - a.x) / 100) * plotPx - textWidth(a.text, 12) / 2 - textWidth(b.text, 12) / 2;
      expect(gap).toBeGreaterThanOrEqual(6);
    }
    // Eight short labels all fit.
    const short = trendChart(trend(eightWaves().map((p, i) => ({ ...p, label: `W${i + 1}` })))).html;
    expect(short.match(/>W\d<\/text>/g)).toHaveLength(8);
  });

  it('stays small with 12 points, bands and marks (the table is over half of it)', () => {
    const points = Array.from({ length: 12 }, (_, i) =>
      point(i + 1, Math.round((10 + i * 2.37) * 10) / 10, {
        change: 2.4,
        changeText: '+2.4',
        significant: i % 5 === 4,
      }),
    );
    const out = trendChart(trend(points)).html;
    expect(Buffer.byteLength(out)).toBeLessThan(8 * 1024);
    expect(Buffer.byteLength(plotOf(out))).toBeLessThan(3.5 * 1024);
  });
});

describe('sparkline', () => {
  it('is a small labelled image with gaps at nulls and the last value marked', () => {
    const out = sparkline({
      label: 'NPS by wave: 10, 20, none, 30, 40',
      values: [10, 20, null, 30, 40],
      min: 0,
      max: 50,
    }).html;
    expectClean(out);
    const [svg] = tags(out, 'svg');
    expect(svg?.attrs).toMatchObject({
      class: 'spark',
      width: '96',
      height: '28',
      viewBox: '0 0 96 28',
      role: 'img',
      'aria-label': 'NPS by wave: 10, 20, none, 30, 40',
    });
    expect(textOf(out, 'title')).toBe('NPS by wave: 10, 20, none, 30, 40');
    expect(out).not.toContain('<figure');
    const d = tags(out, 'path')[0]?.attrs.d ?? '';
    // Two runs, 3 + 45 px apart: x = 3 + i × 22.5; y = 3 + (1 − v/50) × 22.
    expect(d).toBe('M3 20.6L25.5 16.2M70.5 11.8L93 7.4');
    const end = tags(out, 'circle').find((c) => c.attrs.class === 'end');
    expect(end?.attrs).toMatchObject({ cx: '93', cy: '7.4' });
  });

  it('dots a lone value, clips to min–max, takes a size, and survives all nulls or none', () => {
    const out = sparkline({
      label: 'x',
      values: [5, null, 200, -40],
      min: 0,
      max: 100,
      width: 120,
      height: 40,
    }).html;
    expectClean(out);
    expect(tags(out, 'svg')[0]?.attrs.viewBox).toBe('0 0 120 40');
    const dots = tags(out, 'circle');
    expect(dots[0]?.attrs).toMatchObject({ cx: '3', r: '1.5' }); // the lone 5
    expect(tags(out, 'path')[0]?.attrs.d).toBe('M79 3L117 37'); // x = 3 + 38i; 200 → top, −40 → bottom
    expect(dots.at(-1)?.attrs).toMatchObject({ class: 'end', cx: '117', cy: '37' });
    for (const values of [[], [null, null], [7]] as (number | null)[][]) {
      const s = sparkline({ label: 'empty', values, min: 0, max: 10 }).html;
      expectClean(s);
      expect(s).toContain('role="img"');
    }
    expect(sparkline({ label: 'one', values: [7], min: 0, max: 10 }).html).toContain('class="end" cx="48"');
  });
});

describe('funnelChart', () => {
  it('draws steps as bars proportional to their counts, the side counts in a list, all in the table', () => {
    const input = funnel([1200, 1180, 1150, 242]);
    const out = funnelChart(input).html;
    expectFigure(out, 'funnel', input);
    const bars = groupOf(out, 'da');
    expect(bars.map((b) => pct(b.attrs.width))).toEqual([100, 98.33, 95.83, 20.17]);
    expect(groupOf(out, 'trk').every((t) => t.attrs.width === '100%')).toBe(true);
    expect(out).toContain(
      '<ul class="side"><li>Bounced <b>22</b></li><li>Automated clicks <b>0</b></li></ul>',
    );
    const table = tableOf(out);
    expect(table.headers).toEqual(['Step', 'Count', 'Share of selected']);
    expect(table.rows.map((r) => r.key)).toEqual([
      'selected',
      'sent',
      'delivered',
      'responded',
      'bounced',
      'automated',
    ]);
    expect(table.rows.map((r) => numberOf(cellOf(r, 'count')))).toEqual([1200, 1180, 1150, 242, 22, 0]);
    expect(table.rows.map((r) => numberOf(cellOf(r, 'share')))).toEqual([
      ...input.steps.map((s) => s.share),
      null,
      null,
    ]);
  });

  it('writes the numbers inside a long bar and beyond a short one', () => {
    const out = funnelChart(funnel([1200, 100])).html;
    expect(out).toMatch(
      /<text class="in" x="100%" dx="-5" y="[\d.]+" text-anchor="end">1200 · 100 %<\/text>/,
    );
    expect(out).toMatch(/<text x="8.33%" dx="5" y="[\d.]+"><tspan font-weight="600">100<\/tspan>/);
  });

  it('draws zero counts and no side list without NaN', () => {
    const out = funnelChart(funnel([0, 0, 0, 0], { side: [] })).html;
    expectFigure(out, 'funnel', text('funnel'));
    expect(groupOf(out, 'da').map((b) => b.attrs.width)).toEqual(['0%', '0%', '0%', '0%']);
    expect(out).not.toContain('class="side"');
  });
});

describe('segmentChart', () => {
  it('draws bars from zero with whiskers, the value at the end, n beside the name', () => {
    const input = segments([40, -60, null, 10]);
    const out = segmentChart(input).html;
    expectFigure(out, 'segments', input);
    const bars = groupOf(out, 'da');
    // 0 is at 50 %; 40 → 50–70 %, −60 → 20–50 %, 10 → 50–55 %.
    expect(bars.map((b) => [pct(b.attrs.x), pct(b.attrs.width)])).toEqual([
      [50, 20],
      [20, 30],
      [50, 5],
    ]);
    expect(pct(bars[0]?.attrs.width) / pct(bars[1]?.attrs.width)).toBeCloseTo(40 / 60, 5);
    const origin = tags(plotOf(out), 'line').find((l) => l.attrs.class === 'ax');
    expect(origin?.attrs.x1).toBe('50%');
    // Whiskers: one line across and two caps per row with an interval.
    const whiskers = groupOf(out, 'br');
    expect(whiskers).toHaveLength(9);
    expect([pct(whiskers[0]?.attrs.x1), pct(whiskers[0]?.attrs.x2)]).toEqual([65, 75]);
    expect(out).toContain('Plan 0</tspan><tspan class="mu"> · n = 50</tspan>');
    expect(out).toMatch(/>-60<\/text>/);
    expect(out).toContain('>no answers</text>');

    const table = tableOf(out);
    expect(table.headers).toEqual(['Plan', 'NPS', 'Margin', 'n']);
    table.rows.forEach((row, i) => {
      const r = input.rows[i];
      expect(row.key).toBe(r?.key);
      expect(numberOf(cellOf(row, 'value'))).toBe(r?.value);
      expect(numberOf(cellOf(row, 'interval'))).toBe(r?.margin ?? null);
      expect(numberOf(cellOf(row, 'n'))).toBe(r?.n);
    });
  });

  it('starts mean bars at the scale minimum and clips values beyond the scale', () => {
    const means = segmentChart(
      segments([4.5, 2], {
        scale: { min: 1, max: 5, ticks: [1, 2, 3, 4, 5].map((v) => ({ value: v, text: String(v) })) },
      }),
    ).html;
    const bars = groupOf(means, 'da');
    expect(bars.map((b) => [pct(b.attrs.x), pct(b.attrs.width)])).toEqual([
      [0, 87.5],
      [0, 25],
    ]);

    const clipped = segmentChart(segments([130, -250])).html;
    expect(groupOf(clipped, 'da').map((b) => [pct(b.attrs.x), pct(b.attrs.width)])).toEqual([
      [50, 50],
      [0, 50],
    ]);
    expect(tableOf(clipped).rows.map((r) => numberOf(cellOf(r, 'value')))).toEqual([130, -250]);
  });

  it('wraps a long name onto at most three lines, ending in an ellipsis', () => {
    const input = segments([20]);
    const out = segmentChart({
      ...input,
      rows: [{ ...(input.rows[0] as SegmentInput['rows'][number]), label: long }],
    }).html;
    expectFigure(out, 'segments', input);
    const label = out.slice(out.indexOf('<g class="lg h">'));
    const lines = [...label.matchAll(/<tspan x="0"(?: dy="17")?>([^<]*)<\/tspan>/g)].map((m) => m[1] ?? '');
    expect(lines.length).toBe(3);
    expect(lines[2]?.endsWith('…')).toBe(true);
    for (const line of lines) expect(textWidth(line, 13)).toBeLessThanOrEqual(280 - 32);
    expect(tableOf(out).rows[0]?.label).toBe(long);
  });
});

describe('scoreGauge', () => {
  it('marks the score and its interval on the track, shades and labels the bands', () => {
    const input = gauge();
    const out = scoreGauge(input).html;
    expectFigure(out, 'gauge', input);
    const marker = tags(plotOf(out), 'line').find((l) => l.attrs.class === 'mk');
    expect(pct(marker?.attrs.x1)).toBeCloseTo(65.6, 5);
    const bracket = groupOf(out, 'br');
    expect([pct(bracket[0]?.attrs.x1), pct(bracket[0]?.attrs.x2)]).toEqual([63.05, 68.15]);
    const bands = groupOf(out, 'band');
    expect(bands.map((b) => [pct(b.attrs.x), pct(b.attrs.width)])).toEqual([
      [50, 15],
      [75, 10],
    ]);
    expect(out).toContain('>a good NPS</tspan>');
    expect(out).toContain('<tspan class="vb">+31.2</tspan><tspan class="mu"> ±5.1</tspan>');

    const table = tableOf(out);
    expect(table.headers).toEqual(['Name', 'From', 'To']);
    expect(
      table.rows.map((r) => [r.key, r.label, numberOf(cellOf(r, 'from')), numberOf(cellOf(r, 'to'))]),
    ).toEqual([
      ['score', '+31.2', 26.1, 36.3],
      ['band-1', 'a good NPS', 0, 30],
      ['band-2', 'companies that invest heavily in customer experience', 50, 70],
    ]);
  });

  it('adds a value column and texts when asked, and clips the marker to the scale', () => {
    const out = scoreGauge(
      gauge({
        value: 120,
        low: 110,
        high: 130,
        scoreLabel: 'Score',
        lowText: '+110.0',
        highText: '+130.0',
        bands: [{ from: 0, to: 30, label: 'good', fromText: '0', toText: '+30' }],
        columns: { label: 'Name', value: 'Value', from: 'From', to: 'To' },
      }),
    ).html;
    expectClean(out);
    expect(tags(plotOf(out), 'line').find((l) => l.attrs.class === 'mk')?.attrs.x1).toBe('100%');
    const table = tableOf(out);
    expect(table.headers).toEqual(['Name', 'Value', 'From', 'To']);
    expect(table.rows[0]?.label).toBe('Score');
    expect(table.rows[0]?.cells.map((c) => [c.col, c.value, c.text])).toEqual([
      ['value', '120', '+31.2'],
      ['from', '110', '+110.0'],
      ['to', '130', '+130.0'],
    ]);
    expect(table.rows[1]?.cells.map((c) => [c.col, c.value, c.text])).toEqual([
      ['value', '', ''],
      ['from', '0', '0'],
      ['to', '30', '+30'],
    ]);
  });

  it('shows no marker without a score, and no band rows without bands', () => {
    const out = scoreGauge(
      gauge({
        value: null,
        low: undefined,
        high: undefined,
        valueText: 'No answers yet',
        intervalText: '',
        bands: [],
      }),
    ).html;
    expectFigure(out, 'gauge', text('gauge'));
    expect(out).not.toContain('class="mk"');
    expect(out).toContain('>No answers yet</text>');
    expect(tableOf(out).rows.map((r) => r.cells.map((c) => c.value))).toEqual([['', '']]);
  });

  it('puts band labels that would collide on a phone on separate rows', () => {
    const out = scoreGauge(
      gauge({
        bands: [
          { from: 0, to: 30, label: 'a good NPS for most companies' },
          { from: 30, to: 50, label: 'better than most in the industry' },
        ],
      }),
    ).html;
    const ys = [...out.matchAll(/<text y="(\d+)" text-anchor="middle"><tspan/g)].map((m) => Number(m[1]));
    expect(ys).toHaveLength(2);
    expect(ys[0]).not.toBe(ys[1]);
  });
});

describe('every chart', () => {
  const builders: [string, (payload: string) => string][] = [
    [
      'distribution',
      (x) =>
        distributionChart({
          ...distribution([1, 2]),
          title: x,
          description: x,
          dataTableLabel: x,
          bars: distribution([1, 2]).bars.map((b) => ({
            ...b,
            key: x,
            label: x,
            countText: x,
            shareText: x,
          })),
          legend: [{ segment: 'promoter', name: x }],
          columns: { label: x, segment: x, count: x, share: x },
        }).html,
    ],
    [
      'trend',
      (x) =>
        trendChart({
          ...trend([
            point(1, 5, {
              key: x,
              label: x,
              valueText: x,
              intervalText: x,
              nText: x,
              changeText: x,
              change: 1,
              significant: true,
            }),
          ]),
          title: x,
          description: x,
          dataTableLabel: x,
          bands: [{ from: 0, to: 30, label: x }],
          markLabel: x,
          intervalLabel: x,
          columns: { label: x, value: x, interval: x, n: x, change: x, significant: x },
          yes: x,
          no: x,
        }).html,
    ],
    ['sparkline', (x) => sparkline({ label: x, values: [1, 2], min: 0, max: 3 }).html],
    [
      'funnel',
      (x) =>
        funnelChart({
          ...funnel([10, 5]),
          title: x,
          description: x,
          dataTableLabel: x,
          steps: funnel([10, 5]).steps.map((s) => ({ ...s, key: x, label: x, countText: x, shareText: x })),
          side: [{ key: x, label: x, count: 1, countText: x }],
          columns: { step: x, count: x, share: x },
        }).html,
    ],
    [
      'segments',
      (x) =>
        segmentChart({
          ...segments([10, null]),
          title: x,
          description: x,
          dataTableLabel: x,
          scale: { ...npsScale, ticks: [{ value: 0, text: x }] },
          rows: segments([10, null]).rows.map((r) => ({
            ...r,
            key: x,
            label: x,
            valueText: x,
            intervalText: x,
            nText: x,
          })),
          columns: { label: x, value: x, interval: x, n: x },
        }).html,
    ],
    [
      'gauge',
      (x) =>
        scoreGauge({
          ...gauge(),
          title: x,
          description: x,
          dataTableLabel: x,
          valueText: x,
          intervalText: x,
          scoreLabel: x,
          lowText: x,
          highText: x,
          bands: [{ from: 0, to: 30, label: x, fromText: x, toText: x }],
          columns: { label: x, value: x, from: x, to: x },
        }).html,
    ],
  ];

  for (const [name, build] of builders) {
    it(`${name}: escapes markup in every text it is given`, () => {
      for (const payload of xss) {
        const out = build(payload);
        expectClean(out);
        expect(out).not.toContain(payload);
        expect(out).toContain(escapeHtml(payload));
      }
    });

    it(`${name}: survives very long texts`, () => {
      const out = build(long);
      expectClean(out);
      expect(Buffer.byteLength(out)).toBeLessThan(20_000);
    });
  }

  it('refuses an id that is not [a-z0-9-]', () => {
    expect(() => distributionChart({ ...distribution([1]), id: 'a"b' })).toThrow(/\[a-z0-9-\]/);
    expect(() => trendChart(trend([], { id: 'Trend' }))).toThrow();
    expect(() => funnelChart(funnel([1], { id: '' }))).toThrow();
    expect(() => segmentChart(segments([1], { id: 'x y' }))).toThrow();
    expect(() => scoreGauge(gauge({ id: '#g' }))).toThrow();
  });

  it('ignores non-finite numbers as if they were missing', () => {
    const odd = (i: number, v: number) =>
      point(i, v, { valueText: '?', low: v, high: v, margin: v, change: v });
    const out = trendChart(trend([odd(1, Number.NaN), odd(2, Number.POSITIVE_INFINITY), point(3, 4)])).html;
    expectClean(out);
    expect(groupOf(out, 'pt')).toHaveLength(1);
    expect(tableOf(out).rows.map((r) => cellOf(r, 'value').value)).toEqual(['', '', '4']);
    const dist = distribution([Number.NaN, 3]);
    const bars = dist.bars.map((b) => ({ ...b, countText: '?', shareText: '?', share: Number.NaN }));
    const distOut = distributionChart({ ...dist, bars }).html;
    expectClean(distOut);
    expect(tags(plotOf(distOut), 'rect').map((r) => r.attrs.height)).toEqual(['0', '120']);
    const seg = segments([Number.NaN]);
    const segOut = segmentChart({
      ...seg,
      rows: seg.rows.map((r) => ({ ...r, valueText: '?', nText: '?' })),
    }).html;
    expectClean(segOut);
    expect(groupOf(segOut, 'da')).toHaveLength(0);
    expectClean(scoreGauge(gauge({ value: Number.NaN })).html);
  });

  it('keeps each chart of a survey page small', () => {
    const sizes = [
      distributionChart(distribution(npsCounts)).html,
      funnelChart(funnel([1200, 1180, 1150, 242])).html,
      segmentChart(segments([40, -60, null, 10, 22, 31])).html,
      scoreGauge(gauge()).html,
    ].map((h) => Buffer.byteLength(h));
    for (const size of sizes) expect(size).toBeLessThan(6 * 1024);
  });
});

describe('palette and stylesheet', () => {
  const segmentsAll: Segment[] = ['promoter', 'passive', 'detractor', 'high', 'neutral', 'low'];

  it('gives every segment a colour with at least 3:1 against white, as a class', () => {
    for (const s of segmentsAll) {
      const colour = segmentColours[s];
      expect(contrast(colour, '#ffffff'), s).toBeGreaterThanOrEqual(3);
      const rule = chartCss.match(new RegExp(`[^}]*\\.seg-${s}[,{][^}]*}`))?.[0] ?? '';
      expect(rule, s).toContain(`fill:${colour}`);
      expect(rule, s).toContain(`background:${colour}`);
    }
    // The three NPS segments are three different colours.
    expect(new Set([segmentColours.promoter, segmentColours.passive, segmentColours.detractor]).size).toBe(3);
    expect(contrast(seriesColour, '#ffffff')).toBeGreaterThanOrEqual(3);
    expect(contrast(inkColour, '#ffffff')).toBeGreaterThanOrEqual(4.5);
    expect(contrast(mutedColour, '#ffffff')).toBeGreaterThanOrEqual(4.5);
  });

  it('is compact and keeps bars visible in forced colours', () => {
    expect(chartCss.length).toBeLessThan(3 * 1024);
    const forced = chartCss.slice(chartCss.indexOf('@media (forced-colors:active)'));
    expect(forced.length).toBeGreaterThan(30);
    expect(forced).toMatch(
      /\.chart \[class\^=seg-\][^{]*\{fill:CanvasText\}|[^{]*\[class\^=seg-\]\{fill:CanvasText\}/,
    );
    expect(forced).toMatch(/\.chart \.da[,{][^}]*fill:CanvasText/);
    expect(chartCss).not.toMatch(/url\(|@import/);
  });
});

describe('text measure', () => {
  it('wraps at spaces, breaks over-long words, and ends a cut text in an ellipsis', () => {
    expect(wrapText('one two three', 1000, 12, 3)).toEqual(['one two three']);
    const lines = wrapText('aaaa bbbb cccc dddd', textWidth('aaaa bbbb', 12), 12, 5);
    expect(lines).toEqual(['aaaa bbbb', 'cccc dddd']);
    const broken = wrapText('x'.repeat(100), 60, 12, 20);
    expect(broken.join('')).toBe('x'.repeat(100));
    for (const l of broken) expect(textWidth(l, 12)).toBeLessThanOrEqual(60);
    const cut = wrapText('word '.repeat(50), 60, 12, 2);
    expect(cut).toHaveLength(2);
    expect(cut[1]?.endsWith('…')).toBe(true);
    expect(wrapText('', 60, 12, 2)).toEqual(['']);
  });

  it('measures wide scripts wider than Latin', () => {
    expect(textWidth('顧客満足', 12)).toBeGreaterThan(textWidth('abcd', 12));
    expect(textWidth('abc', 12, true)).toBeGreaterThan(textWidth('abc', 12));
  });
});
