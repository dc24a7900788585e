/**
 * The shape every message catalogue must have. Catalogues are declared with `satisfies Messages`,
 * so a missing or extra key in any locale is a compile error, not a blank on a customer's screen.
 *
 * Placeholders in braces are filled by `fill()`: {company}, {name}, {subject}, {score}, {max},
 * {date}, {status}. Every locale uses the same placeholders per key (a unit test checks it).
 */
import type { Segment, SurveyKind } from '../scoring.ts';

/** The statuses a public page can answer with its own explanation. */
export const errorStatuses = [400, 403, 404, 410, 413, 429, 500] as const;
export type ErrorStatus = (typeof errorStatuses)[number];

export interface Messages {
  /** Stands in for {company} when a survey names none, e.g. "our company". */
  defaultCompany: string;
  /** The standard question per kind; {company}. */
  question: Record<SurveyKind, string>;
  /** Words under the two ends of the scale. */
  endLabels: Record<SurveyKind, { low: string; high: string }>;
  /** The built-in follow-up question per segment; {company}. */
  followUp: Record<Segment, string>;
  /** Follow-up question shown before a score is chosen. */
  followUpGeneric: string;
  /** Accessible name of a score button or radio; {score}, {max}. */
  scoreAria: string;
  /** Hint under the comment field; {max}. */
  commentHint: string;
  /** Page title of the response page; {company}. */
  surveyTitle: string;
  submit: string;
  /** Submit button when an answer already exists. */
  update: string;
  /** Link from the thank-you page back to the form. */
  changeAnswer: string;
  saved: string;
  /** {date}. */
  savedUntil: string;
  thankYouTitle: string;
  /** {company}. */
  thankYouText: string;
  /** {score}. */
  yourScore: string;
  email: {
    /** {company}. */
    subject: string;
    intro: string;
    greeting: string;
    /** {name}. */
    greetingNamed: string;
    /** {subject}: the original subject. */
    reminderSubject: string;
    reminderIntro: string;
    /** Lead-in of the plain-text part's list of score links. */
    textScores: string;
    /** {company}. */
    footerReason: string;
    unsubscribeLead: string;
    unsubscribe: string;
  };
  /** {status}. */
  errorCode: string;
  /** Per status; texts may use {max}. */
  errors: Record<ErrorStatus, { title: string; text: string }>;
  unsubscribe: { title: string /** {company}. */; text: string; button: string };
  unsubscribed: { title: string /** {company}. */; text: string };
}
