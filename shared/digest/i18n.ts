/**
 * The digest's words in each locale. English is the catalogue the others mirror key for key, with
 * the same {placeholders} (test/unit/digest.test.ts checks both); each is declared `satisfies
 * DigestMessages`, so a missing key does not compile. Kind and segment names are the dashboard's
 * (shared/dashboard/i18n), so a digest names a group as the charts it links to do.
 */
import { fill } from '../i18n/format.ts';
import type { Locale } from '../locales.ts';

const en = {
  title: { daily: 'Daily digest', weekly: 'Weekly digest' },
  /** A line of the plain-text part; {label}, {value}. */
  labelled: '{label}: {value}',
  /** {title}, {survey}, {kind}, {score}, {answers} (e.g. "12 answers"). */
  subject: '{title} · {survey}: {kind} {score}, {answers}',
  subjectNone: '{title} · {survey}: no answers',
  answers: { one: '{n} answer', other: '{n} answers' },
  periodDay: '{date} (UTC)',
  periodWeek: '{from} – {to} (UTC)',
  /** The score block's label; {kind}. */
  current: { daily: '{kind} that day', weekly: '{kind} that week' },
  previous: { daily: 'The day before', weekly: 'The week before' },
  allTime: 'All time',
  /** A score with its margin and answers; {score}, {margin}, {answers}. */
  figure: '{score} {margin} · {answers}',
  noFigure: 'No answers',
  change: {
    up: 'Up {change} from {before}: more than chance explains at 95 % ({p}).',
    down: 'Down {change} from {before}: more than chance explains at 95 % ({p}).',
    within: 'A change of {change} from {before}, within what chance explains at 95 % ({p}): it may be noise.',
    untestable: 'The change from {before} cannot be tested: too few answers.',
    noPrevious: 'No answers in the period before to compare with.',
    noAnswers: 'No answers in this period.',
  },
  splitHeading: 'How the answers split',
  /** {segment}, {count}, {share}. */
  splitItem: '{segment}: {count} ({share})',
  responses: 'Answers',
  responseRate: 'Response rate',
  /** {rate}, {responded}, {delivered}. */
  rateValue: '{rate} ({responded} of {delivered} delivered invitations)',
  rateNote: 'Of the waves open during the period.',
  noRate: 'No invitations delivered in waves open during the period.',
  low: { detractor: 'New detractors', low: 'New low ratings' },
  /** {n}. */
  lowCount: 'In this period: {n}.',
  noComments: 'None of them left a comment.',
  /** {score}, {date}. */
  commentMeta: '{score} · {date}',
  scoreOutOf: '{score}/{max}',
  edited: 'edited',
  moreComments: 'More comments in the dashboard',
  followUps: 'Open follow-ups',
  /** {open}, {overdue}. */
  followUpsCount: '{open} open, {overdue} overdue.',
  noFollowUps: 'No open follow-ups.',
  /** {date}. */
  due: 'due {date}',
  overdue: 'overdue since {date}',
  /** {name}. */
  assignedTo: 'assigned to {name}',
  unassigned: 'unassigned',
  anonymous: 'Anonymous',
  openAnswer: 'Open the answer',
  allFollowUps: 'All follow-ups',
  openSurvey: 'Open the survey in the dashboard',
  /** {survey}. */
  footer: {
    daily: 'You get this daily digest as an owner of {survey}.',
    weekly: 'You get this weekly digest as an owner of {survey}.',
  },
  settings: 'Change how often it comes, or turn it off, in the survey’s settings',
};

type Texts<T> = { [K in keyof T]: T[K] extends string ? string : Texts<T[K]> };
export type DigestMessages = Texts<typeof en>;

// Swedish with the dashboard's words (enkät, svar, svarsfrekvens, motståndare, utskick); "95 %" with a space.
const sv = {
  title: { daily: 'Daglig sammanfattning', weekly: 'Veckosammanfattning' },
  labelled: '{label}: {value}',
  subject: '{title} · {survey}: {kind} {score}, {answers}',
  subjectNone: '{title} · {survey}: inga svar',
  answers: { one: '{n} svar', other: '{n} svar' },
  periodDay: '{date} (UTC)',
  periodWeek: '{from} – {to} (UTC)',
  current: { daily: '{kind} den dagen', weekly: '{kind} den veckan' },
  previous: { daily: 'Dagen före', weekly: 'Veckan före' },
  allTime: 'Totalt',
  figure: '{score} {margin} · {answers}',
  noFigure: 'Inga svar',
  change: {
    up: 'Upp {change} från {before}, mer än slumpen kan förklara på 95 %-nivån ({p}).',
    down: 'Ned {change} från {before}, mer än slumpen kan förklara på 95 %-nivån ({p}).',
    within:
      'En förändring på {change} från {before}, inom vad slumpen kan förklara på 95 %-nivån ({p}). Det kan vara brus.',
    untestable: 'Förändringen från {before} kan inte testas: det finns för få svar.',
    noPrevious: 'Inga svar under perioden före att jämföra med.',
    noAnswers: 'Inga svar under perioden.',
  },
  splitHeading: 'Så fördelar sig svaren',
  splitItem: '{segment}: {count} ({share})',
  responses: 'Svar',
  responseRate: 'Svarsfrekvens',
  rateValue: '{rate} ({responded} av {delivered} levererade inbjudningar)',
  rateNote: 'För de utskick som var öppna under perioden.',
  noRate: 'Inga inbjudningar levererades i utskick som var öppna under perioden.',
  low: { detractor: 'Nya motståndare', low: 'Nya låga betyg' },
  lowCount: 'Under perioden: {n}.',
  noComments: 'Ingen av dem lämnade en kommentar.',
  commentMeta: '{score} · {date}',
  scoreOutOf: '{score}/{max}',
  edited: 'ändrat',
  moreComments: 'Fler kommentarer på instrumentpanelen',
  followUps: 'Öppna uppföljningar',
  followUpsCount: '{open} öppna, {overdue} försenade.',
  noFollowUps: 'Inga öppna uppföljningar.',
  due: 'senast {date}',
  overdue: 'försenad sedan {date}',
  assignedTo: 'tilldelad {name}',
  unassigned: 'inte tilldelad',
  anonymous: 'Anonym',
  openAnswer: 'Öppna svaret',
  allFollowUps: 'Alla uppföljningar',
  openSurvey: 'Öppna enkäten på instrumentpanelen',
  footer: {
    daily: 'Du får den här dagliga sammanfattningen som ägare av {survey}.',
    weekly: 'Du får den här veckosammanfattningen som ägare av {survey}.',
  },
  settings: 'Ändra hur ofta den kommer, eller stäng av den, i enkätens inställningar',
} satisfies DigestMessages;

// Simplified Chinese with the dashboard's words (调查, 回答, 评论, 响应率, 批评者, 仪表盘);
// names in “”, full-width punctuation.
const zhCN = {
  title: { daily: '每日摘要', weekly: '每周摘要' },
  labelled: '{label}：{value}',
  subject: '{title} · “{survey}”：{kind} {score}，{answers}',
  subjectNone: '{title} · “{survey}”：没有回答',
  answers: { one: '{n} 份回答', other: '{n} 份回答' },
  periodDay: '{date}（UTC）',
  periodWeek: '{from} – {to}（UTC）',
  current: { daily: '当天的 {kind}', weekly: '当周的 {kind}' },
  previous: { daily: '前一天', weekly: '前一周' },
  allTime: '全部时间',
  figure: '{score} {margin} · {answers}',
  noFigure: '没有回答',
  change: {
    up: '比 {before} 上升 {change}，在 95% 置信水平下超出了随机波动所能解释的范围（{p}）。',
    down: '比 {before} 下降 {change}，在 95% 置信水平下超出了随机波动所能解释的范围（{p}）。',
    within: '与 {before} 相比变化 {change}，在 95% 置信水平下仍在随机波动的范围内（{p}），可能只是噪声。',
    untestable: '与 {before} 相比的变化无法检验：回答太少。',
    noPrevious: '上一个周期没有回答，无从比较。',
    noAnswers: '本周期没有回答。',
  },
  splitHeading: '回答分布',
  splitItem: '{segment}：{count}（{share}）',
  responses: '回答数',
  responseRate: '响应率',
  rateValue: '{rate}（{delivered} 封已送达邀请中的 {responded} 份回答）',
  rateNote: '按本周期内开放的发送批次计算。',
  noRate: '本周期内开放的发送批次没有送达任何邀请。',
  low: { detractor: '新的批评者', low: '新的低分回答' },
  lowCount: '本周期：{n}。',
  noComments: '他们都没有留下评论。',
  commentMeta: '{score} · {date}',
  scoreOutOf: '{score}/{max}',
  edited: '已修改',
  moreComments: '在仪表盘中查看更多评论',
  followUps: '待处理的跟进',
  followUpsCount: '{open} 项待处理，其中 {overdue} 项已逾期。',
  noFollowUps: '没有待处理的跟进。',
  due: '截止 {date}',
  overdue: '自 {date} 起逾期',
  assignedTo: '负责人：{name}',
  unassigned: '未分配',
  anonymous: '匿名',
  openAnswer: '查看回答',
  allFollowUps: '全部跟进',
  openSurvey: '在仪表盘中打开调查',
  footer: {
    daily: '您是“{survey}”的负责人，因此会收到这份每日摘要。',
    weekly: '您是“{survey}”的负责人，因此会收到这份每周摘要。',
  },
  settings: '可在调查设置中更改发送频率或关闭摘要',
} satisfies DigestMessages;

// Traditional Chinese with Taiwan usage, as the dashboard writes it (問卷, 回覆, 意見, 回覆率, 批評者,
// 儀表板); names in 「」, full-width punctuation.
const zhTW = {
  title: { daily: '每日摘要', weekly: '每週摘要' },
  labelled: '{label}：{value}',
  subject: '{title} · 「{survey}」：{kind} {score}，{answers}',
  subjectNone: '{title} · 「{survey}」：沒有回覆',
  answers: { one: '{n} 則回覆', other: '{n} 則回覆' },
  periodDay: '{date}（UTC）',
  periodWeek: '{from} – {to}（UTC）',
  current: { daily: '當天的 {kind}', weekly: '當週的 {kind}' },
  previous: { daily: '前一天', weekly: '前一週' },
  allTime: '全部期間',
  figure: '{score} {margin} · {answers}',
  noFigure: '沒有回覆',
  change: {
    up: '比 {before} 上升 {change}，在 95% 信賴水準下超出隨機波動所能解釋的範圍（{p}）。',
    down: '比 {before} 下降 {change}，在 95% 信賴水準下超出隨機波動所能解釋的範圍（{p}）。',
    within: '與 {before} 相比變化 {change}，在 95% 信賴水準下仍在隨機波動的範圍內（{p}），可能只是雜訊。',
    untestable: '與 {before} 相比的變化無法檢定：回覆太少。',
    noPrevious: '上一個期間沒有回覆，無從比較。',
    noAnswers: '本期間沒有回覆。',
  },
  splitHeading: '回覆分布',
  splitItem: '{segment}：{count}（{share}）',
  responses: '回覆數',
  responseRate: '回覆率',
  rateValue: '{rate}（{delivered} 封已送達邀請中的 {responded} 則回覆）',
  rateNote: '依本期間內開放的寄送批次計算。',
  noRate: '本期間內開放的寄送批次沒有送達任何邀請。',
  low: { detractor: '新的批評者', low: '新的低分回覆' },
  lowCount: '本期間：{n}。',
  noComments: '他們都沒有留下意見。',
  commentMeta: '{score} · {date}',
  scoreOutOf: '{score}/{max}',
  edited: '已修改',
  moreComments: '在儀表板查看更多意見',
  followUps: '待處理的後續追蹤',
  followUpsCount: '{open} 項待處理，其中 {overdue} 項已逾期。',
  noFollowUps: '沒有待處理的後續追蹤。',
  due: '期限 {date}',
  overdue: '自 {date} 起逾期',
  assignedTo: '負責人：{name}',
  unassigned: '未指派',
  anonymous: '匿名',
  openAnswer: '查看回覆',
  allFollowUps: '全部後續追蹤',
  openSurvey: '在儀表板開啟問卷',
  footer: {
    daily: '您是「{survey}」的負責人，因此會收到這份每日摘要。',
    weekly: '您是「{survey}」的負責人，因此會收到這份每週摘要。',
  },
  settings: '可在問卷設定中變更寄送頻率或關閉摘要',
} satisfies DigestMessages;

// A Record over Locale: a new locale does not compile until the digest speaks it too.
const catalogues: Record<Locale, DigestMessages> = { en, sv, 'zh-CN': zhCN, 'zh-TW': zhTW };

export const digestMessages = (locale: Locale): DigestMessages => catalogues[locale];

/** "1 answer", "12 answers": the count's plural form in the locale. */
export function answersText(m: DigestMessages, locale: Locale, n: number, formatted: string): string {
  const form = new Intl.PluralRules(locale).select(n) === 'one' ? m.answers.one : m.answers.other;
  return fill(form, { n: formatted });
}
