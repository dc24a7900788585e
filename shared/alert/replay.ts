/**
 * Replaying a survey's webhook events over a time range, and rotating a hook's secret. A replay
 * makes new delivery records for every answer in the range that a webhook rule matches now, with the
 * event's own `webhook-id`, so a receiver that has it already de-duplicates it and one that lost it
 * gets it. It reads a bounded number of answers per request and says where to go on.
 */
import { randomBytes } from 'node:crypto';
import { QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { transactionCancelReasons } from '../aws/dynamo-errors.ts';
import { nowIso, nowMs } from '../clock.ts';
import { tableName } from '../config.ts';
import { badRequest, notFound } from '../errors.ts';
import { getInvitation } from '../invitation/store.ts';
import type { Survey } from '../survey/schema.ts';
import { requireSurvey, saveSurvey } from '../survey/store.ts';
import { deliveryPut } from './deliveries.ts';
import { type Answered, alertEvent, answerContact, answered, eventTypeOf, ruleDeliveries } from './fire.ts';
import { enableHook } from './hooks.ts';
import { responseRefItem } from './response-ref.ts';
import { newWebhookSecret, rotationOverlapHours, ruleMatches } from './rules.ts';

/** Answers a replay request reads; the answer's `next` continues from there. */
export const replayPageSize = 500;

export interface ReplayResult {
  replayed: number;
  deliveryIds: string[];
  /** More answers in the range: call again with this `from`. */
  next?: string;
}

const isoTime = (value: unknown, field: string): string => {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value)))
    throw badRequest(`${field}: must be an ISO time`);
  return new Date(value).toISOString();
};

export async function replaySurveyEvents(
  surveyId: string,
  input: { from?: unknown; to?: unknown },
): Promise<ReplayResult> {
  const from = isoTime(input.from, 'from');
  const to = isoTime(input.to ?? nowIso(), 'to');
  if (from > to) throw badRequest('from: must not be after to');
  const survey = await requireSurvey(surveyId);
  const hooks = survey.alerts.filter((rule) => rule.webhook);
  if (!hooks.length) throw badRequest('this survey has no webhook rule to replay');
  const page = await dynamo().send(
    new QueryCommand({
      TableName: tableName('invitations'),
      IndexName: 'answersBySurvey',
      KeyConditionExpression: 'surveyId = :s AND respondedAt BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':s': survey.id, ':from': from, ':to': to },
      ProjectionExpression: '#t, respondedAt',
      ExpressionAttributeNames: { '#t': 'token' },
      Limit: replayPageSize,
    }),
  );
  const replay = `replay-${randomBytes(6).toString('hex')}`;
  const deliveryIds: string[] = [];
  let last: string | undefined;
  for (const item of page.Items ?? []) {
    last = String(item.respondedAt);
    const inv = answered(await getInvitation(String(item.token), true));
    if (inv) deliveryIds.push(...(await replayAnswer(survey, inv, replay)));
  }
  // The next page starts after the last answer read (answers at the very same millisecond: rare, and
  // a repeat is de-duplicated by its webhook-id).
  const next = page.LastEvaluatedKey && last ? new Date(Date.parse(last) + 1).toISOString() : undefined;
  for (const hook of hooks) await enableHook(hook.id);
  return { replayed: deliveryIds.length, deliveryIds, ...(next && { next }) };
}

async function replayAnswer(survey: Survey, inv: Answered, replay: string): Promise<string[]> {
  const rules = survey.alerts.filter((rule) => rule.webhook && ruleMatches(rule, inv));
  if (!rules.length) return [];
  const at = nowIso();
  const event = alertEvent(inv, survey, await answerContact(inv), eventTypeOf(inv), at);
  const items = rules.flatMap((rule) => ruleDeliveries(rule, inv, event, at, replay));
  try {
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: tableName('alerts'), Item: responseRefItem(inv.token, inv.surveyId) } },
          ...items.map(deliveryPut),
        ],
      }),
    );
  } catch (err) {
    // This replay already wrote them (a retried request): they are queued.
    if (!transactionCancelReasons(err)?.includes('ConditionalCheckFailed')) throw err;
  }
  return items.map((d) => d.id);
}

/**
 * A new secret for a rule's hook, shown once; the old one keeps signing beside it for a day, so the
 * receiver can switch without missing a delivery.
 */
export async function rotateHookSecret(
  surveyId: string,
  ruleId: string,
): Promise<{ secret: string; previousSecretValidUntil: string }> {
  const survey = await requireSurvey(surveyId);
  const rule = survey.alerts.find((r) => r.id === ruleId);
  if (!rule) throw notFound(`survey ${surveyId} has no alert rule ${ruleId}`);
  if (!rule.webhook) throw badRequest(`rule ${ruleId} has no webhook`);
  const secret = newWebhookSecret();
  const until = new Date(nowMs() + rotationOverlapHours * 3_600_000).toISOString();
  const next: Survey = {
    ...survey,
    updatedAt: nowIso(),
    alerts: survey.alerts.map((r) =>
      r.id === ruleId && r.webhook
        ? {
            ...r,
            webhook: { ...r.webhook, secret, previousSecret: r.webhook.secret, previousSecretUntil: until },
          }
        : r,
    ),
  };
  await saveSurvey(next, survey.updatedAt);
  return { secret, previousSecretValidUntil: until };
}
