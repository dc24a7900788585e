/**
 * The alert email to a rule's addresses: one answer as a single alert, or a window's answers as one
 * summary (at most `summaryLimit` listed, then "and N more" with the dashboard). Every field is
 * someone's text, so the HTML goes through the escaping `html` template; the layout is the
 * invitation's (one column of tables, inline styles). Pure: the deliver function sends it.
 */
import { emailFrame, font, muted } from '../email/frame.ts';
import { oneLine } from '../email/headers.ts';
import { fill, formatDateTime } from '../i18n/format.ts';
import { directionOf } from '../i18n/messages.ts';
import type { Locale } from '../locales.ts';
import { paletteOf } from '../pages/colour.ts';
import { html, paragraphs, raw, type SafeHtml } from '../pages/html.ts';
import { type AlertMessages, alertMessages, alertTitle, contactText, scoreAndSegment } from './i18n.ts';
import type { AlertEventData } from './schema.ts';

export interface AlertEmailInput {
  locale: Locale;
  surveyName: string;
  ruleName?: string;
  /** The answers to show, newest or oldest first as the caller wants them listed. */
  events: AlertEventData[];
  /** How many answers matched in the window (may exceed `events`). */
  total: number;
  dashboardUrl: string;
  /** Zone of the times shown (the survey's); UTC when absent. */
  timeZone?: string;
}

export interface AlertEmail {
  subject: string;
  text: string;
  html: string;
}

/** Answers listed in a summary; the rest are counted and left to the dashboard. */
export const summaryLimit = 20;
const excerptLength = 200;

// The invitation's font stack and muted grey (shared/email/html-part.ts keeps them private for now).
const palette = paletteOf(undefined);

/** A comment on one line, cut at a character boundary (never inside a surrogate pair). */
function excerpt(comment: string): string {
  const flat = comment.replace(/\s+/g, ' ').trim();
  const chars = Array.from(flat);
  return chars.length <= excerptLength
    ? flat
    : `${chars
        .slice(0, excerptLength - 1)
        .join('')
        .trimEnd()}…`;
}

const commentOf = (event: AlertEventData): string => (event.comment ?? '').trim();

export function alertEmail(input: AlertEmailInput): AlertEmail {
  const m = alertMessages(input.locale);
  const first = input.events[0];
  const total = Math.max(input.total, input.events.length);
  return total === 1 && first ? singleAlert(m, input, first) : summary(m, input, total);
}

function singleAlert(m: AlertMessages, input: AlertEmailInput, event: AlertEventData): AlertEmail {
  const subject = oneLine(alertTitle(m, event));
  const answered = formatDateTime(event.respondedAt, input.locale, input.timeZone);
  const contact = contactText(event.contact) ?? m.anonymous;
  const comment = commentOf(event);
  const rows: [string, SafeHtml | string][] = [
    [m.score, scoreAndSegment(m, event.kind, event.score, event.segment)],
    [m.contact, contactHtml(m, event)],
    [m.survey, event.surveyName],
    [m.answered, answered],
  ];
  const body = html`<h1 style="margin:0 0 16px;font:bold 20px/28px ${raw(font)};color:#18181b">${subject}</h1>
<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 16px">${rows.map(
    ([label, value]) =>
      html`<tr><td valign="top" style="padding:2px 16px 2px 0;font:14px/22px ${raw(font)};color:${muted};white-space:nowrap">${label}</td><td valign="top" style="padding:2px 0;font:14px/22px ${raw(font)};color:#18181b;word-break:break-word">${value}</td></tr>`,
  )}</table>
${comment ? commentHtml(comment) : html`<p style="margin:0 0 16px;font-style:italic;color:${muted}">${m.noComment}</p>`}
${button(event.responseUrl, m.openAnswer)}`;
  const text = [
    subject,
    '',
    line(m, m.score, scoreAndSegment(m, event.kind, event.score, event.segment)),
    line(m, m.contact, contact),
    line(m, m.survey, event.surveyName),
    line(m, m.answered, answered),
    '',
    comment || m.noComment,
    '',
    line(m, m.openAnswer, event.responseUrl),
    ...footerText(m, input),
  ];
  return { subject, text: text.join('\n'), html: page(input, subject, body, m) };
}

function summary(m: AlertMessages, input: AlertEmailInput, total: number): AlertEmail {
  const n = String(total);
  const subject = oneLine(
    input.ruleName?.trim()
      ? fill(m.manyRule, { n, rule: input.ruleName.trim() })
      : fill(m.manySurvey, { n, survey: input.surveyName }),
  );
  const listed = input.events.slice(0, summaryLimit);
  const more = total - listed.length;
  const moreText = more > 0 ? fill(m.more, { n: String(more) }) : '';
  const items = listed.map((event) => {
    const comment = commentOf(event);
    const meta = html`${contactHtml(m, event)} · ${formatDateTime(event.respondedAt, input.locale, input.timeZone)}`;
    return html`<tr><td style="padding:12px 0;border-top:1px solid #e4e4e7;font:15px/22px ${raw(font)};color:#18181b;word-break:break-word">
<p style="margin:0;font-weight:bold">${scoreAndSegment(m, event.kind, event.score, event.segment)}</p>
<p style="margin:0;font-size:14px;color:${muted}">${meta}</p>
${comment ? html`<p style="margin:6px 0 0">${excerpt(comment)}</p>` : html`<p style="margin:6px 0 0;font-style:italic;color:${muted}">${m.noComment}</p>`}
<p style="margin:6px 0 0"><a href="${event.responseUrl}" style="color:${palette.ink};text-decoration:underline">${m.openAnswer}</a></p>
</td></tr>`;
  });
  const body = html`<h1 style="margin:0 0 16px;font:bold 20px/28px ${raw(font)};color:#18181b">${subject}</h1>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 16px;border-bottom:1px solid #e4e4e7">${items}</table>
${moreText ? html`<p style="margin:0 0 16px;font:15px/22px ${raw(font)};color:#18181b">${moreText}</p>` : ''}
${button(input.dashboardUrl, m.openDashboard)}`;
  const text = [
    subject,
    '',
    ...listed.flatMap((event, i) => {
      const comment = commentOf(event);
      const head = `${i + 1}. ${scoreAndSegment(m, event.kind, event.score, event.segment)} · ${contactText(event.contact) ?? m.anonymous}`;
      return [
        head,
        `   ${formatDateTime(event.respondedAt, input.locale, input.timeZone)}`,
        `   ${comment ? excerpt(comment) : m.noComment}`,
        `   ${line(m, m.openAnswer, event.responseUrl)}`,
        '',
      ];
    }),
    ...(moreText ? [moreText] : []),
    line(m, m.openDashboard, input.dashboardUrl),
    ...footerText(m, input),
  ];
  return { subject, text: text.join('\n'), html: page(input, subject, body, m) };
}

/** The name and a mailto: link to the address, so the reader can write back at once. */
function contactHtml(m: AlertMessages, event: AlertEventData): SafeHtml {
  const contact = event.contact;
  if (!contact) return html`${m.anonymous}`;
  const name = contact.name?.trim();
  const link = html`<a href="mailto:${contact.email}" style="color:${palette.ink};text-decoration:underline">${contact.email}</a>`;
  return name ? html`${name} (${link})` : link;
}

const commentHtml = (comment: string): SafeHtml =>
  html`<div style="margin:0 0 20px;padding:8px 14px;border-left:4px solid #d4d4d8;background:#fafafa;font:15px/22px ${raw(font)};color:#18181b;word-break:break-word">${paragraphs(comment, raw(' style="margin:4px 0"'))}</div>`;

const button = (url: string, label: string): SafeHtml =>
  html`<table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr><td bgcolor="${palette.fill}" style="background:${palette.fill};border-radius:6px"><a href="${url}" style="display:inline-block;padding:12px 20px;font:bold 15px/20px ${raw(font)};color:${palette.onFill};text-decoration:none">${label}</a></td></tr></table>`;

const line = (m: AlertMessages, label: string, value: string): string => fill(m.labelled, { label, value });

const footerText = (m: AlertMessages, input: AlertEmailInput): string[] => [
  '',
  // "-- " (with the space) is the signature separator many clients recognise and dim.
  '-- ',
  fill(m.footer, { survey: input.surveyName }),
  '',
];

function page(input: AlertEmailInput, subject: string, body: SafeHtml, m: AlertMessages): string {
  return emailFrame({
    locale: input.locale,
    dir: directionOf(input.locale),
    subject,
    preheader: subject,
    accent: palette.fill,
    body,
    footer: html`${fill(m.footer, { survey: input.surveyName })}`,
  });
}
