/**
 * The texts a recipient actually sees for one survey in one locale. Order of precedence:
 * 1. the survey's override for that locale (`survey.locales[locale]`);
 * 2. the survey-level field, but only in the survey's default locale, since that is the language
 *    it was written in (a Swedish contact must not get an English intro);
 * 3. the built-in catalogue.
 * The company name is the exception to 2: a brand name is not written in a language, so the
 * survey's `companyName` serves every locale unless a locale overrides it.
 */
import type { Locale } from '../locales.ts';
import type { Segment } from '../scoring.ts';
import type { Survey } from '../survey/schema.ts';
import { fill } from './format.ts';
import { messages } from './messages.ts';

export interface SurveyTexts {
  company: string;
  question: string;
  lowLabel: string;
  highLabel: string;
  subject: string;
  intro: string;
  thankYouTitle: string;
  thankYou: string;
  /** Follow-up question per segment (all six; only the survey kind's three are ever shown). */
  followUp: Record<Segment, string>;
  /** Follow-up question before a score is chosen. */
  followUpGeneric: string;
  reminderSubject: string;
  reminderIntro: string;
}

const segments: readonly Segment[] = ['promoter', 'passive', 'detractor', 'low', 'neutral', 'high'];

/** The first candidate with visible text; the schema trims but allows empty strings. */
const firstText = (...candidates: (string | undefined)[]): string | undefined =>
  candidates.find((c): c is string => c !== undefined && c.trim() !== '');

/**
 * Texts already worked out, per survey object and locale: a page needs them on every request, and
 * the respond function keeps the same survey object for its cache's lifetime. The survey's
 * `updatedAt` guards against an object changed in place.
 */
const known = new WeakMap<Survey, { updatedAt: string; byLocale: Map<Locale, SurveyTexts> }>();

export function surveyTexts(survey: Survey, locale: Locale): SurveyTexts {
  let entry = known.get(survey);
  if (entry?.updatedAt !== survey.updatedAt) {
    entry = { updatedAt: survey.updatedAt, byLocale: new Map() };
    known.set(survey, entry);
  }
  let texts = entry.byLocale.get(locale);
  if (!texts) {
    texts = Object.freeze(textsOf(survey, locale));
    entry.byLocale.set(locale, texts);
  }
  return texts;
}

function textsOf(survey: Survey, locale: Locale): SurveyTexts {
  const m = messages(locale);
  const own = survey.locales[locale];
  const isDefault = locale === survey.defaultLocale;
  const inDefault = (value: string | undefined) => (isDefault ? value : undefined);

  const ownCompany = firstText(own?.companyName, survey.companyName);
  const company = ownCompany ?? m.defaultCompany;
  // "our company made it easy…" must start with a capital when it opens the sentence.
  const text = (template: string): string => {
    const filled = fill(template, { company });
    return ownCompany === undefined && template.startsWith('{company}') ? capitalize(filled, locale) : filled;
  };

  const followUp = {} as Record<Segment, string>;
  for (const segment of segments) {
    followUp[segment] = text(
      firstText(own?.followUp?.[segment], inDefault(survey.followUp[segment])) ?? m.followUp[segment],
    );
  }
  const ownReminderSubject = firstText(own?.reminderSubject);
  const subject = text(firstText(own?.subject, inDefault(survey.subject)) ?? m.email.subject);

  return {
    company,
    question: text(m.question[survey.kind]),
    lowLabel: m.endLabels[survey.kind].low,
    highLabel: m.endLabels[survey.kind].high,
    subject,
    intro: text(firstText(own?.intro, inDefault(survey.intro)) ?? m.email.intro),
    thankYouTitle: m.thankYouTitle,
    thankYou: text(firstText(own?.thankYou, inDefault(survey.thankYou)) ?? m.thankYouText),
    followUp,
    followUpGeneric: m.followUpGeneric,
    // `subject` is already filled: filling it again could expand braces inside the company name.
    reminderSubject: ownReminderSubject
      ? text(ownReminderSubject)
      : fill(m.email.reminderSubject, { subject }),
    reminderIntro: text(firstText(own?.reminderIntro) ?? m.email.reminderIntro),
  };
}

const capitalize = (s: string, locale: Locale): string => s.charAt(0).toLocaleUpperCase(locale) + s.slice(1);
