/**
 * The document every dashboard page shares: language, the stylesheet (allowed by hash), the bar with
 * the way around and sign-out (a POST with the session's CSRF token), one <main>, and an optional
 * enhancement script carrying the request's nonce.
 */
import { fill } from '../i18n/format.ts';
import { directionOf } from '../i18n/messages.ts';
import type { Locale } from '../locales.ts';
import { html, raw, type SafeHtml } from '../pages/html.ts';
import { type Formatter, formatterFor } from './format.ts';
import type { DashboardMessages } from './i18n/en.ts';
import { dashboardMessages } from './i18n/messages.ts';
import { dashboardCss } from './style.ts';

/** What every view needs to know about the request it answers. */
export interface View {
  locale: Locale;
  m: DashboardMessages;
  f: Formatter;
  /** The request's CSP nonce. */
  nonce: string;
  /** The session's CSRF token, for every form that changes something; absent when signed out. */
  csrf?: string;
}

export const viewFor = (locale: Locale, nonce: string, csrf?: string): View => ({
  locale,
  m: dashboardMessages(locale),
  f: formatterFor(locale),
  nonce,
  ...(csrf !== undefined && { csrf }),
});

export type NavItem = 'surveys' | 'followups' | 'contacts';

export interface PageInput {
  title: string;
  main: SafeHtml;
  /** Which part of the bar is the current page's. */
  current?: NavItem;
  /** An enhancement script; the page works without it. */
  script?: string;
}

/** A form's hidden CSRF field. */
export const csrfField = (view: View): SafeHtml =>
  view.csrf ? html`<input type="hidden" name="csrf" value="${view.csrf}">` : html``;

function bar(view: View, current: NavItem | undefined): SafeHtml {
  const { m } = view;
  const link = (item: NavItem, href: string, text: string) =>
    html`<a href="${href}"${item === current ? raw(' aria-current="page"') : ''}>${text}</a>`;
  return html`<header class="bar"><nav aria-label="${m.nav.label}">
<a class="brand" href="/admin">${m.product}</a>
${
  view.csrf
    ? html`${link('surveys', '/admin', m.nav.surveys)}
${link('followups', '/admin/followups', m.nav.followUps)}
${link('contacts', '/admin/contacts', m.nav.contacts)}
<form method="post" action="/admin/sign-out">${csrfField(view)}<button type="submit" class="ghost">${m.nav.signOut}</button></form>`
    : ''
}
</nav></header>`;
}

export function renderDashboardPage(view: View, page: PageInput): string {
  return html`<!doctype html>
<html lang="${view.locale}" dir="${directionOf(view.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex,nofollow">
<title>${fill(view.m.pageTitle, { page: page.title })}</title>
<link rel="icon" href="data:,">
<style>${raw(dashboardCss)}</style>
</head>
<body>
<a class="skip" href="#main">${view.m.skip}</a>
${bar(view, page.current)}
<main id="main">
${page.main}
</main>
${page.script ? html`<script nonce="${view.nonce}">${raw(page.script)}</script>` : ''}
</body>
</html>
`.html;
}
