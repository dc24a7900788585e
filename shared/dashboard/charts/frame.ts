/**
 * What every chart shares: a <figure> with a visible caption, the SVG named by its <title> and
 * <desc>, an optional legend, and the numbers as a table in a <details>. The table's cells carry
 * the raw numbers in `data-value` (the display text is the caller's), so a test or a script can
 * read back exactly what was drawn and compare it with the JSON API.
 */
import { html, type SafeHtml } from '../../pages/html.ts';
import { isFiniteNumber, type Padding } from './axis.ts';

export interface ChartText {
  /** Unique on the page ([a-z0-9-]); element ids derive from it. */
  id: string;
  title: string;
  description: string;
  /** The <summary> that opens the data table, e.g. "Show the numbers". */
  dataTableLabel: string;
}

const idPattern = /^[a-z0-9-]+$/;

/** Ids become element ids and `href="#…"` targets; anything else is a caller's mistake. */
export function checkId(id: string): void {
  if (!idPattern.test(id)) throw new Error(`A chart id is [a-z0-9-]+, not ${JSON.stringify(id)}`);
}

/** A number as a `data-value`: its shortest exact form, or empty when there is none. */
export const rawNumber = (v: number | null | undefined): string => (isFiniteNumber(v) ? String(v) : '');

export interface Cell {
  col: string;
  text: string;
  /** A numeric column's raw value (null: no value); omitted for text columns. */
  value?: number | null;
  /** Further raw numbers, e.g. an interval's ends: `data-low`, `data-high`. */
  extra?: Record<string, number | undefined>;
}

export interface Row {
  key: string;
  label: string;
  cells: readonly Cell[];
}

const cell = (c: Cell): SafeHtml => {
  const value = c.value === undefined ? '' : html` data-value="${rawNumber(c.value)}"`;
  const extra = Object.entries(c.extra ?? {}).map(([name, v]) =>
    isFiniteNumber(v) ? html` data-${name}="${String(v)}"` : '',
  );
  return html`<td data-col="${c.col}"${value}${extra}>${c.text}</td>`;
};

export function dataTable(summary: string, headers: readonly string[], rows: readonly Row[]): SafeHtml {
  return html`<details class="chart-data"><summary>${summary}</summary><table><thead><tr>${headers.map(
    (h) => html`<th scope="col">${h}</th>`,
  )}</tr></thead><tbody>${rows.map(
    (r) => html`<tr data-key="${r.key}"><th scope="row">${r.label}</th>${r.cells.map(cell)}</tr>`,
  )}</tbody></table></details>`;
}

export interface LegendItem {
  swatch: SafeHtml;
  text: string;
}

export const legend = (items: readonly LegendItem[]): SafeHtml =>
  items.length === 0
    ? html``
    : html`<ul class="legend">${items.map((i) => html`<li>${i.swatch}${i.text}</li>`)}</ul>`;

export interface Figure {
  kind: string;
  text: ChartText;
  padding: Padding;
  height: number;
  /** The SVG's drawing, after its <title> and <desc>. */
  body: SafeHtml;
  /** Legend and other HTML between the SVG and the table. */
  after?: SafeHtml | string;
  table: SafeHtml;
}

export function figure(f: Figure): SafeHtml {
  const { id, title, description } = f.text;
  return html`<figure class="chart" data-chart="${f.kind}" id="${id}"><figcaption>${title}</figcaption><svg class="${f.padding.cls ? `plot ${f.padding.cls}` : 'plot'}" width="100%" height="${f.height}" role="img" aria-labelledby="${id}-title ${id}-desc"><title id="${id}-title">${title}</title><desc id="${id}-desc">${description}</desc>${f.body}</svg>${f.after}${f.table}</figure>`;
}

/** A <g> of the given class around its children; nothing when there are none. */
export function group(cls: string, children: readonly (SafeHtml | string)[]): SafeHtml | string {
  return children.some((c) => c !== '') ? html`<g class="${cls}">${children}</g>` : '';
}
