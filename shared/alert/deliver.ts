/**
 * Delivering what rules fired: webhooks (Standard Webhooks, or Slack's message format) and alert
 * emails. Each record is taken by a claim, tried, and settled with the attempt written on it; a
 * failure is retried on STACK.md's schedule (the 5-second retry within the same invocation, later
 * ones by a one-time schedule, and the sweep as the net under both), a 410 disables the hook and
 * tells the owners, a target refused as private never goes out. Nothing is dropped: a record that
 * runs out of attempts stays `failed` until it is redelivered.
 */
import { nowIso, nowMs } from '../clock.ts';
import { requireEnv } from '../config.ts';
import { isSupportedLocale, type Locale } from '../locales.ts';
import { escapeHtml } from '../pages/html.ts';
import { backOff, sleep } from '../retry.ts';
import { scheduleName, scheduleOnce } from '../schedule/scheduler.ts';
import { classifySendError, describeSesError, sendEmail } from '../send/ses.ts';
import type { StoredAlertRule, Survey } from '../survey/schema.ts';
import { getSurvey } from '../survey/store.ts';
import {
  type AttemptOutcome,
  type Claim,
  claimDelivery,
  dueDeliveryIds,
  maxAttempts,
  nextAttemptDelayMs,
  queuedEmails,
  settleAttempt,
} from './deliveries.ts';
import { alertEmail, summaryLimit } from './email.ts';
import { disabledHook, disableHook, enableHook, releaseEmailWindow, takeEmailWindow } from './hooks.ts';
import { hookDisabledNotice } from './notice.ts';
import { usableSecret } from './rules.ts';
import type { DeliveryAttempt } from './schema.ts';
import { webhookHeaders } from './signature.ts';
import { slackMessage } from './slack.ts';
import { postJson } from './target.ts';

/** Deliveries tried at once by one invocation. */
const concurrency = 8;
/** A retry this soon is waited for in the same invocation rather than scheduled. */
const inlineRetryMs = 10_000;
/** An alert email SES would not take now is tried again after this long. */
const emailRetryMs = 60_000;

export type DeliverOutcome = 'delivered' | 'retrying' | 'waiting' | 'failed' | 'skipped';

const localeOf = (survey: Survey): Locale =>
  isSupportedLocale(survey.defaultLocale) ? survey.defaultLocale : 'en';
const dashboardUrl = (path: string): string => `${requireEnv('PUBLIC_URL').replace(/\/$/, '')}${path}`;

/** Tries each record once (and its quick retry), a few at a time, until the deadline. */
export async function deliverAll(ids: string[], deadline: number): Promise<Record<DeliverOutcome, number>> {
  const counts: Record<DeliverOutcome, number> = {
    delivered: 0,
    retrying: 0,
    waiting: 0,
    failed: 0,
    skipped: 0,
  };
  const queue = [...new Set(ids)];
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      if (Date.now() >= deadline) return; // left due: the sweep or its schedule takes it
      try {
        counts[await deliverOne(id, deadline)]++;
      } catch (err) {
        // The claim runs out and the sweep tries again; nothing is settled half-way.
        console.error('deliver: attempt failed', id, (err as Error).name, (err as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return counts;
}

/** The net under everything: every pending record whose attempt is due, page by page. */
export async function sweepDue(deadline: number): Promise<number> {
  let swept = 0;
  let after: Record<string, unknown> | undefined;
  do {
    const page = await dueDeliveryIds(100, after);
    await deliverAll(page.ids, deadline);
    swept += page.ids.length;
    after = page.next;
  } while (after && Date.now() < deadline);
  return swept;
}

export async function deliverOne(id: string, deadline: number): Promise<DeliverOutcome> {
  const claim = await claimDelivery(id);
  if (!claim) return 'skipped'; // not due, delivered, failed, or another worker has it
  const survey = await getSurvey(claim.delivery.surveyId, false);
  const rule = survey?.alerts.find((r) => r.id === claim.delivery.ruleId);
  if (!survey || !rule)
    return settle(claim, undefined, { kind: 'failed', reason: 'the survey or its rule was removed' });
  return claim.delivery.channel === 'email'
    ? deliverEmail(claim, survey, rule)
    : deliverWebhook(claim, survey, rule, deadline);
}

async function settle(
  claim: Claim,
  attempt: DeliveryAttempt | undefined,
  outcome: AttemptOutcome,
): Promise<DeliverOutcome> {
  const mine = await settleAttempt(claim, attempt, outcome);
  if (!mine) return 'skipped';
  if (outcome.kind === 'retry' || outcome.kind === 'wait') {
    await scheduleRetry(claim.delivery.id, claim.delivery.tries + (attempt ? 1 : 0), outcome.at);
  }
  return outcome.kind === 'delivered'
    ? 'delivered'
    : outcome.kind === 'failed'
      ? 'failed'
      : outcome.kind === 'retry'
        ? 'retrying'
        : 'waiting';
}

/** A one-time schedule at the next attempt; if it cannot be made, the sweep is the retry. */
async function scheduleRetry(id: string, tries: number, at: string): Promise<void> {
  try {
    await scheduleOnce(
      scheduleName('dl', id, String(tries), String(Date.parse(at))),
      new Date(at),
      'deliver',
      {
        type: 'delivery.retry',
        id,
      },
    );
  } catch (err) {
    console.error('deliver: no retry schedule; the sweep will retry', id, (err as Error).message);
  }
}

async function deliverWebhook(
  claim: Claim,
  survey: Survey,
  rule: StoredAlertRule,
  deadline: number,
): Promise<DeliverOutcome> {
  const { delivery } = claim;
  const hook = rule.webhook;
  if (!hook) return settle(claim, undefined, { kind: 'failed', reason: 'the rule no longer has a webhook' });
  if (!usableSecret(hook.secret)) {
    return settle(claim, undefined, {
      kind: 'failed',
      reason: 'the hook has no signing secret (saved by an earlier version): rotate it, then redeliver',
    });
  }
  const disabled = await disabledHook(rule.id);
  // A new URL is a new receiver: the 410 of the old one does not hold for it.
  if (disabled && disabled.url === hook.url) {
    return settle(claim, undefined, {
      kind: 'failed',
      reason: `hook disabled: ${disabled.reason} at ${disabled.disabledAt}`,
    });
  }
  if (disabled) await enableHook(rule.id);
  const format = hook.format ?? 'json';
  const body = JSON.stringify(
    format === 'slack' ? slackMessage(delivery.event, localeOf(survey)) : delivery.event,
  );
  const at = nowIso();
  const result = await postJson(hook.url, body, webhookHeaders(hook, delivery.webhookId, body, Date.now()));
  const attempt: DeliveryAttempt = {
    at,
    latencyMs: result.latencyMs,
    ...(result.status !== undefined && { status: result.status }),
    ...(result.error !== undefined && { error: result.error }),
    ...(result.response && { response: result.response }),
  };
  const status = result.status ?? 0;
  if (status >= 200 && status < 300) return settle(claim, attempt, { kind: 'delivered' });
  if (result.refused) return settle(claim, attempt, { kind: 'failed', reason: result.error ?? 'refused' });
  // 410 disables the hook (Standard Webhooks); Slack answers 404 or 410 for a removed channel.
  if (status === 410 || (format === 'slack' && status === 404)) {
    const reason = `${status === 410 ? 'gone (410)' : 'channel not found (404)'}`;
    const outcome = await settle(claim, attempt, { kind: 'failed', reason: `${reason}: hook disabled` });
    if (await disableHook(rule.id, hook.url, reason)) await notifyHookDisabled(survey, rule, hook.url);
    return outcome;
  }
  const tries = delivery.tries + 1;
  const delay = nextAttemptDelayMs(tries, result.retryAfterSeconds);
  if (delay === undefined) {
    return settle(claim, attempt, {
      kind: 'failed',
      reason: `gave up after ${maxAttempts} attempts over about three days`,
    });
  }
  const next = new Date(nowMs() + delay).toISOString();
  if (delay <= inlineRetryMs && Date.now() + delay + 15_000 < deadline) {
    // The quick retry: wait here instead of a schedule, then try again as a fresh claim.
    if (!(await settleAttempt(claim, attempt, { kind: 'retry', at: next }))) return 'skipped';
    await sleep(delay);
    const again = await deliverOne(delivery.id, deadline);
    if (again === 'skipped') await scheduleRetry(delivery.id, tries, next); // another worker has it, or the clock moved
    return again;
  }
  return settle(claim, attempt, { kind: 'retry', at: next });
}

/**
 * Alert emails: at most one per rule an hour. The record that takes the window gathers every queued
 * email of its rule into one message (one answer: the alert itself; more: a summary); a record that
 * finds the window closed waits for it to open.
 */
async function deliverEmail(claim: Claim, survey: Survey, rule: StoredAlertRule): Promise<DeliverOutcome> {
  if (!rule.email?.length)
    return settle(claim, undefined, { kind: 'failed', reason: 'the rule no longer emails' });
  const window = await takeEmailWindow(rule.id);
  if (!window.taken) return settle(claim, undefined, { kind: 'wait', at: window.opensAt });
  const claims = [claim];
  for (const queued of await queuedEmails(rule.id)) {
    if (queued.id === claim.delivery.id) continue;
    const other = await claimDelivery(queued.id, true);
    if (other) claims.push(other);
  }
  claims.sort((a, b) => a.delivery.createdAt.localeCompare(b.delivery.createdAt));
  const events = claims.map((c) => c.delivery.event.data);
  const email = alertEmail({
    locale: localeOf(survey),
    surveyName: survey.name,
    ...(rule.name && { ruleName: rule.name }),
    events: events.slice(-summaryLimit).reverse(),
    total: events.length,
    dashboardUrl: dashboardUrl(`/admin/surveys/${survey.id}`),
    timeZone: survey.timezone,
  });
  const started = performance.now();
  let outcome: AttemptOutcome;
  let attempt: DeliveryAttempt;
  try {
    const messageId = await sendEmail({ to: rule.email, ...email, headers: [], tags: { type: 'alert' } });
    attempt = {
      at: nowIso(),
      latencyMs: Math.round(performance.now() - started),
      response: `SES message ${messageId}`,
    };
    outcome = { kind: 'delivered' };
  } catch (err) {
    attempt = {
      at: nowIso(),
      latencyMs: Math.round(performance.now() - started),
      error: describeSesError(err),
    };
    const failure = classifySendError(err);
    // The account cannot send (paused, suspended, misconfigured): the operators hear of it, and the
    // emails wait longer between tries; they are not dropped.
    if (failure === 'account')
      console.error(`ALERT deliver: SES will not send alert emails: ${describeSesError(err)}`);
    // An answer lost on the way ('unknown') may mean SES sent it: an alert email twice is better than none.
    outcome =
      failure === 'permanent'
        ? { kind: 'failed', reason: `SES refused the email: ${describeSesError(err)}` }
        : {
            kind: 'retry',
            at: new Date(nowMs() + (failure === 'account' ? 5 : 1) * emailRetryMs).toISOString(),
          };
    if (outcome.kind === 'retry') await releaseEmailWindow(rule.id);
  }
  const results = await Promise.all(claims.map((c) => settle(c, attempt, outcome)));
  return results[0] ?? 'skipped';
}

/** Tells the survey's owners (and the rule's addresses) once that a hook was disabled. */
async function notifyHookDisabled(survey: Survey, rule: StoredAlertRule, url: string): Promise<void> {
  const to = [...new Set([...(survey.owners ?? []), ...(rule.email ?? [])])];
  console.log(
    `ALERT webhook disabled: survey ${survey.id} rule ${rule.id} answered 410; ${to.length} owners told`,
  );
  if (!to.length) return;
  const notice = hookDisabledNotice(localeOf(survey), {
    survey: survey.name,
    url,
    at: nowIso(),
    dashboard: dashboardUrl(`/admin/surveys/${survey.id}`),
  });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await sendEmail({
        to,
        subject: notice.subject,
        text: notice.text,
        html: `<pre style="white-space:pre-wrap;font-family:sans-serif">${escapeHtml(notice.text)}</pre>`,
        headers: [],
        tags: { type: 'hook-disabled' },
      });
      return;
    } catch (err) {
      if (classifySendError(err) === 'permanent' || classifySendError(err) === 'unknown') {
        console.error('deliver: the disabled-hook notice did not go', describeSesError(err));
        return;
      }
      await backOff(attempt, 500, 5000);
    }
  }
}
