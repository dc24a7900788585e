/**
 * The frame of an email to the team (the digest, alert emails): the invitation's frame
 * (shared/email/html-part.ts) — a grey page, one white card of at most 560 px, nested tables and
 * inline styles only, since mail clients strip <style> and Outlook lays out with Word — with a body
 * and a footer of the caller's.
 */
import { html, raw, type SafeHtml } from '../pages/html.ts';

export const font =
  "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,'PingFang SC','Microsoft YaHei',sans-serif";
/** 7.7:1 on white, 7.1:1 on the grey page background. */
export const muted = '#52525b';
export const ink = '#18181b';
export const rule = '#e4e4e7';

export interface FrameInput {
  locale: string;
  dir: 'ltr' | 'rtl';
  /** The document's title and the article's accessible name. */
  subject: string;
  /** Shown by inboxes beside the subject (~100 characters), hidden in the message. */
  preheader: string;
  /** The card's top border. */
  accent: string;
  body: SafeHtml;
  footer: SafeHtml;
}

/** Preview text hidden from the message itself, in every way a client may honour. */
const preheader = (text: string): SafeHtml =>
  html`<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;font-size:1px;line-height:1px;color:#f4f4f5">${text.replace(/\s+/g, ' ').slice(0, 150)}</div>`;

// role=article names the message for screen readers in webmail, where the <html> and <title> are gone.
export function emailFrame(input: FrameInput): string {
  const { locale, dir, subject } = input;
  return html`<!doctype html>
<html lang="${locale}" dir="${dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<meta name="color-scheme" content="light">
<meta name="supported-color-schemes" content="light">
<title>${subject}</title>
</head>
<body style="margin:0;padding:0;background:#f4f4f5;-webkit-text-size-adjust:100%">
${preheader(input.preheader)}
<div role="article" aria-roledescription="email" aria-label="${subject}" lang="${locale}" dir="${dir}">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#f4f4f5" style="background:#f4f4f5"><tr><td align="center" style="padding:24px 8px">
<!--[if mso]><table role="presentation" width="560" cellpadding="0" cellspacing="0" border="0"><tr><td><![endif]-->
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#ffffff" style="max-width:560px;background:#ffffff;border-top:4px solid ${input.accent};border-radius:8px">
<tr><td style="padding:24px 20px;font:15px/22px ${raw(font)};color:${ink}">${input.body}</td></tr>
<tr><td style="padding:16px 20px 24px;border-top:1px solid ${rule};font:13px/20px ${raw(font)};color:${muted}">${input.footer}</td></tr>
</table>
<!--[if mso]></td></tr></table><![endif]-->
</td></tr></table>
</div>
</body>
</html>
`.html;
}
