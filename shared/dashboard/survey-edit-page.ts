/**
 * Editing what recipients read and see: subject, intro, thank-you text, follow-up questions, the
 * texts per language, branding, and the benchmark bands. A plain form; the survey's `updatedAt`
 * travels with it so that an edit made meanwhile by someone else is not overwritten.
 */
import { fill } from '../i18n/format.ts';
import { surveyTexts } from '../i18n/survey-texts.ts';
import { type Locale, supportedLocales } from '../locales.ts';
import { html, type SafeHtml } from '../pages/html.ts';
import { segmentsOf } from '../scoring.ts';
import type { LocaleTexts, Survey } from '../survey/schema.ts';
import { csrfField, renderDashboardPage, type View } from './layout.ts';

/** Each language by its own name, as a reader looking for it would write it. */
export const localeNames: Record<Locale, string> = {
  en: 'English',
  sv: 'Svenska',
  'zh-CN': '简体中文',
  'zh-TW': '繁體中文',
};

/** The form's values: the survey's, or what was posted when it is shown again with a problem. */
export type EditValues = Record<string, string>;

/** The texts a survey may set per language (besides its follow-up questions), as the form names them. */
export const localeTextFields = [
  'companyName',
  'subject',
  'intro',
  'thankYou',
  'reminderSubject',
  'reminderIntro',
] as const;

/** The form's values for a stored survey. */
export function editValuesOf(survey: Survey): EditValues {
  const values: EditValues = {
    updatedAt: survey.updatedAt,
    name: survey.name,
    companyName: survey.companyName,
    subject: survey.subject ?? '',
    intro: survey.intro ?? '',
    thankYou: survey.thankYou ?? '',
    logoUrl: survey.branding.logoUrl ?? '',
    accentColor: survey.branding.accentColor ?? '',
    defaultLocale: survey.defaultLocale,
    benchmark: survey.benchmark === null ? 'none' : survey.benchmark ? 'custom' : 'default',
    benchmarkBands: (survey.benchmark?.bands ?? []).map((b) => `${b.from}, ${b.to}, ${b.label}`).join('\n'),
    benchmarkSource: survey.benchmark?.source ?? '',
  };
  for (const segment of segmentsOf(survey.kind))
    values[`followUp.${segment}`] = survey.followUp[segment] ?? '';
  for (const locale of supportedLocales) {
    const texts: LocaleTexts | undefined = survey.locales[locale];
    for (const field of localeTextFields) values[`locales.${locale}.${field}`] = texts?.[field] ?? '';
    for (const segment of segmentsOf(survey.kind)) {
      values[`locales.${locale}.followUp.${segment}`] = texts?.followUp?.[segment] ?? '';
    }
  }
  return values;
}

export interface EditPageInput {
  survey: Survey;
  values: EditValues;
  /** Why the last post was refused, in the reader's language (problems themselves are in English). */
  problem?: string;
  /** The form's one-time key (shared/once.ts). */
  once: string;
}

/**
 * What a recipient in `locale` reads when a field is left empty: shown as each field's placeholder,
 * so the team sees what "the built-in text" is before replacing it.
 */
function builtInTexts(survey: Survey, locale: Locale) {
  const plain: Survey = { ...survey, followUp: {}, locales: {} };
  delete plain.subject;
  delete plain.intro;
  delete plain.thankYou;
  return surveyTexts(plain, locale);
}

export function renderSurveyEditPage(view: View, input: EditPageInput): string {
  const { m } = view;
  const { survey, values } = input;
  const id = (name: string) => `e-${name.replace(/[^A-Za-z0-9-]/g, '-')}`;
  const text = (name: string, label: string, options: { type?: string; max?: number; hint?: string } = {}) =>
    html`<label for="${id(name)}">${label}</label><input type="${options.type ?? 'text'}" id="${id(name)}" name="${name}" value="${values[name] ?? ''}" maxlength="${options.max ?? 200}"${options.hint ? html` placeholder="${options.hint}"` : ''}>`;
  const area = (name: string, label: string, max = 2000, hint?: string) =>
    html`<label for="${id(name)}">${label}</label><textarea id="${id(name)}" name="${name}" rows="3" maxlength="${max}"${hint ? html` placeholder="${hint}"` : ''}>
${values[name] ?? ''}</textarea>`;
  const followUps = (prefix: string, locale: Locale): SafeHtml => {
    const builtIn = builtInTexts(survey, locale);
    return html`${segmentsOf(survey.kind).map((segment) =>
      area(
        `${prefix}followUp.${segment}`,
        fill(m.edit.followUpFor, { segment: m.segments[segment] }),
        500,
        builtIn.followUp[segment],
      ),
    )}`;
  };
  const own = builtInTexts(survey, survey.defaultLocale);
  const perLocale = supportedLocales.map((locale) => {
    const builtIn = builtInTexts(survey, locale);
    return html`<details><summary lang="${locale}">${localeNames[locale]}</summary>
<div lang="${locale}">
${text(`locales.${locale}.companyName`, m.edit.companyName, { hint: survey.companyName })}
${text(`locales.${locale}.subject`, m.edit.subject, { hint: builtIn.subject })}
${area(`locales.${locale}.intro`, m.edit.intro2, 2000, builtIn.intro)}
${area(`locales.${locale}.thankYou`, m.edit.thankYou, 2000, builtIn.thankYou)}
${followUps(`locales.${locale}.`, locale)}
${text(`locales.${locale}.reminderSubject`, m.edit.reminderSubject, { hint: builtIn.reminderSubject })}
${area(`locales.${locale}.reminderIntro`, m.edit.reminderIntro, 2000, builtIn.reminderIntro)}
</div>
</details>`;
  });
  const radio = (value: string, label: string) =>
    html`<div><input type="radio" id="${id(`benchmark-${value}`)}" name="benchmark" value="${value}"${values.benchmark === value ? html` checked` : ''}> <label for="${id(`benchmark-${value}`)}" class="inline">${label}</label></div>`;
  const base = `/admin/surveys/${encodeURIComponent(survey.id)}`;
  const main = html`<p class="muted"><a href="${base}">${survey.name}</a></p>
<h1>${fill(m.edit.title, { name: survey.name })}</h1>
${input.problem ? html`<p class="notice error" role="alert">${input.problem}</p>` : ''}
<form method="post" action="${base}/edit" class="card">
${csrfField(view)}
<input type="hidden" name="updatedAt" value="${values.updatedAt ?? ''}">
<input type="hidden" name="once" value="${input.once}">
<p class="muted">${m.edit.intro}</p>
${text('name', m.edit.name)}
${text('companyName', m.edit.companyName)}
${text('subject', m.edit.subject, { hint: own.subject })}
${area('intro', m.edit.intro2, 2000, own.intro)}
${area('thankYou', m.edit.thankYou, 2000, own.thankYou)}
<fieldset><legend>${m.edit.followUp}</legend>${followUps('', survey.defaultLocale)}</fieldset>
<fieldset><legend>${m.edit.branding}</legend>
${text('logoUrl', m.edit.logoUrl, { type: 'url', max: 500, hint: 'https://' })}
${text('accentColor', m.edit.accentColor, { max: 7, hint: '#1d4ed8' })}
<label for="${id('defaultLocale')}">${m.edit.defaultLocale}</label>
<select id="${id('defaultLocale')}" name="defaultLocale">${supportedLocales.map((l) => html`<option value="${l}"${values.defaultLocale === l ? html` selected` : ''}>${localeNames[l]}</option>`)}</select>
</fieldset>
<fieldset><legend>${m.edit.locales}</legend><p class="muted">${m.edit.localeHint}</p>${perLocale}</fieldset>
<fieldset><legend>${m.edit.benchmark}</legend>
${radio('default', m.edit.benchmarkDefault)}
${radio('custom', m.edit.benchmarkCustom)}
${radio('none', m.edit.benchmarkNone)}
${area('benchmarkBands', m.edit.benchmarkBands, 600)}
${text('benchmarkSource', m.edit.benchmarkSource, { max: 300 })}
</fieldset>
<div class="actions"><button type="submit">${m.edit.save}</button><a href="${base}">${m.edit.cancel}</a></div>
</form>`;
  return renderDashboardPage(view, {
    title: fill(m.edit.title, { name: survey.name }),
    main,
    current: 'surveys',
  });
}
