/**
 * The digest: which period a firing covers (keys, the Monday rule), what it says (figures worked out
 * by hand from the answer counts, the change in words), that every field is escaped, that every
 * locale renders it with every key, and that sending claims before SES and never sends twice.
 */
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { FollowUp } from '../../shared/alert/schema.ts';
import { type DigestContent, digestContent } from '../../shared/digest/content.ts';
import { renderDigestEmail } from '../../shared/digest/email.ts';
import { type DigestMessages, digestMessages } from '../../shared/digest/i18n.ts';
import {
  digestCadence,
  digestPeriod,
  digestRecipients,
  dueDigest,
  isDigestDay,
} from '../../shared/digest/period.ts';
import { sendDigests } from '../../shared/digest/send.ts';
import { placeholdersOf } from '../../shared/i18n/format.ts';
import { type Locale, supportedLocales } from '../../shared/locales.ts';
import { buildReport } from '../../shared/report/survey-report.ts';
import type { FeedEntry } from '../../shared/response/feed.ts';
import type { Counts } from '../../shared/scoring.ts';
import type { Pacer } from '../../shared/send/ses-rate.ts';
import { newSurvey } from '../../shared/survey/lifecycle.ts';
import type { Survey } from '../../shared/survey/schema.ts';
import { type Wave, zeroCounts } from '../../shared/wave/schema.ts';

Object.assign(process.env, {
  SURVEYS_TABLE: 'surveys',
  INVITATIONS_TABLE: 'invitations',
  AGGREGATES_TABLE: 'aggregates',
  ALERTS_TABLE: 'alerts',
  PUBLIC_URL: 'https://feedback.example.test',
  FROM_ADDRESS: 'surveys@example.test',
  SES_CONFIGURATION_SET: 'npswave',
});

const survey = (over: Partial<Survey> = {}): Survey => ({
  ...newSurvey({ kind: 'nps', name: 'Q4 NPS', owners: ['ann@team.test'] }, '2026-01-01T00:00:00.000Z'),
  state: 'published',
  publishedAt: '2026-01-02T00:00:00.000Z',
  ...over,
});

/** Counts from answers per score. */
const counts = (distribution: Record<number, number>): Counts => {
  let responses = 0;
  let sum = 0;
  for (const [score, n] of Object.entries(distribution)) {
    responses += n;
    sum += Number(score) * n;
  }
  return { responses, sum, distribution };
};

const wave = (s: Survey, id: string, over: Partial<Wave>): Wave => ({
  id,
  surveyId: s.id,
  status: 'open',
  phase: 'sent',
  trigger: 'api',
  startedAt: '2026-11-01T09:00:00.000Z',
  closesAt: '2026-11-15T09:00:00.000Z',
  counts: zeroCounts(),
  secret: 'x',
  ...over,
});

const feedEntry = (over: Partial<FeedEntry>): FeedEntry => ({
  waveId: 'w_aaaaaaaaaaaaaaaa',
  score: 3,
  segment: 'detractor',
  comment: 'Too slow',
  respondedAt: '2026-12-01T10:00:00.000Z',
  edited: false,
  reportProps: {},
  ...over,
});

const followUp = (over: Partial<FollowUp>): FollowUp => ({
  id: 'fu_1',
  surveyId: 's',
  surveyName: 'Q4 NPS',
  invitationId: 'r_0123456789abcdef01234567',
  responseUrl: 'https://feedback.example.test/admin/responses/r_0123456789abcdef01234567',
  score: 2,
  segment: 'detractor',
  status: 'open',
  dueAt: '2026-12-03T00:00:00.000Z',
  createdAt: '2026-11-30T00:00:00.000Z',
  updatedAt: '2026-11-30T00:00:00.000Z',
  history: [],
  ...over,
});

/** Tuesday 2 December 2026, 07:00 UTC: a daily digest covers Tuesday's eve, 1 December. */
const tuesday = new Date('2026-12-02T07:00:00Z');

interface Scenario {
  survey?: Survey;
  days?: Record<string, Counts>;
  waves?: Wave[];
  waveAnswers?: Record<string, Counts>;
  comments?: FeedEntry[];
  followUps?: FollowUp[];
  at?: Date;
}

function content(s: Scenario = {}): DigestContent {
  const sv = s.survey ?? survey();
  const items = new Map<string, Counts>();
  for (const [day, c] of Object.entries(s.days ?? {})) items.set(`D#${day}`, c);
  for (const [id, c] of Object.entries(s.waveAnswers ?? {})) items.set(`W#${id}`, c);
  items.set('ALL', counts({ 10: 100, 8: 50, 2: 50 }));
  const at = s.at ?? tuesday;
  return digestContent({
    report: buildReport(sv, items, s.waves ?? [], []),
    period: digestPeriod(sv.digest === 'daily' ? 'daily' : 'weekly', at),
    at,
    comments: s.comments ?? [],
    moreComments: false,
    followUps: s.followUps ?? [],
    followUpsComplete: true,
    publicUrl: 'https://feedback.example.test/',
  });
}

const daily = (over: Partial<Survey> = {}) => survey({ digest: 'daily', ...over });

describe('digest periods', () => {
  it('a daily digest covers the UTC day before the firing, keyed by that day', () => {
    const p = digestPeriod('daily', tuesday);
    expect(p).toMatchObject({
      cadence: 'daily',
      key: '2026-12-01',
      start: '2026-12-01',
      last: '2026-12-01',
      days: ['2026-12-01'],
      startAt: '2026-12-01T00:00:00.000Z',
      endAt: '2026-12-02T00:00:00.000Z',
    });
    expect(p.previous).toMatchObject({ key: '2026-11-30', days: ['2026-11-30'] });
    // Late in the day (a retry, a slow continuation) it is still the same digest.
    expect(digestPeriod('daily', new Date('2026-12-02T23:59:59Z')).key).toBe('2026-12-01');
  });

  it('a weekly digest covers the ISO week before, keyed by ISO week (Monday to Sunday)', () => {
    const p = digestPeriod('weekly', new Date('2026-11-30T07:00:00Z'));
    expect(p.key).toBe('2026-W48');
    expect(p.days).toEqual([
      '2026-11-23',
      '2026-11-24',
      '2026-11-25',
      '2026-11-26',
      '2026-11-27',
      '2026-11-28',
      '2026-11-29',
    ]);
    expect(p.endAt).toBe('2026-11-30T00:00:00.000Z');
    expect(p.previous).toMatchObject({ key: '2026-W47', start: '2026-11-16', last: '2026-11-22' });
  });

  it('keys the week across a year end by its ISO week-year (2026 has 53 weeks)', () => {
    const p = digestPeriod('weekly', new Date('2027-01-04T07:00:00Z'));
    expect(p).toMatchObject({ key: '2026-W53', start: '2026-12-28', last: '2027-01-03' });
    expect(p.previous.key).toBe('2026-W52');
  });

  it('sends weekly digests on Mondays by the UTC day of the firing, daily ones every day', () => {
    expect(isDigestDay('weekly', new Date('2026-11-30T07:00:00Z'))).toBe(true);
    // Monday already in Stockholm, still Sunday in UTC.
    expect(isDigestDay('weekly', new Date('2026-11-29T23:30:00Z'))).toBe(false);
    expect(isDigestDay('weekly', tuesday)).toBe(false);
    for (let d = 0; d < 7; d++)
      expect(isDigestDay('daily', new Date(Date.UTC(2026, 10, 29 + d, 7)))).toBe(true);
  });

  it('is weekly by default, none without owners or when turned off', () => {
    expect(digestCadence({ owners: ['a@x.test'] })).toBe('weekly');
    expect(digestCadence({ owners: ['a@x.test'], digest: 'daily' })).toBe('daily');
    expect(digestCadence({ owners: ['a@x.test'], digest: 'off' })).toBeUndefined();
    expect(digestCadence({ owners: [], digest: 'daily' })).toBeUndefined();
    expect(digestCadence({})).toBeUndefined();
  });

  it('is due for published surveys, and for one unpublished during the period, not before it', () => {
    expect(dueDigest(daily(), tuesday)?.key).toBe('2026-12-01');
    expect(dueDigest(daily({ state: 'draft' }), tuesday)).toBeUndefined();
    expect(
      dueDigest(daily({ state: 'unpublished', unpublishedAt: '2026-12-01T15:00:00.000Z' }), tuesday)?.key,
    ).toBe('2026-12-01');
    expect(
      dueDigest(daily({ state: 'unpublished', unpublishedAt: '2026-11-30T23:59:59.000Z' }), tuesday),
    ).toBe(undefined);
    expect(dueDigest(survey(), tuesday)).toBeUndefined(); // weekly, and a Tuesday
    expect(dueDigest(survey(), new Date('2026-11-30T07:00:00Z'))?.key).toBe('2026-W48');
    // Nothing about a period that ended before the survey was first published.
    expect(dueDigest(daily({ publishedAt: '2026-12-02T06:00:00.000Z' }), tuesday)).toBeUndefined();
    expect(dueDigest(daily({ publishedAt: '2026-12-01T23:00:00.000Z' }), tuesday)?.key).toBe('2026-12-01');
  });

  it('emails each owner once, whatever the case of the address', () => {
    expect(digestRecipients({ owners: ['Ann@Team.test', 'bo@team.test', 'ann@team.test', ' '] })).toEqual([
      'Ann@Team.test',
      'bo@team.test',
    ]);
  });
});

describe('digest content', () => {
  // NPS by hand: 1 Dec: 30 promoters, 5 passives, 5 detractors of 40 → 100 × (30 − 5) / 40 = 62.5;
  // margin 1.96 × 100 × √((0.75 + 0.125 − 0.625²) / 40) = 21.57. 30 Nov: 10, 10, 20 → −25,
  // margin 1.96 × 100 × √((0.25 + 0.5 − 0.0625) / 40) = 25.70. z = 87.5 / √(11.00² + 13.11²) = 5.1.
  const rising = {
    '2026-11-29': counts({ 0: 7 }),
    '2026-11-30': counts({ 10: 10, 8: 10, 3: 20 }),
    '2026-12-01': counts({ 10: 30, 8: 5, 3: 5 }),
    '2026-12-02': counts({ 0: 9 }),
  };

  it('gives the period’s score with its margin, the day before, and the change judged significant', () => {
    const c = content({ survey: daily(), days: rising });
    expect(c.current.headline).toMatchObject({ value: 62.5, n: 40 });
    expect(c.current.headline.margin).toBeCloseTo(21.6, 1);
    expect(c.previous.headline).toMatchObject({ value: -25, n: 40 });
    expect(c.previous.headline.margin).toBeCloseTo(25.7, 1);
    expect(c.change?.significant).toBe(true);
    expect(c.verdict).toBe('up');
    expect(c.split).toEqual([
      { segment: 'promoter', count: 30, share: 0.75 },
      { segment: 'passive', count: 5, share: 0.125 },
      { segment: 'detractor', count: 5, share: 0.125 },
    ]);
    expect(c.low).toMatchObject({ segment: 'detractor', count: 5 });
    const email = renderDigestEmail(c, 'en');
    expect(email.subject).toBe('Daily digest · Q4 NPS: NPS +62.5, 40 answers');
    expect(email.text).toContain('NPS that day: +62.5 ± 21.6 · 40 answers');
    expect(email.text).toContain('Up 87.5 from -25: more than chance explains at 95 % (p < 0.001).');
    expect(email.text).toContain('The day before: -25 ± 25.7 · 40 answers');
    expect(email.html).toContain('Up 87.5 from -25: more than chance explains at 95 % (p &lt; 0.001).');
  });

  it('says a fall, a change within chance, one it cannot test, and when there is nothing to compare', () => {
    const falling = content({
      survey: daily(),
      days: { '2026-11-30': rising['2026-12-01'], '2026-12-01': rising['2026-11-30'] },
    });
    expect(falling.verdict).toBe('down');
    expect(renderDigestEmail(falling, 'en').text).toContain(
      'Down 87.5 from +62.5: more than chance explains',
    );

    // 2 promoters and 1 detractor against 1 and 2: z = 66.7 / 77.0 = 0.87, p = 0.39.
    const small = content({
      survey: daily(),
      days: { '2026-11-30': counts({ 10: 1, 3: 2 }), '2026-12-01': counts({ 10: 2, 3: 1 }) },
    });
    expect(small.verdict).toBe('within');
    expect(small.change?.pValue).toBeCloseTo(0.386, 2);
    // The change is told between the figures shown (33.3 and −33.3), as the dashboard's trend does.
    expect(renderDigestEmail(small, 'en').text).toContain(
      'A change of +66.6 from -33.3, within what chance explains at 95 % (p = 0.386): it may be noise.',
    );

    // Everyone a promoter on both days: no spread, no test.
    const flat = content({
      survey: daily(),
      days: { '2026-11-30': counts({ 10: 3 }), '2026-12-01': counts({ 9: 4 }) },
    });
    expect(flat.verdict).toBe('untestable');
    expect(renderDigestEmail(flat, 'en').text).toContain(
      'The change from +100 cannot be tested: too few answers.',
    );

    const none = content({ survey: daily(), days: { '2026-12-01': counts({ 10: 1 }) } });
    expect(none.verdict).toBe('noPrevious');
    const quiet = content({ survey: daily(), days: { '2026-11-30': counts({ 10: 1 }) } });
    expect(quiet.verdict).toBe('noAnswers');
    expect(renderDigestEmail(quiet, 'en').subject).toBe('Daily digest · Q4 NPS: no answers');
  });

  it('judges CSAT by its mean with Welch’s test, and lists low ratings', () => {
    const csat = daily({ kind: 'csat', scale: { min: 1, max: 5 }, name: 'Support CSAT' });
    // Means 4.5 (n = 4: 5, 5, 4, 4) against 2 (n = 4: 1, 1, 3, 3): t = 2.5 / √(1/3/4 + 4/3/4) = 3.87.
    const c = content({
      survey: csat,
      days: { '2026-11-30': counts({ 1: 2, 3: 2 }), '2026-12-01': counts({ 5: 2, 4: 2 }) },
      comments: [feedEntry({ score: 1, segment: 'low', comment: 'Nobody answered' })],
    });
    expect(c.current.headline.value).toBe(4.5);
    expect(c.verdict).toBe('up');
    expect(c.low.segment).toBe('low');
    expect(c.split.map((s) => s.segment)).toEqual(['high', 'neutral', 'low']);
    const text = renderDigestEmail(c, 'en').text;
    expect(text).toContain('Up 2.5 from 2: more than chance explains at 95 %');
    expect(text).toContain('New low ratings');
    expect(text).toContain('1/5 · Dec 1, 2026');
  });

  it('adds up a week’s days for a weekly digest', () => {
    const c = content({
      at: new Date('2026-11-30T07:00:00Z'),
      days: {
        '2026-11-16': counts({ 10: 1 }),
        '2026-11-22': counts({ 3: 1 }),
        '2026-11-23': counts({ 10: 2 }),
        '2026-11-29': counts({ 8: 1, 2: 1 }),
        '2026-11-30': counts({ 0: 5 }),
      },
    });
    expect(c.period.key).toBe('2026-W48');
    expect(c.current.counts.responses).toBe(4);
    expect(c.current.headline.value).toBe(25); // (2 − 1) / 4
    expect(c.previous.counts.responses).toBe(2);
    const email = renderDigestEmail(c, 'en');
    expect(email.subject).toBe('Weekly digest · Q4 NPS: NPS +25, 4 answers');
    expect(email.text).toContain('Nov 23, 2026 – Nov 29, 2026 (UTC)');
    expect(email.text).toContain('The week before:');
  });

  it('gives the response rate of the waves open during the period: answers over delivered', () => {
    const s = daily();
    const c = content({
      survey: s,
      days: { '2026-12-01': counts({ 10: 1 }) },
      waves: [
        // Closed before the period: left out.
        wave(s, 'w_aaaaaaaaaaaaaaa1', {
          counts: { ...zeroCounts(), sent: 100 },
          closedAt: '2026-11-15T09:00:00.000Z',
        }),
        wave(s, 'w_aaaaaaaaaaaaaaa2', {
          startedAt: '2026-11-25T09:00:00.000Z',
          closesAt: '2026-12-09T09:00:00.000Z',
          counts: { ...zeroCounts(), sent: 20, bounced: 2 },
        }),
        wave(s, 'w_aaaaaaaaaaaaaaa3', {
          startedAt: '2026-12-01T12:00:00.000Z',
          closesAt: '2026-12-15T12:00:00.000Z',
          counts: { ...zeroCounts(), sent: 12 },
        }),
        // Started after the period ended: left out.
        wave(s, 'w_aaaaaaaaaaaaaaa4', {
          startedAt: '2026-12-02T06:00:00.000Z',
          closesAt: '2026-12-16T06:00:00.000Z',
          counts: { ...zeroCounts(), sent: 50 },
        }),
      ],
      waveAnswers: {
        w_aaaaaaaaaaaaaaa1: counts({ 10: 50 }),
        w_aaaaaaaaaaaaaaa2: counts({ 10: 9 }),
        w_aaaaaaaaaaaaaaa3: counts({ 10: 3 }),
        w_aaaaaaaaaaaaaaa4: counts({ 10: 40 }),
      },
    });
    // (9 + 3) / ((20 − 2) + 12)
    expect(c.responseRate).toMatchObject({ rate: 0.4, responded: 12, delivered: 30 });
    expect(c.responseRate.waves.map((w) => w.waveId)).toEqual(['w_aaaaaaaaaaaaaaa2', 'w_aaaaaaaaaaaaaaa3']);
    expect(renderDigestEmail(c, 'en').text).toContain(
      'Response rate: 40% (12 of 30 delivered invitations) Of the waves open during the period.',
    );
  });

  it('counts open and overdue follow-ups at the firing, and lists the first five', () => {
    const c = content({
      survey: daily(),
      followUps: [
        followUp({
          id: 'fu_1',
          dueAt: '2026-11-30T00:00:00.000Z',
          contactName: 'Bo',
          contactEmail: 'bo@c.test',
        }),
        followUp({ id: 'fu_2', dueAt: '2026-12-02T06:59:59.000Z', assignee: 'Eva' }),
        ...Array.from({ length: 5 }, (_, i) =>
          followUp({ id: `fu_x${i}`, dueAt: '2026-12-05T00:00:00.000Z' }),
        ),
      ],
    });
    expect(c.followUps).toMatchObject({ open: 7, overdue: 2, complete: true });
    expect(c.followUps.first).toHaveLength(5);
    expect(c.followUps.first[0]).toMatchObject({ who: 'Bo <bo@c.test>', overdue: true });
    const text = renderDigestEmail(c, 'en').text;
    expect(text).toContain('7 open, 2 overdue.');
    expect(text).toContain('2/10 Detractor · overdue since Dec 2, 2026 · assigned to Eva');
    expect(text).toContain('All follow-ups: https://feedback.example.test/admin/followups');
  });

  it('links the survey, its detractor comments and its settings on the dashboard', () => {
    const s = daily();
    const c = content({ survey: s });
    expect(c.links).toEqual({
      survey: `https://feedback.example.test/admin/surveys/${s.id}`,
      comments: `https://feedback.example.test/admin/surveys/${s.id}?segment=detractor#comments`,
      followUps: 'https://feedback.example.test/admin/followups',
      settings: `https://feedback.example.test/admin/surveys/${s.id}/edit`,
    });
    expect(renderDigestEmail(c, 'en').html).toContain(
      `href="https://feedback.example.test/admin/surveys/${s.id}"`,
    );
  });
});

describe('digest email: escaping', () => {
  it('escapes a comment, a survey name and a contact that carry markup in every field', () => {
    const c = content({
      survey: daily({ name: 'A & B <i>NPS</i>' }),
      days: { '2026-12-01': counts({ 3: 1 }) },
      comments: [feedEntry({ comment: '<script>alert("x")</script>\nsecond line' })],
      followUps: [
        followUp({
          contactName: '<img src=x onerror=alert(1)>',
          comment: '</td></tr><script>steal()</script>',
          assignee: '"><b>me</b>',
        }),
      ],
    });
    for (const locale of supportedLocales) {
      const { html } = renderDigestEmail(c, locale);
      expect(html).not.toMatch(/<script|<img|<i>|<b>|onerror=alert\(1\)>/);
      expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>second line');
      expect(html).toContain('A &amp; B &lt;i&gt;NPS&lt;/i&gt;');
      expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
      expect(html).toContain('&lt;/td&gt;&lt;/tr&gt;&lt;script&gt;steal()&lt;/script&gt;');
      expect(html).toContain('&quot;&gt;&lt;b&gt;me&lt;/b&gt;');
    }
  });

  it('keeps the subject on one line', () => {
    const c = content({ survey: daily({ name: 'Line one\nline two' }) });
    expect(renderDigestEmail(c, 'en').subject).toBe('Daily digest · Line one line two: no answers');
  });

  it('draws the split as one row of cells whose widths add up to the whole', () => {
    const c = content({ survey: daily(), days: { '2026-12-01': counts({ 10: 1, 8: 1, 3: 1 }) } });
    const html = renderDigestEmail(c, 'en').html;
    const widths = [...html.matchAll(/<td width="([\d.]+)%" bgcolor="(#[0-9a-f]{6})"/g)];
    expect(widths.map((w) => w[2])).toEqual(['#0072b2', '#787878', '#d55e00']);
    expect(widths.reduce((sum, w) => sum + Number(w[1]), 0)).toBeCloseTo(100, 1);
    expect(html).not.toMatch(/<svg/);
  });
});

describe('digest email: locales', () => {
  const c = content({
    survey: daily({ defaultLocale: 'sv' }),
    days: { '2026-11-30': counts({ 10: 1, 3: 2 }), '2026-12-01': counts({ 10: 2, 3: 1 }) },
    comments: [feedEntry({})],
    followUps: [followUp({ dueAt: '2026-11-30T00:00:00.000Z' })],
  });

  it('speaks the survey’s default locale', () => {
    const email = renderDigestEmail(c);
    expect(email.subject).toBe('Daglig sammanfattning · Q4 NPS: NPS +33,3, 3 svar');
    expect(email.html).toContain('<html lang="sv" dir="ltr">');
    expect(email.text).toContain('Nya motståndare');
    expect(email.text).toContain('inom vad slumpen kan förklara på 95 %-nivån (p = 0,386)');
  });

  it.each([
    ['en', 'Daily digest', 'New detractors', 'Open follow-ups'],
    ['sv', 'Daglig sammanfattning', 'Nya motståndare', 'Öppna uppföljningar'],
    ['zh-CN', '每日摘要', '新的批评者', '待处理的跟进'],
    ['zh-TW', '每日摘要', '新的批評者', '待處理的後續追蹤'],
  ] as const)('%s: its own words, every placeholder filled', (locale, title, low, followUps) => {
    const email = renderDigestEmail(c, locale);
    expect(email.subject.startsWith(title)).toBe(true);
    expect(email.html).toContain(`lang="${locale}"`);
    for (const part of [email.subject, email.html, email.text]) {
      expect(part).not.toMatch(/\{\w+\}/);
    }
    expect(email.html).toContain(low);
    expect(email.text).toContain(followUps);
  });
});

/** Every leaf of a catalogue as [dotted key, text]. */
function leaves(value: unknown, prefix = ''): [string, string][] {
  if (typeof value === 'string') return [[prefix, value]];
  if (value === null || typeof value !== 'object') throw new Error(`${prefix} is not text`);
  return Object.entries(value).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}

describe('digest catalogues', () => {
  const english = new Map(leaves(digestMessages('en')));

  it.each(supportedLocales)('%s has exactly the English keys, none empty, same placeholders', (locale) => {
    const own = new Map(leaves(digestMessages(locale)));
    expect([...own.keys()].sort()).toEqual([...english.keys()].sort());
    for (const [key, text] of own) {
      expect(text.trim(), `${locale} ${key}`).not.toBe('');
      expect(placeholdersOf(text), `${locale} ${key}`).toEqual(placeholdersOf(english.get(key) ?? ''));
    }
  });

  it.each(supportedLocales.filter((l) => l !== 'en'))('%s is translated, not a copy of English', (locale) => {
    const own = new Map(leaves(digestMessages(locale)));
    const differ = [...english].filter(([key, text]) => own.get(key) !== text).length;
    expect(differ / english.size).toBeGreaterThanOrEqual(0.75);
  });

  it('writes Swedish percentages with a space, as "95 %"', () => {
    for (const [key, text] of leaves(digestMessages('sv'))) expect(text, key).not.toMatch(/\d%/);
  });

  it.each(['zh-CN', 'zh-TW'] as const)('%s uses full-width punctuation beside Chinese text', (locale) => {
    const han = '[\\u3400-\\u9fff]';
    const halfWidth = new RegExp(`${han}[,.:;!?()]|[,:;!?(]${han}`);
    for (const [key, text] of leaves(digestMessages(locale)))
      expect(text, `${locale} ${key}`).not.toMatch(halfWidth);
  });

  it('types every catalogue as the English one', () => {
    const check: Record<Locale, DigestMessages> = {
      en: digestMessages('en'),
      sv: digestMessages('sv'),
      'zh-CN': digestMessages('zh-CN'),
      'zh-TW': digestMessages('zh-TW'),
    };
    expect(Object.keys(check)).toEqual([...supportedLocales]);
  });
});

describe('sending digests', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const ses = mockClient(SESv2Client);
  const unpaced: Pacer = { take: async () => {} };
  const owners = ['ann@team.test', 'bo@team.test'];
  const s = daily({ owners });
  const weekly = survey({ owners: ['cy@team.test'] });
  let updates: Record<string, unknown>[] = [];
  let claimAnswer: () => unknown;

  const run = () =>
    sendDigests({
      at: tuesday,
      deadline: Date.now() + 60_000,
      stopBy: Date.now() + 60_000,
      pacer: async () => unpaced,
    });
  const conditionFailed = (item: Record<string, unknown>) =>
    Object.assign(new Error('The conditional request failed'), {
      name: 'ConditionalCheckFailedException',
      Item: item,
    });
  const claims = () =>
    updates.filter((u) => String(u.ConditionExpression).includes('attribute_not_exists(pk)'));
  const sentTos = () => updates.filter((u) => String(u.UpdateExpression).startsWith('SET sentTo.'));
  const finishedMessageId = () =>
    (finished()[0]?.ExpressionAttributeValues as Record<string, unknown> | undefined)?.[':mid'];
  const finished = () => updates.filter((u) => String(u.UpdateExpression).includes(':sent'));
  const released = () =>
    updates.filter(
      (u) =>
        (u.ExpressionAttributeValues as Record<string, unknown>)[':released'] === 'released' &&
        String(u.UpdateExpression) === 'SET #status = :released',
    );
  const recipients = () =>
    ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input.Destination?.ToAddresses?.[0]);

  beforeEach(() => {
    ddb.reset();
    ses.reset();
    updates = [];
    claimAnswer = () => ({ Attributes: { sentTo: {} } });
    ddb
      .on(QueryCommand)
      .callsFake((input: { TableName: string; ExpressionAttributeValues: Record<string, unknown> }) => {
        if (input.TableName === 'surveys' && input.ExpressionAttributeValues[':p'] === 'SURVEYS')
          return { Items: [weekly, s].map((x) => ({ ...x, pk: `SURVEY#${x.id}`, sk: 'SURVEY' })) };
        if (input.TableName === 'aggregates')
          return { Items: [{ surveyId: s.id, key: 'D#2026-12-01', responses: 2, sum: 13, d10: 1, d3: 1 }] };
        return { Items: [] };
      });
    ddb.on(UpdateCommand).callsFake((input: Record<string, unknown>) => {
      updates.push(input);
      if (String(input.ConditionExpression).includes('attribute_not_exists(pk)')) return claimAnswer();
      return {};
    });
    let n = 0;
    ses.on(SendEmailCommand).callsFake(() => ({ MessageId: `m${++n}` }));
  });

  it('claims the digest, emails each owner (tagged, no invitation token), records each, then marks it sent', async () => {
    const result = await run();
    expect(result.outcomes).toEqual({ [s.id]: 'sent' });
    expect(result.deferred).toEqual([]);
    expect(claims()).toHaveLength(1);
    expect(claims()[0]?.Key).toEqual({ pk: `DIGEST#${s.id}`, sk: '2026-12-01' });
    expect(recipients()).toEqual(owners);
    const input = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(input?.EmailTags).toEqual([
      { Name: 'type', Value: 'digest' },
      { Name: 'survey', Value: s.id },
    ]);
    expect(input?.Content?.Simple?.Subject?.Data).toBe('Daily digest · Q4 NPS: NPS 0, 2 answers');
    expect(
      sentTos().map((u) => [
        (u.ExpressionAttributeNames as Record<string, string>)['#owner'],
        (u.ExpressionAttributeValues as Record<string, string>)[':outcome'],
      ]),
    ).toEqual([
      ['ann@team.test', 'm1'],
      ['bo@team.test', 'm2'],
    ]);
    expect(finished()).toHaveLength(1);
    expect(finishedMessageId()).toBe('m1');
    // The weekly survey is not due on a Tuesday: never claimed.
    expect(claims().some((u) => (u.Key as { pk: string }).pk === `DIGEST#${weekly.id}`)).toBe(false);
  });

  it('sends nothing when another firing has sent it or holds a fresh claim', async () => {
    claimAnswer = () => {
      throw conditionFailed({ status: { S: 'sent' } });
    };
    expect((await run()).outcomes).toEqual({ [s.id]: 'already-sent' });
    claimAnswer = () => {
      throw conditionFailed({ status: { S: 'sending' } });
    };
    expect((await run()).outcomes).toEqual({ [s.id]: 'in-progress' });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('taking over a stale claim, emails only the owners SES had not taken', async () => {
    claimAnswer = () => ({ Attributes: { sentTo: { 'ann@team.test': 'm0' } } });
    expect((await run()).outcomes).toEqual({ [s.id]: 'sent' });
    expect(recipients()).toEqual(['bo@team.test']);
    expect(finishedMessageId()).toBe('m0');
  });

  it('never repeats an SES call that got no answer, and leaves the claim unfinished', async () => {
    ses
      .on(SendEmailCommand)
      .callsFakeOnce(() => {
        throw Object.assign(new Error('socket hang up'), { name: 'Error' });
      })
      .callsFake(() => ({ MessageId: 'm2' }));
    expect((await run()).outcomes).toEqual({ [s.id]: 'unconfirmed' });
    expect(recipients()).toEqual(owners);
    expect(sentTos()).toHaveLength(1);
    expect(finished()).toHaveLength(0);
    expect(released()).toHaveLength(0);
  });

  it('gives the claim back when the SES account cannot send, and asks for the run to be tried again', async () => {
    ses.on(SendEmailCommand).rejects(
      Object.assign(new Error('Sending paused'), {
        name: 'SendingPausedException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const result = await run();
    expect(result.outcomes).toEqual({ [s.id]: 'account' });
    expect(result.deferred).toEqual([s.id]);
    expect(released()).toHaveLength(1);
    expect(finished()).toHaveLength(0);
  });

  it('records an address SES refuses for good and still sends the others', async () => {
    ses
      .on(SendEmailCommand)
      .callsFakeOnce(() => {
        throw Object.assign(new Error('Address blacklisted'), {
          name: 'MessageRejected',
          $metadata: { httpStatusCode: 400 },
        });
      })
      .callsFake(() => ({ MessageId: 'm2' }));
    expect((await run()).outcomes).toEqual({ [s.id]: 'sent' });
    expect(sentTos().map((u) => (u.ExpressionAttributeValues as Record<string, string>)[':outcome'])).toEqual(
      ['refused', 'm2'],
    );
  });

  it('stops starting surveys past the deadline and says where to go on', async () => {
    const second = daily({ owners: ['dee@team.test'] });
    ddb
      .on(QueryCommand)
      .callsFake((input: { TableName: string; ExpressionAttributeValues: Record<string, unknown> }) =>
        input.TableName === 'surveys' && input.ExpressionAttributeValues[':p'] === 'SURVEYS'
          ? { Items: [s, second].map((x) => ({ ...x, pk: `SURVEY#${x.id}`, sk: 'SURVEY' })) }
          : { Items: [] },
      );
    const [first, later] = [s, second].sort((a, b) => (a.id < b.id ? -1 : 1));
    const result = await sendDigests({
      at: tuesday,
      deadline: Date.now() - 1,
      stopBy: Date.now() + 60_000,
      pacer: async () => unpaced,
    });
    // At least one survey per invocation, whatever the time.
    expect(Object.keys(result.outcomes)).toEqual([first?.id]);
    expect(result.next).toBe(first?.id);
    const rest = await sendDigests({
      at: tuesday,
      after: result.next,
      deadline: Date.now() - 1,
      stopBy: Date.now() + 60_000,
      pacer: async () => unpaced,
    });
    expect(Object.keys(rest.outcomes)).toEqual([later?.id]);
    expect(rest.next).toBeUndefined();
  });
});
