/**
 * The HTML part. Mail clients strip <style> blocks, scripts and web fonts, and Outlook lays out
 * with Word, so the layout is nested tables with inline styles and attributes only. The scale is one
 * row of small cells: 11 cells of ≥ 24 px fit a 320 px phone, and a single row reads as one scale.
 */
import { html, paragraphs, raw, type SafeHtml } from '../pages/html.ts';
import type { InvitationView } from './view.ts';

const font =
  "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,'PingFang SC','Microsoft YaHei',sans-serif";
const muted = '#52525b'; // 7.7:1 on white, 7.1:1 on the grey page background

/** Hidden from people in every way a client may honour (display, size, colour, mso-hide, AT, tab order). */
const honeypot = (url: string): SafeHtml =>
  html`<div style="display:none;max-height:0;max-width:0;overflow:hidden;mso-hide:all;font-size:1px;line-height:1px" aria-hidden="true"><a href="${url}" tabindex="-1" aria-hidden="true" style="display:none;width:1px;height:1px;font-size:1px;line-height:1px;color:transparent;text-decoration:none"></a></div>`;

/** Preview text shown by inboxes beside the subject, hidden in the message itself; inboxes show ~100 characters. */
const preheader = (text: string): SafeHtml =>
  html`<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;font-size:1px;line-height:1px;color:#f4f4f5">${text.replace(/\s+/g, ' ').slice(0, 150)}</div>`;

function scaleButtons(view: InvitationView): SafeHtml {
  const { fill, onFill } = view.palette;
  // Wide enough for comfortable buttons on short scales, capped by the card on NPS.
  const maxWidth = Math.max(view.scores.length * 56, 264);
  const cells = view.scores.map(
    (s) =>
      html`<td align="center" bgcolor="${fill}" style="background:${fill};border-radius:4px"><a href="${s.url}" aria-label="${s.label}" style="display:block;padding:11px 0;font:bold 16px/20px Arial,Helvetica,sans-serif;color:${onFill};text-decoration:none;text-align:center">${s.score}</a></td>`,
  );
  const start = view.dir === 'rtl' ? 'right' : 'left';
  const end = view.dir === 'rtl' ? 'left' : 'right';
  const label = (align: string, text: string) =>
    html`<td align="${align}" valign="top" style="padding:6px 3px 0;font:13px/18px ${raw(font)};color:${muted}">${text}</td>`;
  return html`<table role="presentation" width="100%" cellpadding="0" cellspacing="3" border="0" style="max-width:${maxWidth}px;margin:0 auto;table-layout:fixed"><tr>${cells}</tr></table>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:${maxWidth}px;margin:0 auto"><tr>${label(start, view.lowLabel)}${label(end, view.highLabel)}</tr></table>`;
}

function brand(view: InvitationView): SafeHtml {
  if (view.logoUrl) {
    return html`<img src="${view.logoUrl}" alt="${view.company}" height="40" style="display:block;height:40px;width:auto;max-width:200px;border:0;outline:none;text-decoration:none">`;
  }
  return html`<p style="margin:0;font:bold 18px/24px ${raw(font)};color:${view.palette.ink}">${view.company}</p>`;
}

// role=article names the message for screen readers in webmail, where the <html> and <title> are gone.
export function invitationHtml(view: InvitationView): string {
  const text = raw(`font:16px/24px ${font};color:#18181b`);
  const p = raw(' style="margin:0 0 12px"');
  return html`<!doctype html>
<html lang="${view.locale}" dir="${view.dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<meta name="color-scheme" content="light">
<meta name="supported-color-schemes" content="light">
<title>${view.subject}</title>
</head>
<body style="margin:0;padding:0;background:#f4f4f5;-webkit-text-size-adjust:100%">
${preheader(view.intro)}
${honeypot(view.honeypotUrl)}
<div role="article" aria-roledescription="email" aria-label="${view.subject}" lang="${view.locale}" dir="${view.dir}">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#f4f4f5" style="background:#f4f4f5"><tr><td align="center" style="padding:24px 8px">
<!--[if mso]><table role="presentation" width="560" cellpadding="0" cellspacing="0" border="0"><tr><td><![endif]-->
<table role="presentation" lang="${view.locale}" dir="${view.dir}" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#ffffff" style="max-width:560px;background:#ffffff;border-top:4px solid ${view.palette.fill};border-radius:8px">
<tr><td style="padding:24px 20px 0">${brand(view)}</td></tr>
<tr><td style="padding:20px 20px 0;${text}"><p${p}>${view.greeting}</p>${paragraphs(view.intro, p)}</td></tr>
<tr><td style="padding:4px 20px 12px"><h1 style="margin:0;font:bold 18px/26px ${raw(font)};color:#18181b">${view.question}</h1></td></tr>
<tr><td style="padding:0 10px 24px">${scaleButtons(view)}</td></tr>
<tr><td style="padding:16px 20px 24px;border-top:1px solid #e4e4e7;font:13px/20px ${raw(font)};color:${muted}">${view.footerReason} ${view.unsubscribeLead} <a href="${view.unsubscribeUrl}" style="color:${muted};text-decoration:underline">${view.unsubscribeText}</a></td></tr>
</table>
<!--[if mso]></td></tr></table><![endif]-->
</td></tr></table>
</div>
</body>
</html>
`.html;
}
