/** A dashboard error, as a page in the reader's language; a 5xx never shows its cause. */
import { fill } from '../i18n/format.ts';
import { html } from '../pages/html.ts';
import { renderDashboardPage, type View } from './layout.ts';

export const dashboardErrorStatuses = [400, 403, 404, 409, 413, 429, 500, 503] as const;
export type DashboardErrorStatus = (typeof dashboardErrorStatuses)[number];

export function renderDashboardErrorPage(view: View, status: DashboardErrorStatus, detail?: string): string {
  const { m } = view;
  const { title, text } = m.errors[status];
  const main = html`<h1>${title}</h1>
<div class="card">
<p>${text}</p>
${detail && status < 500 ? html`<p class="muted">${fill(m.errors.detail, { detail })}</p>` : ''}
${view.csrf ? html`<p><a href="/admin">${m.errors.back}</a></p>` : ''}
</div>`;
  return renderDashboardPage(view, { title, main });
}
