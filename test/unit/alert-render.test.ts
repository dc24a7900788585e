import { describe, expect, it } from 'vitest';
import { alertEmail, summaryLimit } from '../../shared/alert/email.ts';
import { alertMessages } from '../../shared/alert/i18n.ts';
import type { AlertEvent, AlertEventData } from '../../shared/alert/schema.ts';
import { type SlackBlock, slackEscape, slackLimits, slackMessage } from '../../shared/alert/slack.ts';
import { placeholdersOf } from '../../shared/i18n/format.ts';
import { supportedLocales } from '../../shared/locales.ts';

const hostile = '<script>&<@U123>';

const answer = (over: Partial<AlertEventData> = {}): AlertEventData => ({
  surveyId: 'srv_1',
  surveyName: 'Q1 NPS',
  kind: 'nps',
  waveId: 'wav_1',
  score: 3,
  segment: 'detractor',
  comment: 'Support took a week to answer.',
  respondedAt: '2026-03-02T13:04:05.000Z',
  contact: { id: 'con_1', email: 'ada@example.com', name: 'Ada Lovelace', properties: { plan: 'pro' } },
  responseUrl: 'https://feedback.example.com/admin/responses/r_0123456789abcdef01234567',
  ...over,
});

const event = (
  over: Partial<AlertEventData> = {},
  type: AlertEvent['type'] = 'response.created',
): AlertEvent => ({
  type,
  timestamp: '2026-03-02T13:04:06.000Z',
  data: answer(over),
});

/** Every text of a Slack message: the fallback and each text object of each block. */
function slackTexts(message: { text: string; blocks: SlackBlock[] }): string[] {
  return [
    message.text,
    ...message.blocks.flatMap((block) =>
      'fields' in block
        ? block.fields.map((f) => f.text)
        : 'elements' in block
          ? block.elements.map((e) => e.text)
          : [block.text.text],
    ),
  ];
}

/** What a Slack message says, with its entities decoded as Slack shows them. */
const shown = (text: string): string =>
  text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** Angle brackets Slack would parse: our own link and date tokens only. */
const specialTokens = (text: string): string[] => [...text.matchAll(/<[^>]*>/g)].map((m) => m[0]);

function checkLimits(blocks: SlackBlock[]) {
  for (const block of blocks) {
    if (block.type === 'header') {
      expect(block.text.type).toBe('plain_text');
      expect(block.text.text.length).toBeLessThanOrEqual(slackLimits.header);
    } else if ('fields' in block) {
      expect(block.fields.length).toBeLessThanOrEqual(10);
      for (const f of block.fields) expect(f.text.length).toBeLessThanOrEqual(slackLimits.field);
    } else if ('elements' in block) {
      expect(block.elements.length).toBeLessThanOrEqual(10);
    } else {
      expect(block.text.text.length).toBeLessThanOrEqual(slackLimits.section);
    }
  }
}

describe('Slack message', () => {
  it('has a fallback text and a header, the score, the contact, the comment and a link', () => {
    const message = slackMessage(event(), 'en');
    expect(message.text).toBe('New detractor on Q1 NPS: 3/10\nSupport took a week to answer.');
    expect(message.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'section']);
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'New detractor on Q1 NPS: 3/10', emoji: true },
    });
    const [score, contact, survey, answered] = (message.blocks[1] as { fields: { text: string }[] }).fields;
    expect(score?.text).toBe('*Score*\n3/10 · Detractor');
    expect(contact?.text).toBe('*From*\nAda Lovelace (ada@example.com)');
    expect(survey?.text).toBe('*Survey*\nQ1 NPS');
    expect(answered?.text).toBe(
      '*Answered*\n<!date^1772456645^{date_short_pretty} {time}|March 2, 2026 at 1:04 PM UTC>',
    );
    expect(message.blocks[2]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: '> Support took a week to answer.' },
    });
    expect(message.blocks[3]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: '<https://feedback.example.com/admin/responses/r_0123456789abcdef01234567|Open the answer>',
      },
    });
    checkLimits(message.blocks);
    // What the webhook posts is JSON; the message must survive it unchanged.
    expect(JSON.parse(JSON.stringify(message))).toEqual(message);
  });

  it('escapes &, < and > (and only those) in the comment, the name, the email and the survey name', () => {
    const message = slackMessage(
      event({
        surveyName: `${hostile} "Q1"`,
        comment: `${hostile} it's "fine"\n> not a quote`,
        contact: { id: 'con_1', email: 'a&b@example.com', name: hostile, properties: {} },
      }),
      'en',
    );
    const all = slackTexts(message).join('\n');
    expect(all).not.toContain('<script>');
    expect(all).not.toContain('<@U123>');
    expect(all).toContain('&lt;script&gt;&amp;&lt;@U123&gt;');
    // Quotes and apostrophes stay as typed: Slack would show &quot; or &#39; literally.
    expect(all).toContain(`it's "fine"`);
    expect(all).not.toMatch(/&quot;|&#39;/);
    // The only tokens Slack parses are the date and the link this code wrote.
    expect(specialTokens(all).map((t) => t.slice(0, 7))).toEqual(['<!date^', '<https:']);
    // A typed ">" does not open a quote of its own; each line of the comment is in the one quote.
    const quoteBlock = message.blocks[2] as { text: { text: string } };
    expect(quoteBlock.text.text).toBe('> &lt;script&gt;&amp;&lt;@U123&gt; it\'s "fine"\n> &gt; not a quote');
    expect(message.text.split('\n')[0]).toBe('New detractor on &lt;script&gt;&amp;&lt;@U123&gt; "Q1": 3/10');
  });

  it('says anonymous when there is no contact', () => {
    const message = slackMessage(event({ contact: null }), 'en');
    const fields = (message.blocks[1] as { fields: { text: string }[] }).fields;
    expect(fields[1]?.text).toBe('*From*\nAnonymous');
    expect(JSON.stringify(message)).not.toContain('ada@example.com');
  });

  it('shows the address alone when the contact has no name', () => {
    const message = slackMessage(
      event({ contact: { id: 'c', email: 'bo@example.com', name: null, properties: {} } }),
      'en',
    );
    expect((message.blocks[1] as { fields: { text: string }[] }).fields[1]?.text).toBe(
      '*From*\nbo@example.com',
    );
  });

  it('says "no comment" when there is none, and notes a changed answer', () => {
    const message = slackMessage(event({ comment: null }, 'response.updated'), 'en');
    expect(message.text).toBe('New detractor on Q1 NPS: 3/10');
    expect(message.blocks.map((b) => b.type)).toEqual(['header', 'section', 'context', 'context', 'section']);
    expect(slackTexts(message)).toContain('_No comment_');
    expect(slackTexts(message)).toContain('The answer was changed.');
  });

  it('shows CSAT and CES scores with the segment word, without inventing a scale', () => {
    const message = slackMessage(event({ kind: 'csat', score: 2, segment: 'low' }), 'en');
    expect(message.blocks[0]).toMatchObject({ text: { text: 'New low rating on Q1 NPS: 2' } });
    expect((message.blocks[1] as { fields: { text: string }[] }).fields[0]?.text).toBe(
      '*Score*\n2 · Low rating',
    );
  });

  it('cuts a long comment and a long survey name within Slack limits, never inside an entity', () => {
    const comment = `${'&'.repeat(500)}${'word '.repeat(1000)}`;
    const message = slackMessage(event({ comment, surveyName: `${'<'.repeat(20)}${'x'.repeat(300)}` }), 'en');
    checkLimits(message.blocks);
    const header = (message.blocks[0] as { text: { text: string } }).text.text;
    expect(header.endsWith('…')).toBe(true);
    expect(header).toMatch(/^New detractor on (&lt;){20}x+…$/);
    expect(header.length).toBe(slackLimits.header);
    const quoted = (message.blocks[2] as { text: { text: string } }).text.text;
    expect(quoted.length).toBeLessThanOrEqual(3000);
    expect(quoted.length).toBeGreaterThan(2900);
    expect(quoted.endsWith('…')).toBe(true);
    expect(quoted).toMatch(/^> (&amp;){500}(word )*(w|wo|wor|word)?…$/);
    expect(message.text.length).toBeLessThanOrEqual(slackLimits.fallback);
  });

  it('keeps an emoji whole when it cuts', () => {
    const message = slackMessage(event({ comment: '👍🏽'.repeat(2000) }), 'en');
    const quoted = (message.blocks[2] as { text: { text: string } }).text.text;
    expect(quoted).toMatch(/^> (👍🏽)+…$/u);
  });

  it('keeps the header and the first line of the fallback on one line', () => {
    const message = slackMessage(event({ surveyName: 'Q1\r\nNPS\n', comment: null }), 'en');
    expect(message.text).toBe('New detractor on Q1 NPS: 3/10');
    expect(message.blocks[0]).toMatchObject({ text: { text: 'New detractor on Q1 NPS: 3/10' } });
  });

  it('percent-encodes characters that would end the link early', () => {
    const message = slackMessage(event({ responseUrl: 'https://x.example/a|b>c d&e' }), 'en');
    expect(slackTexts(message)).toContain('<https://x.example/a%7Cb%3Ec%20d&amp;e|Open the answer>');
  });

  it.each(supportedLocales)('renders in %s with every text filled', (locale) => {
    const message = slackMessage(event({}, 'response.updated'), locale);
    const all = slackTexts(message).join('\n');
    expect(all).not.toMatch(/\{\w+\}(?![^<]*\|)/); // no unfilled placeholder (Slack's date tokens aside)
    expect(all).not.toContain('undefined');
    expect(all).toContain(alertMessages(locale).segment.detractor);
    expect(all).toContain(slackEscape(alertMessages(locale).openAnswer));
    checkLimits(message.blocks);
  });

  it('writes Swedish and Chinese headlines naturally', () => {
    expect(slackMessage(event(), 'sv').text.split('\n')[0]).toBe('Ny motståndare i Q1 NPS: 3/10');
    expect(slackMessage(event(), 'zh-CN').text.split('\n')[0]).toBe('“Q1 NPS”收到新的批评者回答：3/10');
    expect(slackMessage(event(), 'zh-TW').text.split('\n')[0]).toBe('「Q1 NPS」收到新的批評者回覆：3/10');
  });

  it('decodes, as Slack shows it, to exactly what the person typed', () => {
    const message = slackMessage(event({ comment: hostile }), 'en');
    expect(shown((message.blocks[2] as { text: { text: string } }).text.text)).toBe(`> ${hostile}`);
  });
});

const many = (n: number): AlertEventData[] =>
  Array.from({ length: n }, (_, i) =>
    answer({
      score: i % 7,
      comment: i % 3 === 0 ? null : `Comment number ${i}`,
      contact:
        i % 4 === 0 ? null : { id: `c${i}`, email: `p${i}@example.com`, name: `Person ${i}`, properties: {} },
      responseUrl: `https://feedback.example.com/admin/responses/r_${String(i).padStart(24, '0')}`,
    }),
  );

const dashboardUrl = 'https://feedback.example.com/admin/surveys/srv_1';

describe('alert email: a single answer', () => {
  const single = (over: Partial<AlertEventData> = {}, locale: (typeof supportedLocales)[number] = 'en') =>
    alertEmail({
      locale,
      surveyName: over.surveyName ?? 'Q1 NPS',
      events: [answer(over)],
      total: 1,
      dashboardUrl,
    });

  it('names the segment, the survey and the score in the subject', () => {
    const email = single();
    expect(email.subject).toBe('New detractor on Q1 NPS: 3/10');
    expect(email.html).toContain('<title>New detractor on Q1 NPS: 3/10</title>');
    expect(email.html).toContain('3/10 · Detractor');
    expect(email.html).toContain('href="mailto:ada@example.com"');
    expect(email.html).toContain(`href="${answer().responseUrl}"`);
    expect(email.text).toContain('Score: 3/10 · Detractor');
    expect(email.text).toContain('From: Ada Lovelace (ada@example.com)');
    expect(email.text).toContain('Support took a week to answer.');
    expect(email.text).toContain(`Open the answer: ${answer().responseUrl}`);
    expect(email.text).toContain('Answered: March 2, 2026 at 1:04 PM UTC');
  });

  it('shows times in the zone it is given', () => {
    const email = alertEmail({
      locale: 'en',
      surveyName: 'Q1 NPS',
      events: [answer()],
      total: 1,
      dashboardUrl,
      timeZone: 'Asia/Tokyo',
    });
    expect(email.text).toContain('Answered: March 2, 2026 at 10:04 PM GMT+9');
  });

  it('escapes every field in the HTML; the text part keeps them as typed', () => {
    const email = single({
      surveyName: hostile,
      comment: `${hostile}\n"quoted" & 'single'`,
      contact: { id: 'c', email: `x"onmouseover=alert(1)@example.com`, name: hostile, properties: {} },
      responseUrl: 'javascript:"><script>alert(1)</script>',
    });
    expect(email.html).not.toContain('<script>');
    expect(email.html).not.toContain('<@U123>');
    expect(email.html).not.toMatch(/"onmouseover|"><script/);
    expect(email.html).toContain('&lt;script&gt;&amp;&lt;@U123&gt;');
    expect(email.text).toContain(`From: ${hostile} (x"onmouseover=alert(1)@example.com)`);
    expect(email.subject).toBe(`New detractor on ${hostile}: 3/10`);
  });

  it('says anonymous without a contact', () => {
    const email = single({ contact: null });
    expect(email.text).toContain('From: Anonymous');
    expect(email.html).toContain('Anonymous');
    expect(email.html).not.toContain('mailto:');
  });

  it('keeps a subject on one line whatever the survey name holds', () => {
    expect(single({ surveyName: 'Q1\r\nNPS\n\tBcc: x@example.com' }).subject).toBe(
      'New detractor on Q1 NPS Bcc: x@example.com: 3/10',
    );
  });
});

describe('alert email: a summary', () => {
  it('lists 20 of 25 answers and says "and 5 more" with the dashboard', () => {
    const events = many(25);
    const email = alertEmail({
      locale: 'en',
      surveyName: 'Q1 NPS',
      ruleName: 'Angry customers',
      events,
      total: 25,
      dashboardUrl,
    });
    expect(email.subject).toBe('25 answers matched “Angry customers” in the last hour');
    const listed = events.slice(0, summaryLimit);
    for (const e of listed) {
      expect(email.html).toContain(`href="${e.responseUrl}"`);
      expect(email.text).toContain(e.responseUrl);
    }
    for (const e of events.slice(summaryLimit)) {
      expect(email.html).not.toContain(e.responseUrl);
      expect(email.text).not.toContain(e.responseUrl);
    }
    expect(email.html.match(/admin\/responses\//g)).toHaveLength(20);
    expect(email.html).toContain('and 5 more');
    expect(email.text).toContain('and 5 more');
    expect(email.html).toContain(`href="${dashboardUrl}"`);
    expect(email.text).toContain(`Open the dashboard: ${dashboardUrl}`);
    expect(email.text).toContain('20. ');
    expect(email.text).not.toContain('21. ');
    // anonymous answers (every fourth) and answers without comments (every third) are said so
    expect(email.text).toContain('1. 0/10 · Detractor · Anonymous');
    expect(email.text).toContain('No comment');
  });

  it('counts answers it was not given, and names the survey when the rule has no name', () => {
    const email = alertEmail({
      locale: 'en',
      surveyName: 'Q1 NPS',
      events: many(3),
      total: 12,
      dashboardUrl,
    });
    expect(email.subject).toBe('12 answers on Q1 NPS matched an alert in the last hour');
    expect(email.text).toContain('and 9 more');
  });

  it('leaves "more" out when every answer is listed', () => {
    const email = alertEmail({ locale: 'en', surveyName: 'Q1 NPS', events: many(2), total: 2, dashboardUrl });
    expect(email.text).not.toMatch(/and \d+ more/);
    expect(email.html).not.toMatch(/and \d+ more/);
  });

  it('cuts long comments to an excerpt', () => {
    const email = alertEmail({
      locale: 'en',
      surveyName: 'S',
      events: [answer({ comment: 'x'.repeat(5000) }), answer()],
      total: 2,
      dashboardUrl,
    });
    expect(email.text).toContain(`${'x'.repeat(199)}…`);
    expect(email.text).not.toContain('x'.repeat(200));
  });

  it('escapes every field of every answer in the HTML', () => {
    const events = [
      answer({
        comment: hostile,
        contact: { id: 'c', email: 'e@example.com', name: hostile, properties: {} },
      }),
      answer({ surveyName: hostile, comment: null }),
    ];
    const email = alertEmail({
      locale: 'en',
      surveyName: hostile,
      ruleName: hostile,
      events,
      total: 2,
      dashboardUrl,
    });
    expect(email.html).not.toContain('<script>');
    expect(email.html).not.toContain('<@U123>');
    expect(email.subject).toBe(`2 answers matched “${hostile}” in the last hour`);
  });
});

describe('alert email in each locale', () => {
  it.each(supportedLocales)('%s renders single alerts and summaries with every text filled', (locale) => {
    const m = alertMessages(locale);
    const single = alertEmail({
      locale,
      surveyName: 'Q1 NPS',
      events: [answer({ contact: null })],
      total: 1,
      dashboardUrl,
    });
    const summary = alertEmail({
      locale,
      surveyName: 'Q1 NPS',
      ruleName: 'R',
      events: many(25),
      total: 25,
      dashboardUrl,
    });
    const unnamed = alertEmail({ locale, surveyName: 'Q1 NPS', events: many(2), total: 2, dashboardUrl });
    for (const email of [single, summary, unnamed]) {
      expect(email.subject).not.toMatch(/[\r\n]/);
      for (const part of [email.subject, email.text, email.html]) {
        expect(part).not.toMatch(/\{\w+\}/);
        expect(part).not.toContain('undefined');
      }
      expect(email.html).toContain(`lang="${locale}"`);
    }
    expect(single.text).toContain(m.anonymous);
    expect(single.subject).toContain(m.headline.detractor.replace('{survey}', 'Q1 NPS'));
    expect(summary.text).toContain(m.more.replace('{n}', '5'));
    expect(summary.subject).toContain('25');
    expect(unnamed.subject).toContain('Q1 NPS');
  });
});

/** Every leaf of a catalogue as [dotted key, text]. */
function leaves(value: unknown, prefix = ''): [string, string][] {
  if (typeof value === 'string') return [[prefix, value]];
  if (value === null || typeof value !== 'object') throw new Error(`${prefix} is not text`);
  return Object.entries(value).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}

describe('alert catalogues', () => {
  const english = new Map(leaves(alertMessages('en')));

  it.each(supportedLocales)('%s has the English keys, none empty, the same placeholders', (locale) => {
    const own = new Map(leaves(alertMessages(locale)));
    expect([...own.keys()].sort()).toEqual([...english.keys()].sort());
    for (const [key, text] of own) {
      expect(text.trim(), `${locale} ${key}`).not.toBe('');
      expect(placeholdersOf(text), `${locale} ${key}`).toEqual(placeholdersOf(english.get(key) ?? ''));
      // Slack escaping is applied to filled texts as a whole; a catalogue never needs its own markup.
      expect(text, `${locale} ${key}`).not.toMatch(/[<>&*_~`]/);
    }
  });

  it.each(['sv', 'zh-CN', 'zh-TW'] as const)('%s is translated', (locale) => {
    const own = new Map(leaves(alertMessages(locale)));
    const same = [...english].filter(([key, text]) => own.get(key) === text).map(([key]) => key);
    expect(same.sort()).toEqual(locale === 'sv' ? ['labelled', 'scoreOutOf', 'title'] : ['scoreOutOf']);
  });

  it.each(['zh-CN', 'zh-TW'] as const)('%s uses full-width punctuation beside Chinese text', (locale) => {
    const han = '[\\u3400-\\u9fff]';
    const halfWidth = new RegExp(`${han}[,.:;!?()]|[,:;!?(]${han}`);
    for (const [key, text] of leaves(alertMessages(locale)))
      expect(text, `${locale} ${key}`).not.toMatch(halfWidth);
  });
});
