/** A contact as the admin API takes it, and as it is stored. */
import * as v from 'valibot';
import { isValidTimeZone, supportedLocales, toSupportedLocale } from '../locales.ts';
import type { SurveyKind } from '../scoring.ts';

export type ContactStatus = 'subscribed' | 'unsubscribed' | 'bounced' | 'complained';

// A pragmatic address check: one @, a dotted domain, no spaces or angle brackets. SES rejects the rest.
const emailPattern =
  /^[^\s@<>()[\],;:"]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** A date that exists: JavaScript would roll 2026-02-30 over to March 2; we refuse it. */
export function isRealDate(text: string): boolean {
  const t = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text);
  return !Number.isNaN(t) && (text.length !== 10 || new Date(t).toISOString().slice(0, 10) === text);
}

export const isValidEmail = (email: string): boolean => email.length <= 254 && emailPattern.test(email);

const propertyValue = v.union([v.pipe(v.string(), v.maxLength(1000)), v.pipe(v.number(), v.finite())]);

export const contactInput = v.strictObject({
  email: v.pipe(
    v.string('email is required'),
    v.trim(),
    v.check(isValidEmail, (issue) => `invalid email ${JSON.stringify(issue.input)}`),
  ),
  name: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(200))),
  locale: v.optional(
    v.pipe(
      v.string(),
      v.check(
        (l) => toSupportedLocale(l) !== undefined,
        (issue) =>
          `unsupported locale ${JSON.stringify(issue.input)} (supported: ${supportedLocales.join(', ')})`,
      ),
      v.transform((l) => toSupportedLocale(l) as string),
    ),
  ),
  timezone: v.optional(
    v.pipe(
      v.string(),
      v.check(isValidTimeZone, (issue) => `unknown time zone ${JSON.stringify(issue.input)}`),
    ),
  ),
  customerSince: v.optional(
    v.pipe(
      v.string(),
      v.regex(
        /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/,
        'customerSince must be an ISO date (YYYY-MM-DD)',
      ),
      v.check(isRealDate, 'customerSince is not a real date'),
    ),
  ),
  properties: v.optional(
    v.pipe(
      v.record(
        v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.-]{1,64}$/, 'property names use letters, digits, _ . -')),
        propertyValue,
      ),
      v.check((p) => Object.keys(p).length <= 100, 'at most 100 properties'),
    ),
  ),
});
export type ContactInput = v.InferOutput<typeof contactInput>;

export interface Feedback {
  lastRating: number;
  lastComment?: string;
  lastResponseAt: string;
}

export interface Contact {
  id: string;
  email: string;
  name?: string;
  locale?: string;
  timezone?: string;
  customerSince?: string;
  properties: Record<string, string | number>;
  status: ContactStatus;
  feedback: Partial<Record<SurveyKind, Feedback>>;
  /** When each survey last emailed this contact (survey id → ISO time), for "surveyed recently" rules. */
  surveyed?: Record<string, string>;
  /** When any survey last emailed this contact, for the account-wide rule. */
  lastSurveyedAt?: string;
  /** Never leave the server: the invitation tokens that took `surveyed` and `lastSurveyedAt`. */
  surveyedBy?: Record<string, string>;
  lastSurveyedBy?: string;
  createdAt: string;
  updatedAt: string;
}

/** The contact as the admin API shows it: without the invitation tokens it keeps. */
export type PublicContact = Omit<Contact, 'surveyedBy' | 'lastSurveyedBy'>;
export const publicContact = ({ surveyedBy: _s, lastSurveyedBy: _l, ...contact }: Contact): PublicContact =>
  contact;
