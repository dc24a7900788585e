/**
 * The survey as the admin API takes it (input schemas) and as it is stored. Validation lives at
 * the edge; the rest of the code works with the parsed, defaulted `Survey`.
 */
import * as v from 'valibot';
import { optionalEnv } from '../config.ts';
import { isValidTimeZone, supportedLocales } from '../locales.ts';
import type { Scale, Segment, SurveyKind } from '../scoring.ts';

const text = (max: number) => v.pipe(v.string(), v.trim(), v.maxLength(max, `at most ${max} characters`));
const nonEmpty = (max: number) => v.pipe(text(max), v.minLength(1, 'must not be empty'));
const timeZone = v.pipe(
  v.string(),
  v.check((z) => isValidTimeZone(z), 'must be an IANA time zone such as Europe/Stockholm'),
);
const locale = v.picklist(supportedLocales, `must be one of ${supportedLocales.join(', ')}`);
const intIn = (min: number, max: number) =>
  v.pipe(v.number(), v.integer('must be a whole number'), v.minValue(min), v.maxValue(max));

/** The local stack lets hooks reach receivers on this machine (CONTRACT.md); AWS never does. */
export const loopbackHooksAllowed = (): boolean => optionalEnv('NPSWAVE_LOCAL_HOOKS') === '1';

const segmentName = v.picklist(['promoter', 'passive', 'detractor', 'low', 'neutral', 'high']);
const followUp = v.record(segmentName, text(500));

const localeTexts = v.strictObject({
  companyName: v.optional(text(200)),
  subject: v.optional(text(200)),
  intro: v.optional(text(2000)),
  thankYou: v.optional(text(2000)),
  followUp: v.optional(followUp),
  reminderSubject: v.optional(text(200)),
  reminderIntro: v.optional(text(2000)),
});

const criterion = v.pipe(
  v.strictObject({
    field: v.pipe(
      v.string(),
      v.regex(
        /^(email|name|locale|timezone|customerSince|status|createdAt|properties\.[A-Za-z0-9_.-]{1,64})$/,
        'unknown field',
      ),
    ),
    olderThanDays: v.optional(intIn(0, 36500)),
    newerThanDays: v.optional(intIn(0, 36500)),
    in: v.optional(v.pipe(v.array(v.union([v.string(), v.number()])), v.maxLength(1000))),
    notIn: v.optional(v.pipe(v.array(v.union([v.string(), v.number()])), v.maxLength(1000))),
    equals: v.optional(v.union([v.string(), v.number(), v.boolean()])),
    endsWith: v.optional(v.pipe(v.string(), v.minLength(1))),
    notEndsWith: v.optional(v.pipe(v.string(), v.minLength(1))),
    exists: v.optional(v.boolean()),
  }),
  v.check((c) => Object.keys(c).length === 2, 'each criterion needs a field and exactly one operator'),
);

const sample = v.union([
  v.strictObject({
    percent: v.pipe(v.number(), v.minValue(0.01), v.maxValue(100)),
    seed: v.optional(v.string()),
  }),
  v.strictObject({ count: intIn(1, 10_000_000), seed: v.optional(v.string()) }),
]);

const audience = v.strictObject({
  where: v.optional(v.pipe(v.array(criterion), v.maxLength(50))),
  skipIfSurveyedWithinDays: v.optional(intIn(0, 3650)),
  sample: v.optional(sample),
});

const cadence = v.union([
  v.strictObject({
    every: v.pipe(
      v.string(),
      v.regex(/^[1-9]\d{0,2} (day|week|month)s?$/, 'must look like "3 months", "2 weeks" or "1 day"'),
    ),
    timezone: v.optional(timeZone),
  }),
  v.strictObject({
    cron: v.pipe(v.string(), v.minLength(9), v.maxLength(256)),
    timezone: v.optional(timeZone),
  }),
]);

const hhmm = v.pipe(v.string(), v.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM'));
const sendWindow = v.strictObject({
  days: v.pipe(v.array(v.picklist(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])), v.minLength(1)),
  from: hhmm,
  to: hhmm,
});

/**
 * Where a webhook may point. On AWS only https:// (and the address is checked again, resolved, at
 * delivery: shared/alert/target.ts); the local stack also takes http:// receivers on this machine.
 */
const webhookUrl = v.pipe(
  v.string(),
  v.url('must be a URL'),
  v.maxLength(2000),
  v.check(
    (url) =>
      url.startsWith('https://') ||
      (loopbackHooksAllowed() && /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(url)),
    'must be an https:// URL',
  ),
);
/** `whsec_` + base64 of 24–64 random bytes (the Standard Webhooks form), or any 16+ character text. */
const webhookSecret = v.pipe(
  v.string(),
  v.minLength(16, 'use a secret of at least 16 characters'),
  v.maxLength(200),
);
/** Names the contact property that holds a follow-up's assignee, e.g. "properties.accountOwner". */
const propertyPath = v.pipe(
  v.string(),
  v.regex(/^properties\.[A-Za-z0-9_.-]{1,64}$/, 'must look like properties.accountOwner'),
);

const alert = v.pipe(
  v.strictObject({
    /** Kept across edits (given back by the API); a rule without one gets one. */
    id: v.optional(v.pipe(v.string(), v.regex(/^al_[a-z2-7]{16}$/, 'must be an id the API gave'))),
    name: v.optional(text(100)),
    when: v.strictObject({
      segment: v.optional(segmentName),
      scoreAtMost: v.optional(v.pipe(v.number(), v.finite())),
      scoreAtLeast: v.optional(v.pipe(v.number(), v.finite())),
      hasComment: v.optional(v.boolean()),
      commentContains: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(200))),
    }),
    email: v.optional(v.pipe(v.array(v.pipe(v.string(), v.email())), v.maxLength(20))),
    webhook: v.optional(
      v.strictObject({
        url: webhookUrl,
        secret: v.optional(webhookSecret),
        format: v.optional(v.picklist(['json', 'slack'])),
      }),
    ),
    followUp: v.optional(
      v.union([
        v.boolean(),
        v.strictObject({
          assignee: v.optional(nonEmpty(200)),
          assigneeFrom: v.optional(propertyPath),
          dueInHours: v.optional(intIn(1, 24 * 90)),
        }),
      ]),
    ),
  }),
  v.check(
    (r) => Boolean(r.email?.length || r.webhook || r.followUp),
    'a rule needs email, webhook or followUp',
  ),
);

const branding = v.strictObject({
  logoUrl: v.optional(v.pipe(v.string(), v.url(), v.startsWith('https://', 'must be an https:// URL'))),
  accentColor: v.optional(v.pipe(v.string(), v.regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #1a7f5a'))),
});

const benchmarkBand = v.pipe(
  v.strictObject({
    from: v.pipe(v.number(), v.finite()),
    to: v.pipe(v.number(), v.finite()),
    label: nonEmpty(100),
  }),
  v.check((b) => b.from < b.to, 'a band needs from < to'),
);
/** Reference bands shown beside the score; absent: the built-in default for the kind; null: none. */
const benchmark = v.strictObject({
  bands: v.pipe(v.array(benchmarkBand), v.maxLength(5)),
  source: nonEmpty(300),
});

/** Fields a survey may set, at creation or by PATCH. */
const editable = {
  name: v.optional(nonEmpty(200)),
  companyName: v.optional(text(200)),
  scale: v.optional(v.strictObject({ min: intIn(0, 1), max: intIn(3, 10) })),
  subject: v.optional(text(200)),
  intro: v.optional(text(2000)),
  thankYou: v.optional(text(2000)),
  followUp: v.optional(followUp),
  locales: v.optional(v.record(locale, localeTexts)),
  defaultLocale: v.optional(locale),
  timezone: v.optional(timeZone),
  branding: v.optional(branding),
  audience: v.optional(audience),
  cadence: v.optional(v.nullable(cadence)),
  reminders: v.optional(v.strictObject({ count: intIn(0, 5), afterDays: v.optional(intIn(1, 60)) })),
  windowDays: v.optional(intIn(1, 365)),
  anonymous: v.optional(v.boolean()),
  sendWindow: v.optional(v.nullable(sendWindow)),
  reportBy: v.optional(
    v.pipe(
      v.array(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be a property name'))),
      v.maxLength(10),
    ),
  ),
  alerts: v.optional(v.pipe(v.array(alert), v.maxLength(20))),
  /** Who owns the survey: the digest, a disabled hook's notice and email alerts without addresses go to them. */
  owners: v.optional(v.pipe(v.array(v.pipe(v.string(), v.email())), v.maxLength(20))),
  /** How often the owners get the digest (default weekly, once there are owners). */
  digest: v.optional(v.picklist(['daily', 'weekly', 'off'])),
  link: v.optional(v.strictObject({ enabled: v.boolean() })),
  /** "default" goes back to the kind's built-in bands; null shows none. */
  benchmark: v.optional(v.union([v.literal('default'), v.nullable(benchmark)])),
};

export const createSurveyInput = v.strictObject({
  kind: v.picklist(['nps', 'csat', 'ces'], 'must be nps, csat or ces'),
  ...editable,
  name: nonEmpty(200),
});
export type CreateSurveyInput = v.InferOutput<typeof createSurveyInput>;

export const patchSurveyInput = v.strictObject(editable);
export type PatchSurveyInput = v.InferOutput<typeof patchSurveyInput>;

export type SurveyState = 'draft' | 'published' | 'unpublished';
export type Criterion = v.InferOutput<typeof criterion>;
export type Audience = v.InferOutput<typeof audience>;
export type Cadence = v.InferOutput<typeof cadence>;
export type SendWindow = v.InferOutput<typeof sendWindow>;
export type LocaleTexts = v.InferOutput<typeof localeTexts>;
export type AlertRule = v.InferOutput<typeof alert>;
/**
 * A rule as stored: it always has an id, and its webhook a `whsec_` secret. During a rotation the
 * old secret signs too, until `previousSecretUntil` (two signatures, as the spec allows).
 */
export type StoredAlertRule = Omit<AlertRule, 'id' | 'webhook'> & {
  id: string;
  webhook?: {
    url: string;
    secret: string;
    format?: 'json' | 'slack';
    previousSecret?: string;
    previousSecretUntil?: string;
  };
};
export type Benchmark = v.InferOutput<typeof benchmark>;

/** A stored survey: the input with its defaults filled in, and its lifecycle. */
export interface Survey {
  id: string;
  kind: SurveyKind;
  name: string;
  companyName: string;
  scale: Scale;
  subject?: string;
  intro?: string;
  thankYou?: string;
  followUp: Partial<Record<Segment, string>>;
  locales: Partial<Record<(typeof supportedLocales)[number], LocaleTexts>>;
  defaultLocale: (typeof supportedLocales)[number];
  timezone: string;
  branding: { logoUrl?: string; accentColor?: string };
  audience: Audience;
  cadence?: Cadence | null;
  reminders: { count: number; afterDays: number };
  windowDays: number;
  anonymous: boolean;
  sendWindow?: SendWindow | null;
  reportBy: string[];
  alerts: StoredAlertRule[];
  /** Absent on surveys stored before owners existed. */
  owners?: string[];
  /** Absent: weekly once there are owners. */
  digest?: 'daily' | 'weekly' | 'off';
  link: { enabled: boolean };
  /** Absent: the kind's default bands (shared/score/benchmark.ts); null: the team chose none. */
  benchmark?: Benchmark | null;
  state: SurveyState;
  createdAt: string;
  updatedAt: string;
  publishedAt?: string;
  /** The first publish: a month-based cadence's day and months count from it (shared/schedule/cadence.ts). */
  cadenceAnchorAt?: string;
  unpublishedAt?: string;
}

export const defaultScale: Record<SurveyKind, Scale> = {
  nps: { min: 0, max: 10 },
  csat: { min: 1, max: 5 },
  ces: { min: 1, max: 7 },
};

/** The scales each kind allows (NPS is always 0–10). */
export function scaleProblem(kind: SurveyKind, scale: Scale): string | undefined {
  if (kind === 'nps') return scale.min === 0 && scale.max === 10 ? undefined : 'scale: NPS is always 0–10';
  const allowed = kind === 'csat' ? [3, 5, 7] : [5, 7];
  if (scale.min !== 1 || !allowed.includes(scale.max)) {
    return `scale: ${kind.toUpperCase()} uses 1–${allowed.join(', 1–')}`;
  }
  return undefined;
}

/** Benchmark bands must lie on the score's own range: −100..100 for NPS, the scale for means. */
export function benchmarkProblem(kind: SurveyKind, scale: Scale, value: Benchmark | null | undefined) {
  if (!value) return undefined;
  const [min, max] = kind === 'nps' ? [-100, 100] : [scale.min, scale.max];
  const outside = value.bands.filter((b) => b.from < min || b.to > max);
  return outside.length ? `benchmark.bands: each band must lie within ${min}..${max}` : undefined;
}

/** Follow-up questions must name segments of the survey's kind. */
export function followUpProblem(
  kind: SurveyKind,
  followUp: Partial<Record<string, string>> | undefined,
): string | undefined {
  if (!followUp) return undefined;
  const allowed = kind === 'nps' ? ['promoter', 'passive', 'detractor'] : ['low', 'neutral', 'high'];
  const wrong = Object.keys(followUp).filter((k) => !allowed.includes(k));
  return wrong.length
    ? `followUp: ${kind} segments are ${allowed.join(', ')} (not ${wrong.join(', ')})`
    : undefined;
}
