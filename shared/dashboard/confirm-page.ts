/**
 * A confirmation step before something that cannot be taken back (a wave's emails, an erasure):
 * a page with one form, so it works without JavaScript and nothing happens on a mere GET.
 */
import { html } from '../pages/html.ts';
import { csrfField, type NavItem, renderDashboardPage, type View } from './layout.ts';

export interface ConfirmPageInput {
  title: string;
  text: string;
  /** Where the confirming form posts. */
  action: string;
  confirm: string;
  /** Where "cancel" goes back to. */
  cancelHref: string;
  cancel: string;
  danger?: boolean;
  current?: NavItem;
  /** The form's one-time key, where a second post of it must do nothing (shared/once.ts). */
  once?: string;
}

export function renderConfirmPage(view: View, input: ConfirmPageInput): string {
  const main = html`<h1>${input.title}</h1>
<div class="card">
<p>${input.text}</p>
<form method="post" action="${input.action}" class="actions">
${csrfField(view)}
${input.once ? html`<input type="hidden" name="once" value="${input.once}">` : ''}
<button type="submit"${input.danger ? html` class="danger"` : ''}>${input.confirm}</button>
<a href="${input.cancelHref}">${input.cancel}</a>
</form>
</div>`;
  return renderDashboardPage(view, {
    title: input.title,
    main,
    ...(input.current && { current: input.current }),
  });
}
