/**
 * The response page (GET /r/{token}, and /l/{surveyId} for link surveys). Showing it records
 * nothing, whatever `?score=` says: mail scanners open every link. Only the form's POST records.
 */
import { fill, formatDateTime } from '../i18n/format.ts';
import { messages } from '../i18n/messages.ts';
import { surveyTexts } from '../i18n/survey-texts.ts';
import type { Locale } from '../locales.ts';
import { segmentOf, segmentsOf } from '../scoring.ts';
import type { Survey } from '../survey/schema.ts';
import { paletteOf } from './colour.ts';
import { commentField, followUpScript } from './comment-field.ts';
import { html } from './html.ts';
import { renderPage } from './layout.ts';
import { scoreFieldset } from './score-fieldset.ts';
import { isOnScale } from './scores.ts';

export interface ResponsePageInput {
  survey: Survey;
  locale: Locale;
  /** Where the form posts, e.g. /r/<token>; same origin (CSP form-action 'self'). */
  action: string;
  /** From ?score=N; ignored when off the scale. */
  chosenScore?: number;
  /** The answer already recorded, when the recipient comes back to change it. */
  current?: { score: number; comment?: string };
  nonce: string;
  /** When the answer stops being editable (ISO 8601). */
  closesAt?: string;
  /** A message to show above the form, already in the page's language. */
  notice?: string;
}

export function renderResponsePage(input: ResponsePageInput): string {
  const { survey, locale, current } = input;
  const m = messages(locale);
  const texts = surveyTexts(survey, locale);
  // A score chosen in the email wins over the saved one: it is what the recipient just clicked.
  const checked = [input.chosenScore, current?.score].find((s) => isOnScale(survey.scale, s));
  const saved =
    current &&
    (input.closesAt
      ? fill(m.savedUntil, { date: formatDateTime(input.closesAt, locale, survey.timezone) })
      : m.saved);

  const main = html`${input.notice ? html`<p class="notice" role="status">${input.notice}</p>` : ''}
${saved ? html`<p class="notice">${saved}</p>` : ''}
<form method="post" action="${input.action}">
${scoreFieldset({
  kind: survey.kind,
  scale: survey.scale,
  locale,
  question: texts.question,
  lowLabel: texts.lowLabel,
  highLabel: texts.highLabel,
  ...(checked === undefined ? {} : { checked }),
})}
${commentField({
  locale,
  questions: segmentsOf(survey.kind).map((segment) => ({ segment, text: texts.followUp[segment] })),
  generic: texts.followUpGeneric,
  ...(checked === undefined ? {} : { visible: segmentOf(survey.kind, survey.scale, checked) }),
  ...(current?.comment ? { comment: current.comment } : {}),
})}
<button type="submit">${current ? m.update : m.submit}</button>
</form>`;

  return renderPage({
    locale,
    title: fill(m.surveyTitle, { company: texts.company }),
    brand: texts.company,
    palette: paletteOf(survey.branding.accentColor),
    nonce: input.nonce,
    main,
    script: followUpScript,
  });
}

/** A link survey's page is the same form, posting to /l/{surveyId}. */
export const renderLinkSurveyPage = renderResponsePage;
