/** Creating, editing, publishing and unpublishing surveys: the rules, with the store behind them. */
import { nowIso } from '../clock.ts';
import { optionalEnv } from '../config.ts';
import { badRequest, conflict } from '../errors.ts';
import { newId } from '../ids.ts';
import { isSupportedLocale, type Locale } from '../locales.ts';
import { cadenceSpec, syncCadenceSchedule } from '../schedule/cadence.ts';
import { closeWavesAfterUnpublish } from '../wave/unpublish.ts';
import {
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
/** How long after its wave's start an email may leave: a send window across a weekend, a long wave. */
const cadenceSlackDays = 7;

/** The shortest time between two firings of an `every` cadence, in days (months vary: 3 months can be 89). */
export function shortestCadenceDays(every: string): number | undefined {
  const match = /^(\d+) (day|week|month)s?$/.exec(every);
  if (!match) return undefined;
  const n = Number(match[1]);
  if (match[2] === 'day') return n;
  if (match[2] === 'week') return 7 * n;
  // The shortest run of n calendar months, over every starting month of a common and a leap year.
  let shortest = Number.POSITIVE_INFINITY;
  for (const year of [2026, 2028]) {
    for (let month = 0; month < 12; month++) {
      shortest = Math.min(shortest, (Date.UTC(year, month + n, 1) - Date.UTC(year, month, 1)) / dayMs);
    }
  }
  return shortest;
}

/**
 * "Skip contacts this survey emailed within N days": as set, or 90 by default. The default means
 * "about once a quarter", so it must not make a quarterly cadence skip its own last wave: a quarter
 * can be 89 days (February to May), and the last wave's emails may have gone out days after its
 * start (a send window over a weekend). For a cadence whose shortest period is near the default or
 * longer (83 days and up), the default is therefore a week less than that period; shorter cadences
 * keep the default, which then spreads each contact over several waves.
 */
export function skipIfSurveyedDays(survey: Pick<Survey, 'audience' | 'cadence'>): number {
  const set = survey.audience.skipIfSurveyedWithinDays;
  if (set !== undefined) return set;
  const every = survey.cadence && 'every' in survey.cadence ? survey.cadence.every : undefined;
  const period = every === undefined ? undefined : shortestCadenceDays(every);
  if (period === undefined || period < defaultSkipIfSurveyedWithinDays - cadenceSlackDays) {
    return defaultSkipIfSurveyedWithinDays;
  }
  return Math.min(defaultSkipIfSurveyedWithinDays, period - cadenceSlackDays);
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
    alerts: input.alerts ?? [],
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
      field === 'reminders' ? { ...current.reminders, ...(value as object) } : value;
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
