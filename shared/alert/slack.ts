/**
 * An alert as a Slack incoming-webhook message: Block Kit `blocks` plus the `text` that
 * notifications and old clients show. Slack parses `&`, `<` and `>` in every text object (links,
 * mentions such as <!channel>), so those three, and only those, are escaped in everything a person
 * typed; its other entities would show as written. Pure: the deliver function posts it.
 */
import { oneLine } from '../email/headers.ts';
import { formatDateTime } from '../i18n/format.ts';
import type { Locale } from '../locales.ts';
import { type AlertMessages, alertMessages, alertTitle, contactText, scoreAndSegment } from './i18n.ts';
import type { AlertEvent } from './schema.ts';

/** Slack's limits (Block Kit reference): a header's text, a section's text, one of its fields. */
export const slackLimits = { header: 150, section: 3000, field: 2000, fallback: 3000 } as const;
/** How much of a comment the notification text carries. */
const fallbackComment = 300;

interface TextObject {
  type: 'plain_text' | 'mrkdwn';
  text: string;
  emoji?: boolean;
}
export type SlackBlock =
  | { type: 'header'; text: TextObject }
  | { type: 'section'; text: TextObject }
  | { type: 'section'; fields: TextObject[] }
  | { type: 'context'; elements: TextObject[] };

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
/** Slack's escaping: its three control characters, nothing else. */
export const slackEscape = (text: string): string => text.replace(/[&<>]/g, (c) => entities[c] ?? c);

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });
const graphemes = (text: string): string[] => Array.from(segmenter.segment(text), (s) => s.segment);

/**
 * Rendered pieces joined to at most `max` characters, with "…" when some are left out. Cutting
 * between pieces never splits an entity, a surrogate pair or an emoji sequence.
 */
function fitted(pieces: string[], max: number): string {
  const whole = pieces.join('');
  if (whole.length <= max) return whole;
  let out = '';
  for (const piece of pieces) {
    if (out.length + piece.length + 1 > max) break;
    out += piece;
  }
  return `${out.trimEnd()}…`;
}

/** Escaped text of at most `max` characters. */
const escapedWithin = (text: string, max: number): string => fitted(graphemes(text).map(slackEscape), max);

const normalize = (text: string): string => text.replace(/\r\n?/g, '\n').trim();

/** A comment as a quote block: every line starts with the one `>` that is not escaped. */
const quote = (comment: string, max: number): string =>
  fitted(['> ', ...graphemes(comment).map((g) => (g === '\n' ? '\n> ' : slackEscape(g)))], max);

/** A link's target: `|`, `<`, `>` or a space would end it early, so they are percent-encoded. */
const slackUrl = (url: string): string => url.replace(/[|<> ]/g, encodeURIComponent).replace(/&/g, '&amp;');

/** Shown in each reader's own time zone and language; the fallback is UTC in the alert's locale. */
function slackDate(iso: string, locale: Locale): string {
  const fallback = slackEscape(formatDateTime(iso, locale, 'UTC'));
  const seconds = Math.floor(new Date(iso).getTime() / 1000);
  return Number.isFinite(seconds) ? `<!date^${seconds}^{date_short_pretty} {time}|${fallback}>` : fallback;
}

const field = (label: string, value: string): TextObject => ({
  type: 'mrkdwn',
  text: `*${slackEscape(label)}*\n${value}`,
});

function fields(m: AlertMessages, event: AlertEvent, locale: Locale): TextObject[] {
  const { data } = event;
  const room = slackLimits.field - 100;
  return [
    field(m.score, slackEscape(scoreAndSegment(m, data.kind, data.score, data.segment))),
    field(m.contact, escapedWithin(contactText(data.contact) ?? m.anonymous, room)),
    field(m.survey, escapedWithin(data.surveyName, room)),
    field(m.answered, slackDate(data.respondedAt, locale)),
  ];
}

export function slackMessage(event: AlertEvent, locale: Locale): SlackMessage {
  const m = alertMessages(locale);
  const { data } = event;
  // A header is one line, and so is the notification's first.
  const title = oneLine(alertTitle(m, data));
  const comment = normalize(data.comment ?? '');
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: escapedWithin(title, slackLimits.header), emoji: true },
    },
    { type: 'section', fields: fields(m, event, locale) },
    comment
      ? { type: 'section', text: { type: 'mrkdwn', text: quote(comment, slackLimits.section) } }
      : { type: 'context', elements: [{ type: 'mrkdwn', text: `_${slackEscape(m.noComment)}_` }] },
  ];
  if (event.type === 'response.updated') {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: slackEscape(m.changed) }] });
  }
  // A link, not a button: a URL button in an app without interactivity shows a warning when clicked.
  blocks.push({
    type: 'section',
    text: { type: 'mrkdwn', text: `<${slackUrl(data.responseUrl)}|${slackEscape(m.openAnswer)}>` },
  });
  const excerpt = comment ? `\n${escapedWithin(comment.replace(/\s+/g, ' '), fallbackComment)}` : '';
  return { text: escapedWithin(title, slackLimits.fallback - fallbackComment - 1) + excerpt, blocks };
}
