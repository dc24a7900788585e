/**
 * Firing alert rules, from the invitations stream (never on the answering path). A stream record
 * only says "look at this invitation": the alerts function reads it, judges its current answer
 * against the survey's rules, and fires the rules it matches now and did not match at the version
 * judged before (`alertMatches`): a first answer fires every rule it matches, an edit only the
 * rules it moved into. The delivery records, the follow-ups and the invitation's new `alertedVersion`
 * are written in one transaction conditioned on the version read, so a redelivered record, a retried
 * submit or a crash mid-way fires nothing twice and loses nothing.
 */
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { isTransactionConflict, transactionCancelReasons } from '../aws/dynamo-errors.ts';
import { nowIso, nowMs } from '../clock.ts';
import { tableName } from '../config.ts';
import type { Contact } from '../contact/schema.ts';
import { getContact } from '../contact/store.ts';
import { isContactId, tokenRef } from '../ids.ts';
import type { Invitation } from '../invitation/schema.ts';
import { getInvitation } from '../invitation/store.ts';
import { invokeAsync } from '../lambda/invoke.ts';
import { backOff } from '../retry.ts';
import { type Segment, segmentOf } from '../scoring.ts';
import { surveyCache } from '../survey/cache.ts';
import type { StoredAlertRule, Survey } from '../survey/schema.ts';
import { deliveryPut, newDeliveryItem, webhookIdFor } from './deliveries.ts';
import { followUpIdFor, followUpWrite, getFollowUp } from './followups.ts';
import { responseRef, responseRefItem, responseUrl } from './response-ref.ts';
import { matchingRuleIds } from './rules.ts';
import type { AlertEvent, AlertEventType } from './schema.ts';

const maxAttempts = 8;
/** The alerts function's own survey cache (see surveyCache). */
const rulesCache = surveyCache();
/**
 * An answer never judged whose last change is older than this was given before alert rules acted
 * (their first deploy, or data from an earlier version): a write to it now (an SES event's stamp, an
 * erasure) is not an answer, so it is marked judged without firing. A real answer or edit is always
 * judged within the stream's 24 hours of its `respondedAt`.
 */
export const judgeWithinMs = 24 * 3_600_000;

export interface FireResult {
  outcome: 'fired' | 'nothing-to-do';
  /** Delivery records written, for the deliver function to try at once. */
  deliveryIds: string[];
}

export type Answered = Invitation & { score: number; segment: Segment; responseVersion: number };

/** The invitation with its answer's segment (derived from the score, never stored), if answered. */
export function answered(inv: Invitation | undefined): Answered | undefined {
  if (!inv || inv.responseVersion === undefined || inv.score === undefined) return undefined;
  return {
    ...inv,
    score: inv.score,
    responseVersion: inv.responseVersion,
    segment: segmentOf(inv.kind, inv.scale, inv.score),
  };
}

/** The webhook body of an answer (CONTRACT.md), as it is now. */
export function alertEvent(
  inv: Answered,
  survey: Pick<Survey, 'id' | 'name' | 'kind'>,
  contact: Contact | undefined,
  type: AlertEventType,
  at: string,
): AlertEvent {
  return {
    type,
    timestamp: at,
    data: {
      surveyId: survey.id,
      surveyName: survey.name,
      kind: survey.kind,
      waveId: inv.waveId,
      score: inv.score,
      segment: inv.segment,
      comment: inv.comment ?? null,
      respondedAt: inv.respondedAt ?? at,
      contact: contact
        ? {
            id: contact.id,
            email: contact.email,
            name: contact.name ?? null,
            properties: contact.properties ?? {},
          }
        : null,
      responseUrl: responseUrl(responseRef(inv.token)),
    },
  };
}

/** The contact an answer may name: none for anonymous surveys, link answers and erased contacts. */
export async function answerContact(inv: Invitation): Promise<Contact | undefined> {
  if (inv.anonymous || !isContactId(inv.contactId)) return undefined;
  return getContact(inv.contactId);
}

export const eventTypeOf = (inv: Answered): AlertEventType =>
  inv.responseVersion > 1 ? 'response.updated' : 'response.created';

/** The records one rule makes for one event: a webhook delivery, an email delivery. */
export function ruleDeliveries(
  rule: StoredAlertRule,
  inv: Answered,
  event: AlertEvent,
  at: string,
  replay?: string,
) {
  const webhookId = webhookIdFor(inv.token, inv.responseVersion, rule.id);
  const common = {
    webhookId,
    surveyId: inv.surveyId,
    ruleId: rule.id,
    responseId: responseRef(inv.token),
    event,
  };
  const items = [];
  if (rule.webhook) {
    items.push(
      newDeliveryItem(
        {
          ...common,
          channel: 'webhook',
          url: rule.webhook.url,
          format: rule.webhook.format ?? 'json',
          ...(replay && { replay }),
        },
        at,
      ),
    );
  }
  if (rule.email?.length && !replay)
    items.push(newDeliveryItem({ ...common, channel: 'email', to: rule.email }, at));
  return items;
}

export async function fireAlerts(token: string): Promise<FireResult> {
  const surveys = new Map<string, Survey | undefined>();
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const inv = answered(await getInvitation(token, true));
    if (!inv) return { outcome: 'nothing-to-do', deliveryIds: [] };
    if (inv.alertedVersion !== undefined && inv.alertedVersion >= inv.responseVersion) {
      return { outcome: 'nothing-to-do', deliveryIds: [] };
    }
    // The survey as the answering path reads it (a few seconds' cache): a rule added or changed
    // applies to answers judged from then on, within the cache's 30 seconds.
    if (!surveys.has(inv.surveyId)) surveys.set(inv.surveyId, await rulesCache.get(inv.surveyId));
    const survey = surveys.get(inv.surveyId);
    const rules = survey?.alerts ?? [];
    const matches = matchingRuleIds(rules, inv);
    const before = new Set(inv.alertMatches ?? []);
    const stale =
      inv.alertedVersion === undefined && Date.parse(inv.respondedAt ?? '') < nowMs() - judgeWithinMs;
    // An erased contact's answer opens nothing that would name it again.
    const erased = inv.contactId?.startsWith('erased_') ?? false;
    const firing =
      stale || erased ? [] : rules.filter((rule) => matches.includes(rule.id) && !before.has(rule.id));
    try {
      const deliveryIds = await writeFiring(inv, survey, firing, matches);
      return { outcome: firing.length ? 'fired' : 'nothing-to-do', deliveryIds };
    } catch (err) {
      const reasons = transactionCancelReasons(err);
      // The answer changed, another run judged it, or a follow-up moved: judge it again as it is now.
      const raced =
        reasons?.includes('ConditionalCheckFailed') || isTransactionConflict(err) || isRacedUpdate(err);
      if (!raced) throw err;
      await backOff(attempt, 20, 1000);
    }
  }
  throw new Error(`could not fire the alerts of invitation ${tokenRef(token)} after ${maxAttempts} attempts`);
}

const isRacedUpdate = (err: unknown): boolean =>
  (err as { name?: string } | null)?.name === 'ConditionalCheckFailedException';

async function writeFiring(
  inv: Answered,
  survey: Survey | undefined,
  firing: StoredAlertRule[],
  matches: string[],
): Promise<string[]> {
  const judged = {
    TableName: tableName('invitations'),
    Key: { token: inv.token },
    UpdateExpression: 'SET alertedVersion = :rv, alertMatches = :m',
    ConditionExpression:
      'responseVersion = :rv AND (attribute_not_exists(alertedVersion) OR alertedVersion < :rv)',
    ExpressionAttributeValues: { ':rv': inv.responseVersion, ':m': matches },
  };
  if (!firing.length || !survey) {
    // Nothing to fire (no rule matches, or none newly): only the version judged moves.
    await dynamo().send(new UpdateCommand(judged));
    return [];
  }
  const at = nowIso();
  const contact = await answerContact(inv);
  const event = alertEvent(inv, survey, contact, eventTypeOf(inv), at);
  const deliveries = firing.flatMap((rule) => ruleDeliveries(rule, inv, event, at));
  const followUps = [];
  const seenFollowUps = new Set<string>();
  for (const rule of firing) {
    if (!rule.followUp) continue;
    const id = followUpIdFor(inv.surveyId, inv.contactId, inv.token);
    if (seenFollowUps.has(id)) continue; // two rules opening the same person's follow-up: once
    seenFollowUps.add(id);
    const current = await getFollowUp(id);
    followUps.push(
      followUpWrite(
        rule,
        {
          surveyId: survey.id,
          surveyName: survey.name,
          token: inv.token,
          ref: responseRef(inv.token),
          responseUrl: event.data.responseUrl,
          ...(contact && {
            contactId: contact.id,
            contactEmail: contact.email,
            ...(contact.name && { contactName: contact.name }),
            contactProperties: contact.properties,
          }),
          score: inv.score,
          segment: inv.segment,
          ...(inv.comment && { comment: inv.comment }),
        },
        current,
        at,
      ),
    );
  }
  await dynamo().send(
    new TransactWriteCommand({
      TransactItems: [
        { Update: judged },
        { Put: { TableName: tableName('alerts'), Item: responseRefItem(inv.token, inv.surveyId) } },
        ...deliveries.map(deliveryPut),
        ...followUps,
      ],
    }),
  );
  return deliveries.map((d) => d.id);
}

/**
 * Errors no retry can mend (a malformed item, a bug): the stream must not stop on them, or the answers
 * behind it would never be judged. The caller logs them as an ALERT and goes on.
 */
export const isPermanentFiringError = (err: unknown): boolean =>
  ['ValidationException', 'SerializationException', 'TypeError', 'RangeError', 'SyntaxError'].includes(
    (err as { name?: string } | null)?.name ?? '',
  );

/** Hands new records to the deliver function; if that fails, the sweep finds them (they are due). */
export async function handOverDeliveries(ids: string[]): Promise<void> {
  if (!ids.length) return;
  try {
    await invokeAsync('DELIVER_FUNCTION_ARN', { type: 'deliveries.send', ids });
  } catch (err) {
    console.error(
      'alerts: could not invoke deliver; the sweep will send',
      ids.length,
      (err as Error).message,
    );
  }
}
