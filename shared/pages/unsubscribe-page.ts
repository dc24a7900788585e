/**
 * Unsubscribing. The GET page only asks: mail scanners fetch every link, so a GET must never
 * unsubscribe. The button POSTs, as does a mail client's RFC 8058 one-click request.
 */
import { fill } from '../i18n/format.ts';
import { messages } from '../i18n/messages.ts';
import type { Locale } from '../locales.ts';
import { html } from './html.ts';
import { renderPage } from './layout.ts';

export interface UnsubscribePageInput {
  locale: Locale;
  /** Where the button posts: /u/<token>. */
  action: string;
  companyName: string;
}

const companyOr = (name: string, locale: Locale): string => name.trim() || messages(locale).defaultCompany;

export function renderUnsubscribePage({ locale, action, companyName }: UnsubscribePageInput): string {
  const m = messages(locale).unsubscribe;
  const company = companyOr(companyName, locale);
  const main = html`<h1>${m.title}</h1>
<p>${fill(m.text, { company })}</p>
<form method="post" action="${action}"><button type="submit">${m.button}</button></form>`;
  return renderPage({ locale, title: m.title, brand: company, main });
}

export function renderUnsubscribedPage({
  locale,
  companyName,
}: Omit<UnsubscribePageInput, 'action'>): string {
  const m = messages(locale).unsubscribed;
  const company = companyOr(companyName, locale);
  const main = html`<h1>${m.title}</h1>
<p>${fill(m.text, { company })}</p>`;
  return renderPage({ locale, title: m.title, brand: company, main });
}
