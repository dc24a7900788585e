/** A clear page for every way a public request can fail, with the matching status; never a stack trace. */
import type { ErrorStatus } from '../i18n/catalogue.ts';
import { fill, formatNumber } from '../i18n/format.ts';
import { messages } from '../i18n/messages.ts';
import type { Locale } from '../locales.ts';
import { maxCommentLength } from './comment-field.ts';
import { html } from './html.ts';
import { renderPage } from './layout.ts';

export interface ErrorPageInput {
  status: ErrorStatus;
  locale: Locale;
  /** One more sentence for the reader, already in their language; never an internal error message. */
  detail?: string;
}

export function renderErrorPage({ status, locale, detail }: ErrorPageInput): string {
  const m = messages(locale);
  const { title, text } = m.errors[status];
  const main = html`<h1>${title}</h1>
<p>${fill(text, { max: formatNumber(maxCommentLength, locale) })}</p>
${detail ? html`<p>${detail}</p>` : ''}
<p class="muted">${fill(m.errorCode, { status: String(status) })}</p>`;
  return renderPage({ locale, title, main });
}
