/**
 * Alert rules: which answers a rule matches, the ids that keep a rule recognisable across edits, and
 * the webhook secrets (Standard Webhooks `whsec_…`), which are generated when not given, shown once
 * and never returned by a read.
 */
import { randomBytes } from 'node:crypto';
import { badRequest } from '../errors.ts';
import { base32, sha256Hex } from '../ids.ts';
import type { Segment } from '../scoring.ts';
import type { AlertRule, StoredAlertRule, Survey } from '../survey/schema.ts';

export const newRuleId = (): string => `al_${base32(randomBytes(10))}`;

/** A new signing secret: 32 random bytes in the spec's `whsec_<base64>` form. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/** How long the previous secret keeps signing after a rotation (receivers switch within this time). */
export const rotationOverlapHours = 24;

/**
 * A secret in the spec's form: `whsec_<base64>` of 24–64 bytes is kept; any other text (an older
 * survey's, or a team's own) becomes `whsec_` + base64 of its UTF-8 bytes, the same key the spec's
 * "raw" format would use, so a receiver verifies it with the standard library as it is shown.
 */
export function normalizeSecret(secret: string): string {
  if (secret.startsWith('whsec_')) {
    const key = Buffer.from(secret.slice(6), 'base64');
    if (key.length < 24 || key.length > 64 || key.toString('base64') !== secret.slice(6)) {
      throw badRequest('alerts: a whsec_ secret must hold 24 to 64 bytes of standard base64');
    }
    return secret;
  }
  return `whsec_${Buffer.from(secret, 'utf8').toString('base64')}`;
}

/** The HMAC key of a `whsec_` secret. */
export const secretKey = (secret: string): Buffer => Buffer.from(secret.slice(6), 'base64');

/**
 * The rules to store: every rule with an id, every webhook with a secret. A rule given with the id of
 * a current rule keeps its secret (and a rotation in progress) unless a new secret is given, so a
 * dashboard or CLI round trip, which never sees the secret, does not change it.
 */
export function prepareRules(input: AlertRule[], current: StoredAlertRule[] = []): StoredAlertRule[] {
  const byId = new Map(current.map((rule) => [rule.id, rule]));
  const seen = new Set<string>();
  return input.map((rule) => {
    if (rule.id && !byId.has(rule.id))
      throw badRequest(`alerts: no rule ${rule.id} on this survey; leave id out for a new rule`);
    const id = rule.id ?? newRuleId();
    if (seen.has(id)) throw badRequest(`alerts: rule ${id} is given twice`);
    seen.add(id);
    const { webhook, id: _id, ...rest } = rule;
    const stored: StoredAlertRule = { ...rest, id };
    if (webhook) {
      const before = byId.get(id)?.webhook;
      const kept = webhook.secret === undefined && before ? before : undefined;
      stored.webhook = {
        url: webhook.url,
        ...(webhook.format && { format: webhook.format }),
        secret:
          webhook.secret !== undefined
            ? normalizeSecret(webhook.secret)
            : (kept?.secret ?? newWebhookSecret()),
        ...(kept?.previousSecret && { previousSecret: kept.previousSecret }),
        ...(kept?.previousSecretUntil && { previousSecretUntil: kept.previousSecretUntil }),
      };
    }
    return stored;
  });
}

/**
 * Rules as stored by an earlier version (accepted before alerts acted on them): without ids, with no
 * secret or a plain one. Read as today's: an id derived from the survey and the rule's place (stable
 * until someone saves the rules, which gives them ids of their own), a plain secret in its `whsec_`
 * form; a hook without a secret keeps none, and its deliveries fail saying to rotate it.
 */
export function storedRules(surveyId: string, rules: readonly unknown[] | undefined): StoredAlertRule[] {
  return (rules ?? []).map((raw, index) => {
    const rule = raw as StoredAlertRule;
    const id = rule.id ?? `al_${base32(Buffer.from(sha256Hex(`${surveyId}|${index}`), 'hex')).slice(0, 16)}`;
    if (!rule.webhook) return { ...rule, id };
    let secret = typeof rule.webhook.secret === 'string' ? rule.webhook.secret : '';
    if (secret && !secret.startsWith('whsec_')) secret = normalizeSecret(secret);
    return { ...rule, id, webhook: { ...rule.webhook, secret } };
  });
}

/** A secret the signature can be made with (an earlier version may have stored a hook without one). */
export const usableSecret = (secret: string | undefined): boolean =>
  typeof secret === 'string' && secret.startsWith('whsec_') && secretKey(secret).length >= 16;

/** A rule's webhook as a read shows it: no secret, only that it has one. */
type PublicWebhook = {
  url: string;
  format: 'json' | 'slack';
  secretSet: true;
  secret?: string;
  rotatingUntil?: string;
};
export type PublicAlertRule = Omit<StoredAlertRule, 'webhook'> & { webhook?: PublicWebhook };
export type PublicSurvey = Omit<Survey, 'alerts'> & { alerts: PublicAlertRule[] };

/**
 * The survey as the API and the dashboard show it. Secrets appear only in `reveal` (the answer to
 * the request that generated or set them): shown once.
 */
export function publicSurvey(survey: Survey, reveal: ReadonlySet<string> = new Set()): PublicSurvey {
  return {
    ...survey,
    alerts: survey.alerts.map(({ webhook, ...rule }) => {
      if (!webhook) return rule;
      const view: PublicWebhook = { url: webhook.url, format: webhook.format ?? 'json', secretSet: true };
      if (reveal.has(webhook.secret)) view.secret = webhook.secret;
      if (webhook.previousSecretUntil) view.rotatingUntil = webhook.previousSecretUntil;
      return { ...rule, webhook: view };
    }),
  };
}

/** Secrets in `after` that `before` did not have: what a create or PATCH answer shows once. */
export function newSecrets(after: Survey, before?: Survey): Set<string> {
  const old = new Set((before?.alerts ?? []).map((r) => r.webhook?.secret));
  return new Set(after.alerts.map((r) => r.webhook?.secret).filter((s): s is string => !!s && !old.has(s)));
}

export interface MatchableAnswer {
  score: number;
  segment: Segment;
  comment?: string | null | undefined;
}

export function ruleMatches(rule: Pick<StoredAlertRule, 'when'>, answer: MatchableAnswer): boolean {
  const { when } = rule;
  if (when.segment !== undefined && when.segment !== answer.segment) return false;
  if (when.scoreAtMost !== undefined && answer.score > when.scoreAtMost) return false;
  if (when.scoreAtLeast !== undefined && answer.score < when.scoreAtLeast) return false;
  const comment = (answer.comment ?? '').trim();
  if (when.hasComment === true && comment === '') return false;
  if (when.hasComment === false && comment !== '') return false;
  if (when.commentContains !== undefined) {
    const needle = when.commentContains.toLocaleLowerCase();
    if (!comment.toLocaleLowerCase().includes(needle)) return false;
  }
  return true;
}

/** The ids of the survey's rules this answer matches, in rule order. */
export const matchingRuleIds = (rules: StoredAlertRule[], answer: MatchableAnswer): string[] =>
  rules.filter((rule) => ruleMatches(rule, answer)).map((rule) => rule.id);
