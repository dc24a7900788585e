/** The demo's plan: every step of the year with its time, decided before anything is sent. */
import { zonedTimeToUtc } from '../../shared/schedule/expression.ts';
import { type DemoCalendar, dayMs, hourMs, minuteMs } from './calendar.ts';
import {
  type CsatSegment,
  csatComments,
  editedComments,
  type NpsSegment,
  npsComments,
  takeComment,
} from './comments.ts';
import { type DemoLocale, isSimulated, type Person, type Plan, people } from './people.ts';

/**
 * Each wave's final answers by segment. A dip after the price rise in the second quarter (−5 → −26,
 * within the margins); the new onboarding and faster support lift the fourth (+9 → +58 with 22 and
 * 24 answers: beyond the combined 95 % margin); the fifth, still open, holds there.
 */
export const waveAnswers: { promoter: number; passive: number; detractor: number }[] = [
  { promoter: 7, passive: 6, detractor: 8 },
  { promoter: 4, passive: 6, detractor: 9 },
  { promoter: 8, passive: 8, detractor: 6 },
  { promoter: 16, passive: 6, detractor: 2 },
  { promoter: 15, passive: 5, detractor: 2 },
];
/** How each plan felt about each wave's quarter: the price rise hit the smaller plans. */
export const planMood: Record<Plan, number[]> = {
  free: [-0.3, -0.8, -0.4, 0, 0],
  pro: [0, -0.4, 0, 0.1, 0.1],
  enterprise: [0.4, 0.3, 0.4, 0.4, 0.4],
};
export const npsScores: Record<NpsSegment, number[]> = {
  promoter: [10, 10, 9],
  passive: [8, 8, 7],
  detractor: [6, 6, 6, 5, 5, 5, 4, 4, 3, 3, 2, 1, 0],
};
/** Share of the answers given before the reminder (day 3), on these days; the rest come after it. */
export const earlyShare = 0.45;
export const earlyDays = [0, 0, 0, 0, 1, 1, 2];
export const lateDays = [3, 3, 3, 3, 4, 4, 5, 6, 7, 9];
/**
 * Answers changed a day or two later: in the third wave a detractor's complaint becomes a passive
 * "support sorted it out", in the fourth a passive 8 becomes a 10 (texts: `editedComments`).
 */
export const edits: Record<
  number,
  { segment: NpsSegment; locale: DemoLocale; first: number; final?: number; texts: number }
> = {
  2: { segment: 'passive', locale: 'sv', first: 4, texts: 0 },
  3: { segment: 'promoter', locale: 'zh-TW', first: 8, final: 10, texts: 1 },
};
export const commentChance: Record<NpsSegment, number> = { detractor: 0.8, passive: 0.45, promoter: 0.5 };
/**
 * Support tickets over the year, each followed by a "Support CSAT" invitation, and the score each
 * gets (none: not answered, so reminded after 3 days and expired after 14): support got better.
 */
export const csatScores: (number | undefined)[] = [2, 3, 1, undefined, 4, 3, undefined, 4, 5, 5, 4, 5];
export const csatDelayMinutes = 15;
export const joinLeadMs = 40 * dayMs;

export type DemoAction =
  | { kind: 'contacts'; at: number; people: Person[] }
  | { kind: 'wave'; at: number; wave: number }
  | { kind: 'scan'; at: number; wave: number; email: string }
  | { kind: 'answer'; at: number; wave: number; email: string; score: number; comment?: string }
  | { kind: 'unsubscribe'; at: number; wave: number; email: string }
  | { kind: 'ticket'; at: number; email: string }
  | { kind: 'csat-answer'; at: number; email: string; score: number; comment?: string };

/** A small, fast PRNG (mulberry32): the same seed gives the same demo. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The UTC instant at which the wall clock in `timeZone` shows `hour` (fractional) on the date of `at`. */
export function atLocalHour(at: number, hour: number, timeZone: string): number {
  const date = new Date(at);
  const noon = zonedTimeToUtc(
    date.getUTCFullYear(),
    date.getUTCMonth() + 1,
    date.getUTCDate(),
    12,
    0,
    0,
    timeZone,
  );
  return noon - 12 * hourMs + hour * hourMs;
}

export const joinedAt = (x: Person, starts: number[]): number =>
  x.joinsBefore === undefined ? Number.NEGATIVE_INFINITY : (starts[x.joinsBefore] as number) - joinLeadMs;

export class DemoPlanner {
  readonly actions: DemoAction[] = [];
  private readonly random = prng(20_251_124);
  private readonly mood = new Map<string, number>();
  private readonly responsiveness = new Map<string, number>();
  private readonly commentsLeft = structuredClone(npsComments);
  private readonly csatCommentsLeft = structuredClone(csatComments);
  /** Addresses no longer emailed from the wave given on: bounced, complained, unsubscribed. */
  private readonly gone = new Map<string, number>();

  constructor(private readonly starts: number[]) {
    for (const x of people) {
      this.mood.set(x.email, this.gauss() * 0.5);
      this.responsiveness.set(x.email, this.random());
    }
  }

  private gauss(): number {
    const u = Math.max(this.random(), 1e-9);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.random());
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }

  private start = (wave: number): number => this.starts[wave] as number;
  private reminder = (wave: number): number => this.start(wave) + 3 * dayMs;
  private closes = (wave: number): number => this.start(wave) + 14 * dayMs;

  /** A time in the person's waking hours, some days after the wave's start, strictly within (from, to). */
  private answerTime(x: Person, wave: number, days: number[], from: number, to: number): number {
    for (let attempt = 0; attempt < 20; attempt++) {
      const at = atLocalHour(this.start(wave) + this.pick(days) * dayMs, 8 + this.random() * 14, x.timezone);
      if (at > from && at < to) return at;
    }
    return from + this.random() * (to - from);
  }

  planWave(wave: number): void {
    const start = this.start(wave);
    const joining = people.filter((x) => x.joinsBefore === wave);
    if (joining.length > 0) this.actions.push({ kind: 'contacts', at: start - joinLeadMs, people: joining });
    this.actions.push({ kind: 'wave', at: start, wave });
    const emailed = people.filter(
      (x) => (x.joinsBefore ?? 0) <= wave && (this.gone.get(x.email) ?? Number.POSITIVE_INFINITY) > wave,
    );
    for (const x of emailed) {
      // SES's simulator bounces or complains at once; either way that address gets no more waves.
      if (isSimulated(x.email)) this.gone.set(x.email, wave + 1);
      if (x.scanned) {
        const at = start + (3 + this.random() * 5) * minuteMs;
        this.actions.push({ kind: 'scan', at, wave, email: x.email });
      }
    }
    const story = waveAnswers[wave] ?? { promoter: 0, passive: 0, detractor: 0 };
    const byResponsiveness = this.rank(
      emailed.filter((x) => !isSimulated(x.email)),
      (x) => (this.responsiveness.get(x.email) ?? 0) + this.gauss() * 0.35,
    );
    const answering = story.promoter + story.passive + story.detractor;
    // The happiest of those who answer give the promoter scores, the unhappiest the detractor scores.
    const responders = this.rank(
      byResponsiveness.slice(0, answering),
      (x) => (this.mood.get(x.email) ?? 0) + (planMood[x.plan][wave] ?? 0) + this.gauss() * 0.5,
    );
    const segments = responders.map(
      (_, i): NpsSegment =>
        i < story.promoter ? 'promoter' : i < story.promoter + story.passive ? 'passive' : 'detractor',
    );
    const edit = edits[wave];
    const editable = responders.filter((_, i) => segments[i] === edit?.segment);
    const editor = editable.find((x) => x.locale === edit?.locale) ?? editable[0];
    responders.forEach((x, i) => {
      this.planAnswer(wave, x, segments[i] ?? 'passive', x === editor ? edit : undefined);
    });
    // After the price rise, and again in the fourth wave, someone unhappy on the free plan unsubscribes.
    if (wave === 1 || wave === 3) {
      const leaving = this.rank(
        byResponsiveness.slice(answering).filter((x) => x.plan === 'free' && !x.scanned),
        (x) => -(this.mood.get(x.email) ?? 0),
      )[0];
      if (leaving) {
        const at = this.reminder(wave) + (2 + this.random() * 6) * hourMs;
        this.actions.push({ kind: 'unsubscribe', at, wave, email: leaving.email });
        this.gone.set(leaving.email, wave + 1);
      }
    }
  }

  private rank(items: Person[], value: (x: Person) => number): Person[] {
    return items
      .map((x) => ({ x, v: value(x) }))
      .sort((a, b) => b.v - a.v)
      .map((r) => r.x);
  }

  private planAnswer(wave: number, x: Person, segment: NpsSegment, edit?: (typeof edits)[number]): void {
    const [days, from, to] =
      this.random() < earlyShare
        ? [earlyDays, this.start(wave) + 10 * minuteMs, this.reminder(wave) - 10 * minuteMs]
        : [lateDays, this.reminder(wave) + 10 * minuteMs, this.closes(wave) - 3 * dayMs];
    const at = this.answerTime(x, wave, days, from, to);
    const score = this.pick(npsScores[segment]);
    const answer = { kind: 'answer' as const, wave, email: x.email };
    if (edit) {
      const [before, after] = editedComments[x.locale][edit.texts] ?? ['', ''];
      this.actions.push({ ...answer, at, score: edit.first, comment: before });
      const later = at + (1 + this.random()) * dayMs;
      this.actions.push({ ...answer, at: later, score: edit.final ?? score, comment: after });
      return;
    }
    const pool = this.commentsLeft[x.locale][segment];
    const comment = this.random() < commentChance[segment] ? takeComment(pool, wave) : undefined;
    this.actions.push({ ...answer, at, score, ...(comment !== undefined && { comment }) });
  }

  /** Support tickets through the year, each followed by a "Support CSAT" invitation. */
  planTickets(): void {
    const from = this.start(0) + 7 * dayMs;
    const to = this.reminder(this.starts.length - 1);
    const invitedAt = new Map<string, number>();
    csatScores.forEach((score, i) => {
      const day = from + ((i + this.random() * 0.8) / csatScores.length) * (to - from);
      const choices = people.filter(
        (x) =>
          joinedAt(x, this.starts) < day - 2 * dayMs &&
          !isSimulated(x.email) &&
          !this.gone.has(x.email) &&
          day - (invitedAt.get(x.email) ?? Number.NEGATIVE_INFINITY) > 100 * dayMs,
      );
      const x = this.pick(choices);
      invitedAt.set(x.email, day);
      const at = atLocalHour(day, 9 + this.random() * 8, x.timezone);
      this.actions.push({ kind: 'ticket', at, email: x.email });
      if (score === undefined) return;
      const segment: CsatSegment = score <= 2 ? 'low' : score === 3 ? 'neutral' : 'high';
      const comment = this.random() < 0.5 ? this.csatCommentsLeft[x.locale][segment].shift() : undefined;
      this.actions.push({
        kind: 'csat-answer',
        at: at + csatDelayMinutes * minuteMs + (1 + this.random() * 20) * hourMs,
        email: x.email,
        score,
        ...(comment !== undefined && { comment }),
      });
    });
  }
}

export function planDemo(calendar: DemoCalendar): DemoAction[] {
  const planner = new DemoPlanner(calendar.waveStarts);
  planner.actions.push({
    kind: 'contacts',
    at: calendar.clockStartsAt,
    people: people.filter((x) => x.joinsBefore === undefined),
  });
  for (let wave = 0; wave < calendar.waveStarts.length; wave++) planner.planWave(wave);
  planner.planTickets();
  return planner.actions.sort((a, b) => a.at - b.at);
}
