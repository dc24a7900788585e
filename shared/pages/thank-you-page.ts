/** The page after a recorded answer: thanks, the answer given, and the way back to change it. */
import { fill, formatDateTime } from '../i18n/format.ts';
import { messages } from '../i18n/messages.ts';
import { surveyTexts } from '../i18n/survey-texts.ts';
import type { Locale } from '../locales.ts';
import type { Survey } from '../survey/schema.ts';
import { paletteOf } from './colour.ts';
import { html, paragraphs } from './html.ts';
import { renderPage } from './layout.ts';

export interface ThankYouPageInput {
  survey: Survey;
  locale: Locale;
  score: number;
  /** The response page again (GET), where the answer can be changed. */
  editUrl?: string;
  closesAt?: string;
  /** With a nonce the page wears the survey's accent; without, the default one. */
  nonce?: string;
}

export function renderThankYouPage(input: ThankYouPageInput): string {
  const { survey, locale } = input;
  const m = messages(locale);
  const texts = surveyTexts(survey, locale);
  const saved = input.closesAt
    ? fill(m.savedUntil, { date: formatDateTime(input.closesAt, locale, survey.timezone) })
    : m.saved;
  const main = html`<h1>${texts.thankYouTitle}</h1>
${paragraphs(texts.thankYou)}
<p>${fill(m.yourScore, { score: String(input.score) })}</p>
<p class="muted">${saved}</p>
${input.editUrl ? html`<p><a href="${input.editUrl}">${m.changeAnswer}</a></p>` : ''}`;
  return renderPage({
    locale,
    title: texts.thankYouTitle,
    brand: texts.company,
    palette: paletteOf(survey.branding.accentColor),
    ...(input.nonce ? { nonce: input.nonce } : {}),
    main,
  });
}
