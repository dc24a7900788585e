/** The document every public page shares: language, direction, styles, one <main>, no other host. */
import { directionOf } from '../i18n/messages.ts';
import type { Locale } from '../locales.ts';
import type { Palette } from './colour.ts';
import { html, raw, type SafeHtml } from './html.ts';
import { accentCss, baseCss } from './style.ts';

export interface PageShell {
  locale: Locale;
  title: string;
  /** Shown above <main>: the company's name, in place of a logo that would live on another host. */
  brand?: string;
  palette?: Palette;
  /** The request's CSP nonce; needed for the accent colours and for any script. */
  nonce?: string;
  main: SafeHtml;
  /** An enhancement script's source; emitted only with a nonce. */
  script?: string;
}

export function renderPage(page: PageShell): string {
  const accent = page.palette && page.nonce ? accentCss(page.palette) : undefined;
  return html`<!doctype html>
<html lang="${page.locale}" dir="${directionOf(page.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex,nofollow">
<title>${page.title}</title>
<link rel="icon" href="data:,">
<style>${raw(baseCss)}</style>
${accent ? html`<style nonce="${page.nonce}">${raw(accent)}</style>` : ''}
</head>
<body>
${page.brand ? html`<header class="top"><p>${page.brand}</p></header>` : ''}
<main>
${page.main}
</main>
${page.script && page.nonce ? html`<script nonce="${page.nonce}">${raw(page.script)}</script>` : ''}
</body>
</html>
`.html;
}
