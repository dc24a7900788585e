/**
 * The digest email: subject, HTML and text parts, in the survey's default locale. Everything shown
 * is worked out once as a view (words and formatted numbers), so the two parts cannot disagree; every
 * value reaches the HTML through the escaping `html` template (comments, names and survey names are
 * anyone's text). Charts are tables of inline-styled cells: mail clients run no SVG reliably.
 * Pure: the digest function sends it.
 */
import { segmentColours } from '../dashboard/charts/palette.ts';
import { type Formatter, formatterFor } from '../dashboard/format.ts';
import { dashboardMessages } from '../dashboard/i18n/messages.ts';
import { emailFrame, font, ink, muted, rule } from '../email/frame.ts';
import { oneLine } from '../email/headers.ts';
import { fill } from '../i18n/format.ts';
import { directionOf } from '../i18n/messages.ts';
import type { Locale } from '../locales.ts';
import { paletteOf } from '../pages/colour.ts';
import { html, paragraphs, raw, type SafeHtml } from '../pages/html.ts';
import type { Headline } from '../report/survey-report.ts';
import type { Segment } from '../scoring.ts';
import type { DigestContent } from './content.ts';
import { answersText, digestMessages } from './i18n.ts';

export interface RenderedDigest {
  subject: string;
  html: string;
  text: string;
}

/** A comment is cut here (at a character, never inside a surrogate pair); the dashboard has the rest. */
const commentLength = 300;

interface Fact {
  label: string;
  value: string;
  note?: string;
}

interface DigestView {
  locale: Locale;
  /** The text part's "label: value" in the locale. */
  labelled: string;
  subject: string;
  title: string;
  survey: string;
  period: string;
  scoreLabel: string;
  score: string;
  scoreDetail: string;
  change: string;
  facts: Fact[];
  splitHeading: string;
  split: { segment: Segment; share: number; text: string }[];
  lowHeading: string;
  lowCount: string;
  comments: { meta: string; comment: string }[];
  noComments: string | undefined;
  moreComments: { text: string; url: string } | undefined;
  followUpsHeading: string;
  followUpsCount: string;
  followUps: { who: string; meta: string; comment?: string; url: string; linkText: string }[];
  allFollowUps: { text: string; url: string };
  openSurvey: { text: string; url: string };
  footer: string;
  settings: { text: string; url: string };
}

function cut(text: string): string {
  const flat = text.trim();
  const chars = Array.from(flat);
  return chars.length <= commentLength
    ? flat
    : `${chars
        .slice(0, commentLength - 1)
        .join('')
        .trimEnd()}…`;
}

const pValue = (f: Formatter, p: number | null): string =>
  p === null ? '' : p < 0.001 ? `p < ${f.number(0.001, 3)}` : `p = ${f.number(p, 3)}`;

function digestView(content: DigestContent, locale: Locale): DigestView {
  const m = digestMessages(locale);
  const d = dashboardMessages(locale);
  const f = formatterFor(locale);
  const { survey, period } = content;
  const kind = d.kinds[survey.kind];
  const digits = survey.kind === 'nps' ? 1 : 2;
  const answers = (n: number) => answersText(m, locale, n, f.number(n, 0));
  const figure = (h: Headline): string =>
    h.value === null
      ? m.noFigure
      : fill(m.figure, {
          score: f.score(survey.kind, h.value),
          margin: f.margin(survey.kind, h.margin),
          answers: answers(h.n),
        })
          .replace(/\s+/g, ' ')
          .trim();
  const title = m.title[period.cadence];
  const current = content.current.headline;
  const subject = oneLine(
    content.current.counts.responses === 0
      ? fill(m.subjectNone, { title, survey: survey.name })
      : fill(m.subject, {
          title,
          survey: survey.name,
          kind,
          score: f.score(survey.kind, current.value),
          answers: answers(content.current.counts.responses),
        }),
  );
  const before = content.previous.headline.value;
  const difference = current.value !== null && before !== null ? current.value - before : 0;
  const change = fill(m.change[content.verdict], {
    before: f.score(survey.kind, before),
    change:
      content.verdict === 'up' || content.verdict === 'down'
        ? f.number(Math.abs(difference), digits)
        : f.signed(difference, digits),
    p: pValue(f, content.change?.pValue ?? null),
  });
  const rate = content.responseRate;
  const facts: Fact[] = [
    { label: m.responses, value: f.number(content.current.counts.responses, 0) },
    rate.rate === null
      ? { label: m.responseRate, value: m.noRate }
      : {
          label: m.responseRate,
          value: fill(m.rateValue, {
            rate: f.percent(rate.rate),
            responded: f.number(rate.responded, 0),
            delivered: f.number(rate.delivered, 0),
          }),
          note: m.rateNote,
        },
    { label: m.previous[period.cadence], value: figure(content.previous.headline) },
    { label: m.allTime, value: figure(content.allTime) },
  ];
  const scoreOf = (score: number) =>
    fill(m.scoreOutOf, { score: f.number(score, 0), max: f.number(survey.scale.max, 0) });
  const low = content.low;
  const followUps = content.followUps;
  const open = `${f.number(followUps.open, 0)}${followUps.complete ? '' : '+'}`;
  return {
    locale,
    labelled: m.labelled,
    subject,
    title,
    survey: survey.name,
    period:
      period.cadence === 'daily'
        ? fill(m.periodDay, { date: f.date(period.start) })
        : fill(m.periodWeek, { from: f.date(period.start), to: f.date(period.last) }),
    scoreLabel: fill(m.current[period.cadence], { kind }),
    score: current.value === null ? '–' : f.score(survey.kind, current.value),
    scoreDetail:
      current.value === null
        ? m.noFigure
        : [f.margin(survey.kind, current.margin), answers(current.n)].filter(Boolean).join(' · '),
    change,
    facts,
    splitHeading: m.splitHeading,
    split: content.split
      .filter((s) => s.count > 0)
      .map((s) => ({
        segment: s.segment,
        share: s.share,
        text: fill(m.splitItem, {
          segment: d.segments[s.segment],
          count: f.number(s.count, 0),
          share: f.percent(s.share),
        }),
      })),
    lowHeading: low.segment === 'detractor' ? m.low.detractor : m.low.low,
    lowCount: fill(m.lowCount, { n: f.number(low.count, 0) }),
    comments: low.comments.map((c) => ({
      meta: [
        fill(m.commentMeta, { score: scoreOf(c.score), date: f.date(c.respondedAt, survey.timezone) }),
        c.edited ? m.edited : '',
      ]
        .filter(Boolean)
        .join(' · '),
      comment: cut(c.comment),
    })),
    noComments: low.count > 0 && low.comments.length === 0 ? m.noComments : undefined,
    moreComments: low.more ? { text: m.moreComments, url: content.links.comments } : undefined,
    followUpsHeading: m.followUps,
    followUpsCount:
      followUps.open === 0
        ? m.noFollowUps
        : fill(m.followUpsCount, { open, overdue: f.number(followUps.overdue, 0) }),
    followUps: followUps.first.map((item) => ({
      who: item.who ?? m.anonymous,
      meta: [
        `${scoreOf(item.score)} ${d.segment[item.segment]}`,
        fill(item.overdue ? m.overdue : m.due, { date: f.date(item.dueAt, survey.timezone) }),
        item.assignee ? fill(m.assignedTo, { name: item.assignee }) : m.unassigned,
      ].join(' · '),
      ...(item.comment && { comment: cut(item.comment) }),
      url: item.url,
      linkText: m.openAnswer,
    })),
    allFollowUps: { text: m.allFollowUps, url: content.links.followUps },
    openSurvey: { text: m.openSurvey, url: content.links.survey },
    footer: fill(m.footer[period.cadence], { survey: survey.name }),
    settings: { text: m.settings, url: content.links.settings },
  };
}

const palette = paletteOf(undefined);
const f15 = raw(`font:15px/22px ${font}`);
const f13 = raw(`font:13px/20px ${font}`);

const heading = (text: string): SafeHtml =>
  html`<h2 style="margin:24px 0 8px;font:bold 17px/24px ${raw(font)};color:${ink}">${text}</h2>`;

const link = (l: { text: string; url: string }): SafeHtml =>
  html`<a href="${l.url}" style="color:${palette.ink};text-decoration:underline">${l.text}</a>`;

const button = (l: { text: string; url: string }): SafeHtml =>
  html`<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:24px 0 0"><tr><td bgcolor="${palette.fill}" style="background:${palette.fill};border-radius:6px"><a href="${l.url}" style="display:inline-block;padding:12px 20px;font:bold 15px/20px ${raw(font)};color:${palette.onFill};text-decoration:none">${l.text}</a></td></tr></table>`;

/** The split as one stacked bar of table cells (widths in per cent), then a legend naming each part. */
function splitChart(view: DigestView): SafeHtml {
  if (view.split.length === 0) return html``;
  const cells = view.split.map((s) => {
    const width = `${(s.share * 100).toFixed(2)}%`;
    const colour = segmentColours[s.segment];
    return html`<td width="${width}" bgcolor="${colour}" style="width:${width};height:14px;background:${colour};font-size:0;line-height:0">${raw('&nbsp;')}</td>`;
  });
  const legend = view.split.map(
    (s) =>
      html`<tr><td width="12" valign="middle" style="padding:4px 0"><div style="width:12px;height:12px;background:${segmentColours[s.segment]};border-radius:2px"></div></td><td valign="middle" style="padding:4px 8px;${f15};color:${ink}">${s.text}</td></tr>`,
  );
  return html`${heading(view.splitHeading)}
<table role="presentation" aria-hidden="true" width="100%" cellpadding="0" cellspacing="0" border="0" style="table-layout:fixed;border-collapse:collapse"><tr>${cells}</tr></table>
<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 0">${legend}</table>`;
}

function facts(view: DigestView): SafeHtml {
  const rows = view.facts.map(
    (fact) =>
      html`<tr><td valign="top" style="padding:6px 12px 6px 0;border-top:1px solid ${rule};${f15};color:${muted}">${fact.label}</td><td valign="top" style="padding:6px 0;border-top:1px solid ${rule};${f15};color:${ink};word-break:break-word">${fact.value}${fact.note ? html`<br><span style="${f13};color:${muted}">${fact.note}</span>` : ''}</td></tr>`,
  );
  return html`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="margin:16px 0 0;border-bottom:1px solid ${rule}">${rows}</table>`;
}

function comments(view: DigestView): SafeHtml {
  const items = view.comments.map(
    (c) =>
      html`<div style="margin:0 0 12px;padding:8px 12px;border-left:4px solid ${segmentColours.detractor};background:#fafafa;${f15};color:${ink};word-break:break-word"><p style="margin:0 0 4px;${f13};color:${muted}">${c.meta}</p>${paragraphs(c.comment, raw(' style="margin:0"'))}</div>`,
  );
  return html`${heading(view.lowHeading)}
<p style="margin:0 0 12px">${view.lowCount}${view.noComments ? html` ${view.noComments}` : ''}</p>
${items}${view.moreComments ? html`<p style="margin:0">${link(view.moreComments)}</p>` : ''}`;
}

function followUps(view: DigestView): SafeHtml {
  const items = view.followUps.map(
    (item) =>
      html`<tr><td style="padding:10px 0;border-top:1px solid ${rule};${f15};color:${ink};word-break:break-word"><p style="margin:0;font-weight:bold">${item.who}</p><p style="margin:0;${f13};color:${muted}">${item.meta}</p>${item.comment ? html`<p style="margin:4px 0 0">${item.comment}</p>` : ''}<p style="margin:4px 0 0">${link({ text: item.linkText, url: item.url })}</p></td></tr>`,
  );
  return html`${heading(view.followUpsHeading)}
<p style="margin:0 0 8px">${view.followUpsCount}</p>
${items.length ? html`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 8px;border-bottom:1px solid ${rule}">${items}</table>` : ''}
<p style="margin:0">${link(view.allFollowUps)}</p>`;
}

function digestHtml(view: DigestView): string {
  const body = html`<p style="margin:0;${f13};color:${muted};text-transform:uppercase;letter-spacing:0.04em">${view.title}</p>
<h1 style="margin:4px 0 4px;font:bold 20px/28px ${raw(font)};color:${ink};word-break:break-word">${view.survey}</h1>
<p style="margin:0 0 20px;${f13};color:${muted}">${view.period}</p>
<p style="margin:0;${f13};color:${muted}">${view.scoreLabel}</p>
<p style="margin:0;font:bold 36px/44px ${raw(font)};color:${ink}">${view.score}</p>
<p style="margin:0 0 12px;${f15};color:${muted}">${view.scoreDetail}</p>
<p style="margin:0">${view.change}</p>
${facts(view)}
${splitChart(view)}
${comments(view)}
${followUps(view)}
${button(view.openSurvey)}`;
  const footer = html`${view.footer} ${link(view.settings)}`;
  return emailFrame({
    locale: view.locale,
    dir: directionOf(view.locale),
    subject: view.subject,
    preheader: `${view.period} · ${view.change}`,
    accent: palette.fill,
    body,
    footer,
  });
}

function digestText(view: DigestView): string {
  const labelled = (label: string, value: string) => fill(view.labelled, { label, value });
  const lines = [
    labelled(view.title, view.survey),
    view.period,
    '',
    labelled(view.scoreLabel, view.score === '–' ? view.scoreDetail : `${view.score} ${view.scoreDetail}`),
    view.change,
    '',
    ...view.facts.map((fact) => labelled(fact.label, fact.note ? `${fact.value} ${fact.note}` : fact.value)),
  ];
  if (view.split.length) lines.push('', view.splitHeading, ...view.split.map((s) => `- ${s.text}`));
  lines.push('', view.lowHeading, view.noComments ? `${view.lowCount} ${view.noComments}` : view.lowCount);
  for (const c of view.comments)
    lines.push('', `  ${c.meta}`, ...c.comment.split(/\r?\n/).map((l) => `  ${l}`));
  if (view.moreComments) lines.push('', labelled(view.moreComments.text, view.moreComments.url));
  lines.push('', view.followUpsHeading, view.followUpsCount);
  for (const item of view.followUps) {
    lines.push('', `- ${item.who}`, `  ${item.meta}`);
    if (item.comment) lines.push(`  ${item.comment.replace(/\s+/g, ' ')}`);
    lines.push(`  ${labelled(item.linkText, item.url)}`);
  }
  lines.push(
    labelled(view.allFollowUps.text, view.allFollowUps.url),
    '',
    labelled(view.openSurvey.text, view.openSurvey.url),
    '',
    // "-- " (with the space) is the signature separator many clients recognise and dim.
    '-- ',
    view.footer,
    labelled(view.settings.text, view.settings.url),
    '',
  );
  return lines.join('\n');
}

/** The digest in a locale (the survey's default unless another is asked for). */
export function renderDigestEmail(
  content: DigestContent,
  locale: Locale = content.survey.defaultLocale,
): RenderedDigest {
  const view = digestView(content, locale);
  return { subject: view.subject, html: digestHtml(view), text: digestText(view) };
}
