/**
 * The words of alert messages (Slack and email) in each locale. Every catalogue is declared with
 * `satisfies AlertMessages`, so a missing key is a compile error; each locale uses the same
 * {placeholders} per key (test/unit/alert-render.test.ts checks it). Segment words follow the
 * dashboard's (shared/dashboard/i18n), so an alert names a group as the charts do.
 */

import { oneLine } from '../email/headers.ts';
import { fill } from '../i18n/format.ts';
import type { Locale } from '../locales.ts';
import type { Segment, SurveyKind } from '../scoring.ts';

export interface AlertMessages {
  /** One answer's group, e.g. "Detractor", "Low rating". */
  segment: Record<Segment, string>;
  /** The title of a single alert; {survey}. */
  headline: Record<Segment, string>;
  /** A single alert's subject and Slack fallback; {headline}, {score}. */
  title: string;
  /** An NPS score with its scale; {score}, {max}. */
  scoreOutOf: string;
  /** A line of the plain-text part; {label}, {value}. */
  labelled: string;
  score: string;
  contact: string;
  survey: string;
  answered: string;
  anonymous: string;
  noComment: string;
  /** Said when an edit, not a new answer, fired the alert. */
  changed: string;
  openAnswer: string;
  /** A window's summary naming its rule; {n} (always 2 or more), {rule}. */
  manyRule: string;
  /** A window's summary of a rule without a name; {n} (always 2 or more), {survey}. */
  manySurvey: string;
  /** After the listed answers; {n}. */
  more: string;
  openDashboard: string;
  /** Why the reader gets the email; {survey}. */
  footer: string;
}

const en = {
  segment: {
    promoter: 'Promoter',
    passive: 'Passive',
    detractor: 'Detractor',
    low: 'Low rating',
    neutral: 'Neutral rating',
    high: 'High rating',
  },
  headline: {
    promoter: 'New promoter on {survey}',
    passive: 'New passive on {survey}',
    detractor: 'New detractor on {survey}',
    low: 'New low rating on {survey}',
    neutral: 'New neutral rating on {survey}',
    high: 'New high rating on {survey}',
  },
  title: '{headline}: {score}',
  scoreOutOf: '{score}/{max}',
  labelled: '{label}: {value}',
  score: 'Score',
  contact: 'From',
  survey: 'Survey',
  answered: 'Answered',
  anonymous: 'Anonymous',
  noComment: 'No comment',
  changed: 'The answer was changed.',
  openAnswer: 'Open the answer',
  manyRule: '{n} answers matched “{rule}” in the last hour',
  manySurvey: '{n} answers on {survey} matched an alert in the last hour',
  more: 'and {n} more',
  openDashboard: 'Open the dashboard',
  footer: 'You get this email because an alert rule on {survey} sends to your address.',
} satisfies AlertMessages;

// Swedish with the dashboard's words (promotor, motståndare, betyg, enkät, instrumentpanel); an
// alert is an "avisering", as Slack and the phones write it.
const sv = {
  segment: {
    promoter: 'Promotor',
    passive: 'Passiv',
    detractor: 'Motståndare',
    low: 'Lågt betyg',
    neutral: 'Neutralt betyg',
    high: 'Högt betyg',
  },
  headline: {
    promoter: 'Ny promotor i {survey}',
    passive: 'Nytt passivt svar i {survey}',
    detractor: 'Ny motståndare i {survey}',
    low: 'Nytt lågt betyg i {survey}',
    neutral: 'Nytt neutralt betyg i {survey}',
    high: 'Nytt högt betyg i {survey}',
  },
  title: '{headline}: {score}',
  scoreOutOf: '{score}/{max}',
  labelled: '{label}: {value}',
  score: 'Betyg',
  contact: 'Från',
  survey: 'Enkät',
  answered: 'Besvarad',
  anonymous: 'Anonym',
  noComment: 'Ingen kommentar',
  changed: 'Svaret har ändrats.',
  openAnswer: 'Öppna svaret',
  manyRule: '{n} svar uppfyllde aviseringsregeln ”{rule}” den senaste timmen',
  manySurvey: '{n} svar i {survey} utlöste en avisering den senaste timmen',
  more: 'och {n} till',
  openDashboard: 'Öppna instrumentpanelen',
  footer: 'Du får det här mejlet eftersom en aviseringsregel i {survey} skickar till din adress.',
} satisfies AlertMessages;

// Simplified Chinese with the dashboard's words (推荐者, 被动者, 批评者, 调查, 回答, 评论, 仪表盘);
// names in “”, full-width punctuation.
const zhCN = {
  segment: {
    promoter: '推荐者',
    passive: '被动者',
    detractor: '批评者',
    low: '低分',
    neutral: '中等',
    high: '高分',
  },
  headline: {
    promoter: '“{survey}”收到新的推荐者回答',
    passive: '“{survey}”收到新的被动者回答',
    detractor: '“{survey}”收到新的批评者回答',
    low: '“{survey}”收到新的低分回答',
    neutral: '“{survey}”收到新的中等评分回答',
    high: '“{survey}”收到新的高分回答',
  },
  title: '{headline}：{score}',
  scoreOutOf: '{score}/{max}',
  labelled: '{label}：{value}',
  score: '得分',
  contact: '回答者',
  survey: '调查',
  answered: '回答时间',
  anonymous: '匿名',
  noComment: '没有评论',
  changed: '该回答已被修改。',
  openAnswer: '查看回答',
  manyRule: '过去一小时内有 {n} 个回答符合提醒规则“{rule}”',
  manySurvey: '过去一小时内，“{survey}”有 {n} 个回答触发了提醒',
  more: '还有 {n} 个回答',
  openDashboard: '打开仪表盘',
  footer: '您收到这封邮件，是因为“{survey}”的一条提醒规则会发送到您的邮箱。',
} satisfies AlertMessages;

// Traditional Chinese with Taiwan usage, as the dashboard writes it (推薦者, 問卷, 回覆, 意見, 儀表板);
// names in 「」, full-width punctuation.
const zhTW = {
  segment: {
    promoter: '推薦者',
    passive: '被動者',
    detractor: '批評者',
    low: '低分',
    neutral: '中等',
    high: '高分',
  },
  headline: {
    promoter: '「{survey}」收到新的推薦者回覆',
    passive: '「{survey}」收到新的被動者回覆',
    detractor: '「{survey}」收到新的批評者回覆',
    low: '「{survey}」收到新的低分回覆',
    neutral: '「{survey}」收到新的中等評分回覆',
    high: '「{survey}」收到新的高分回覆',
  },
  title: '{headline}：{score}',
  scoreOutOf: '{score}/{max}',
  labelled: '{label}：{value}',
  score: '分數',
  contact: '填答者',
  survey: '問卷',
  answered: '回覆時間',
  anonymous: '匿名',
  noComment: '沒有意見',
  changed: '此回覆已被修改。',
  openAnswer: '查看回覆',
  manyRule: '過去一小時內有 {n} 則回覆符合通知規則「{rule}」',
  manySurvey: '過去一小時內，「{survey}」有 {n} 則回覆觸發了通知',
  more: '還有 {n} 則回覆',
  openDashboard: '開啟儀表板',
  footer: '您收到這封郵件，是因為「{survey}」的一項通知規則會寄送到您的信箱。',
} satisfies AlertMessages;

// A Record over Locale: a new locale does not compile until alerts speak it too.
const catalogues: Record<Locale, AlertMessages> = { en, sv, 'zh-CN': zhCN, 'zh-TW': zhTW };

export const alertMessages = (locale: Locale): AlertMessages => catalogues[locale];

/**
 * A score as an alert shows it: NPS with its fixed scale ("3/10"); CSAT and CES alone, because an
 * event names the kind, not the survey's scale (1–3, 1–5 or 1–7), and the segment word says the rest.
 */
export const scoreText = (m: AlertMessages, kind: SurveyKind, score: number): string =>
  kind === 'nps' ? fill(m.scoreOutOf, { score: String(score), max: '10' }) : String(score);

/** "3/10 · Detractor". */
export const scoreAndSegment = (
  m: AlertMessages,
  kind: SurveyKind,
  score: number,
  segment: Segment,
): string => `${scoreText(m, kind, score)} · ${m.segment[segment]}`;

/** A single alert's title on one line, e.g. "New detractor on Q1 NPS: 3/10". */
export const alertTitle = (
  m: AlertMessages,
  answer: { surveyName: string; kind: SurveyKind; score: number; segment: Segment },
): string =>
  fill(m.title, {
    headline: fill(m.headline[answer.segment], { survey: oneLine(answer.surveyName) }),
    score: scoreText(m, answer.kind, answer.score),
  });

/** "Ada Lovelace (ada@example.com)", the address alone without a name; undefined when anonymous. */
export function contactText(contact: { email: string; name: string | null } | null): string | undefined {
  if (!contact) return undefined;
  const name = contact.name?.trim();
  return name ? `${name} (${contact.email})` : contact.email;
}
