/**
 * The invitation (and reminder) email for one contact: subject, HTML and text parts, and the
 * unsubscribe headers. Pure: the caller sends it. Opening any of its links records nothing; the
 * page they lead to asks for a deliberate submit.
 */
import { fill } from '../i18n/format.ts';
import { directionOf, messages } from '../i18n/messages.ts';
import { surveyTexts } from '../i18n/survey-texts.ts';
import type { Locale } from '../locales.ts';
import { paletteOf } from '../pages/colour.ts';
import { scoreLabel, scoresOf } from '../pages/scores.ts';
import type { Survey } from '../survey/schema.ts';
import { type MailHeader, oneLine, unsubscribeHeaders } from './headers.ts';
import { invitationHtml } from './html-part.ts';
import { honeypotUrl, responseUrl, unsubscribeUrl } from './links.ts';
import { invitationText } from './text-part.ts';
import type { InvitationView } from './view.ts';

export interface InvitationInput {
  survey: Survey;
  locale: Locale;
  token: string;
  /** Base URL of the public pages, e.g. https://feedback.example.com. */
  publicUrl: string;
  contactName?: string;
  /** 0 (or absent) for the first send, 1.. for the reminder number. */
  reminder?: number;
  /** An address that unsubscribes by mail, offered beside the one-click URL. */
  unsubscribeMailto?: string;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  headers: MailHeader[];
}

export function renderInvitationEmail(input: InvitationInput): RenderedEmail {
  const view = invitationView(input);
  return {
    subject: view.subject,
    html: invitationHtml(view),
    text: invitationText(view),
    headers: unsubscribeHeaders(view.unsubscribeUrl, input.unsubscribeMailto),
  };
}

export function invitationView(input: InvitationInput): InvitationView {
  const { survey, locale, token, publicUrl } = input;
  const m = messages(locale);
  const texts = surveyTexts(survey, locale);
  const isReminder = (input.reminder ?? 0) >= 1;
  const name = input.contactName?.trim();
  return {
    locale,
    dir: directionOf(locale),
    subject: oneLine(isReminder ? texts.reminderSubject : texts.subject),
    greeting: name ? fill(m.email.greetingNamed, { name }) : m.email.greeting,
    intro: isReminder ? texts.reminderIntro : texts.intro,
    question: texts.question,
    company: texts.company,
    ...(survey.branding.logoUrl ? { logoUrl: survey.branding.logoUrl } : {}),
    palette: paletteOf(survey.branding.accentColor),
    scores: scoresOf(survey.scale).map((score) => ({
      score,
      url: responseUrl(publicUrl, token, score),
      label: scoreLabel(locale, score, survey.scale),
    })),
    lowLabel: texts.lowLabel,
    highLabel: texts.highLabel,
    textScores: m.email.textScores,
    footerReason: fill(m.email.footerReason, { company: texts.company }),
    unsubscribeLead: m.email.unsubscribeLead,
    unsubscribeText: m.email.unsubscribe,
    unsubscribeUrl: unsubscribeUrl(publicUrl, token),
    honeypotUrl: honeypotUrl(publicUrl, token),
  };
}
