/** Creating, editing, publishing and unpublishing surveys: the rules, with the store behind them. */
import { prepareRules } from '../alert/rules.ts';
import { nowIso } from '../clock.ts';
import { optionalEnv } from '../config.ts';
import { badRequest, conflict } from '../errors.ts';
import { newId } from '../ids.ts';
import { isSupportedLocale, type Locale } from '../locales.ts';
import { cadenceAnchor, cadenceFirings, cadenceSpec, syncCadenceSchedule } from '../schedule/cadence.ts';
import { closeWavesAfterUnpublish } from '../wave/unpublish.ts';
import {
  type AlertRule,
  benchmarkProblem,
  type CreateSurveyInput,
  defaultScale,
  followUpProblem,
  type PatchSurveyInput,
  type Survey,
  scaleProblem,
} from './schema.ts';
import { putNewSurvey, requireSurvey, saveSurvey, setSurveyState } from './store.ts';

export const defaultWindowDays = 14;
export const defaultReminders = { count: 1, afterDays: 3 };
export const defaultSkipIfSurveyedWithinDays = 90;

const dayMs = 86_400_000;
const hourMs = 3_600_000;
/** How long after its wave's start an email may leave: a send window across a weekend, a long wave. */
const cadenceSlackMs = 7 * dayMs;
/** How long after its firing a wave may still be choosing contacts (a large audience, paged). */
const selectionLagMs = hourMs;
/** The cadence is measured over four years of firings (a leap year among them) from here. */
const cadenceSampleFrom = Date.UTC(2026, 0, 1);
const cadenceSampleYears = 4;
const maxCadenceFirings = 6_000;

const windowCache = new Map<string, number>();

type SkipRuleSurvey = Pick<Survey, 'audience' | 'cadence'> &
  Partial<Pick<Survey, 'timezone' | 'cadenceAnchorAt' | 'publishedAt' | 'updatedAt'>>;

/**
 * "Skip contacts this survey emailed within N days": as set, or 90 by default, read against the
 * survey's cadence. A cadence's waves are not evenly spaced: a quarter runs 89 to 92 days, a cron at
 * 09:00 local time moves by an hour across a DST change (January to April in Stockholm is 90 days
 * less an hour), and a wave's emails leave up to a week after its start (a send window over a
 * weekend). A window that ends among the firings k waves later would skip a contact the wave k back
 * emailed in some quarters and not in others, by hours or a day: 90 days would empty every
 * quarterly wave after an 89-day quarter. Such a window means "skip the next k−1 waves", so it is
 * shortened to the shortest run of k intervals less that week (less half an interval for a
 * cadence under two weeks): wave N+k always reaches whoever wave N emailed. A window clearly between
 * two runs (120 days of a quarterly survey: skip one wave, email the next) is kept as set, and so is
 * any window of a survey without a cadence. The answer is in days, possibly fractional.
 */
export function skipIfSurveyedDays(survey: SkipRuleSurvey): number {
  const set = survey.audience.skipIfSurveyedWithinDays ?? defaultSkipIfSurveyedWithinDays;
  if (set <= 0 || !survey.cadence) return set;
  const sampled = {
    cadence: survey.cadence,
    timezone: survey.timezone ?? 'UTC',
    updatedAt: survey.updatedAt ?? new Date(cadenceSampleFrom).toISOString(),
    ...(survey.cadenceAnchorAt !== undefined && { cadenceAnchorAt: survey.cadenceAnchorAt }),
    ...(survey.publishedAt !== undefined && { publishedAt: survey.publishedAt }),
  };
  const cacheKey = JSON.stringify([set, sampled.cadence, sampled.timezone, cadenceAnchor(sampled)]);
  let days = windowCache.get(cacheKey);
  if (days === undefined) {
    let firings: number[];
    try {
      const until = cadenceSampleFrom + (cadenceSampleYears + 1) * 366 * dayMs + set * dayMs;
      firings = cadenceFirings(sampled, cadenceSampleFrom, until, maxCadenceFirings);
    } catch {
      firings = []; // a cadence AWS would refuse starts no waves; the window stands as set
    }
    days = windowAgainstFirings(set * dayMs, firings) / dayMs;
    if (windowCache.size > 500) windowCache.clear();
    windowCache.set(cacheKey, days);
  }
  return days;
}

/** The skip window (ms) as read against these firings: see skipIfSurveyedDays. */
function windowAgainstFirings(windowMs: number, firings: number[]): number {
  const startsBefore = cadenceSampleFrom + cadenceSampleYears * 365.25 * dayMs;
  const runs = (k: number): { shortest: number; longest: number } | undefined => {
    let shortest = Number.POSITIVE_INFINITY;
    let longest = 0;
    for (let i = 0; i + k < firings.length && (firings[i] ?? 0) < startsBefore; i++) {
      const run = (firings[i + k] ?? 0) - (firings[i] ?? 0);
      shortest = Math.min(shortest, run);
      longest = Math.max(longest, run);
    }
    return longest > 0 ? { shortest, longest } : undefined;
  };
  const first = runs(1);
  // Firings more often than hourly are no survey's cadence; their wobble is minutes.
  if (!first || first.shortest < hourMs) return windowMs;
  const slack = Math.min(cadenceSlackMs, first.shortest / 2);
  for (let k = 1; ; k++) {
    const run = k === 1 ? first : runs(k);
    if (!run || run.shortest - slack >= windowMs) return windowMs;
    if (windowMs <= run.longest + selectionLagMs) return run.shortest - slack;
  }
}

function defaultLocale(): Locale {
  const configured = optionalEnv('DEFAULT_LOCALE');
  return configured && isSupportedLocale(configured) ? configured : 'en';
}

/** Cross-field rules the schema cannot express. */
function checkSurvey(survey: Survey): void {
  const problems = [
    scaleProblem(survey.kind, survey.scale),
    followUpProblem(survey.kind, survey.followUp),
    benchmarkProblem(survey.kind, survey.scale, survey.benchmark),
  ];
  for (const [locale, texts] of Object.entries(survey.locales)) {
    const p = followUpProblem(survey.kind, texts?.followUp);
    if (p) problems.push(`locales.${locale}.${p}`);
  }
  const found = problems.filter((p): p is string => p !== undefined);
  if (found.length) throw badRequest(found.join('; '));
}

/** Builds a draft survey from validated input, with every default filled in. */
export function newSurvey(input: CreateSurveyInput, at: string): Survey {
  const survey: Survey = {
    id: newId('s'),
    kind: input.kind,
    name: input.name,
    companyName: input.companyName ?? '',
    scale: input.scale ?? defaultScale[input.kind],
    ...(input.subject !== undefined && { subject: input.subject }),
    ...(input.intro !== undefined && { intro: input.intro }),
    ...(input.thankYou !== undefined && { thankYou: input.thankYou }),
    followUp: input.followUp ?? {},
    locales: input.locales ?? {},
    defaultLocale: input.defaultLocale ?? defaultLocale(),
    timezone: input.timezone ?? 'UTC',
    branding: input.branding ?? {},
    audience: input.audience ?? {},
    cadence: input.cadence ?? null,
    reminders: { ...defaultReminders, ...input.reminders },
    windowDays: input.windowDays ?? defaultWindowDays,
    anonymous: input.anonymous ?? false,
    sendWindow: input.sendWindow ?? null,
    reportBy: input.reportBy ?? [],
    alerts: prepareRules(input.alerts ?? []),
    owners: input.owners ?? [],
    ...(input.digest !== undefined && { digest: input.digest }),
    link: input.link ?? { enabled: false },
    ...(input.benchmark !== undefined && input.benchmark !== 'default' && { benchmark: input.benchmark }),
    state: 'draft',
    createdAt: at,
    updatedAt: at,
  };
  checkSurvey(survey);
  if (survey.cadence) cadenceSpec(survey.cadence, survey, new Date());
  return survey;
}

export async function createSurvey(input: CreateSurveyInput): Promise<Survey> {
  const survey = newSurvey(input, nowIso());
  await putNewSurvey(survey);
  return survey;
}

/**
 * Applies a patch. With `expectedUpdatedAt` (a form that showed the survey as it was then), a survey
 * changed meanwhile is refused with 409 instead of overwriting what someone else just saved.
 */
export async function patchSurvey(
  id: string,
  patch: PatchSurveyInput,
  expectedUpdatedAt?: string,
  editKey?: string,
): Promise<Survey> {
  const current = await requireSurvey(id);
  if (expectedUpdatedAt !== undefined && current.updatedAt !== expectedUpdatedAt) {
    throw conflict(`survey ${id} was changed by another request; reload and edit again`);
  }
  const next: Survey = { ...current, updatedAt: nowIso() };
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (field === 'benchmark' && value === 'default') {
      delete next.benchmark;
      continue;
    }
    (next as unknown as Record<string, unknown>)[field] =
      field === 'reminders'
        ? { ...current.reminders, ...(value as object) }
        : field === 'alerts'
          ? prepareRules(value as AlertRule[], current.alerts)
          : value;
  }
  checkSurvey(next);
  if (next.cadence) cadenceSpec(next.cadence, next, new Date()); // refuses a cadence AWS would refuse
  await saveSurvey(next, current.updatedAt, editKey);
  if (patch.cadence !== undefined) await syncCadenceSchedule(next);
  return next;
}

/** Publishing (or republishing) starts the cadence's schedule, if the survey has one. */
export async function publishSurvey(id: string): Promise<Survey> {
  const survey = await setSurveyState(id, 'published', ['draft', 'unpublished', 'published'], nowIso());
  await syncCadenceSchedule(survey);
  return survey;
}

/**
 * Unpublishing: no new waves (the cadence's schedule goes); invitations already emailed stay
 * answerable until min(their wave's closesAt, now + 14 days), so each open wave closes by then.
 */
export async function unpublishSurvey(id: string): Promise<Survey> {
  const survey = await setSurveyState(id, 'unpublished', ['published', 'unpublished'], nowIso());
  await syncCadenceSchedule(survey);
  await closeWavesAfterUnpublish(survey);
  return survey;
}
