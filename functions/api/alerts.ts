/** Admin routes for what alert rules make: follow-ups, webhook deliveries, replays and secrets. */
import * as v from 'valibot';
import { getDelivery, listDeliveries, requeueDelivery } from '../../shared/alert/deliveries.ts';
import { handOverDeliveries } from '../../shared/alert/fire.ts';
import { getFollowUp, listFollowUps, updateFollowUp } from '../../shared/alert/followups.ts';
import { enableHook } from '../../shared/alert/hooks.ts';
import { replaySurveyEvents, rotateHookSecret } from '../../shared/alert/replay.ts';
import { badRequest, notFound } from '../../shared/errors.ts';
import { json, jsonBody, parseInput, pathParam, queryParam } from '../../shared/http.ts';
import type { AdminRoutes } from './router.ts';

const followUpStatus = (value: string | undefined) => {
  if (value === undefined || value === 'open' || value === 'closed') return value;
  throw badRequest('status: must be open or closed');
};

const deliveryStatus = (value: string | undefined) => {
  if (value === undefined) return 'pending';
  if (value === 'pending' || value === 'delivered' || value === 'failed') return value;
  throw badRequest('status: must be pending, delivered or failed');
};

const followUpPatch = v.strictObject({
  status: v.optional(v.picklist(['open', 'closed'], 'must be open or closed')),
  note: v.optional(v.pipe(v.string(), v.maxLength(4000, 'at most 4000 characters'))),
  assignee: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(200, 'at most 200 characters')))),
  dueAt: v.optional(v.pipe(v.string(), v.isoTimestamp('must be an ISO time such as 2026-12-04T09:00:00Z'))),
});

const replayInput = v.strictObject({
  from: v.pipe(v.string(), v.isoTimestamp('must be an ISO time such as 2026-12-01T00:00:00Z')),
  to: v.optional(v.pipe(v.string(), v.isoTimestamp('must be an ISO time such as 2026-12-02T00:00:00Z'))),
});

export const alertRoutes: AdminRoutes = {
  'GET /api/followups': async (event) => {
    const limit = queryParam(event, 'limit');
    return json(
      200,
      await listFollowUps({
        ...(followUpStatus(queryParam(event, 'status')) && {
          status: followUpStatus(queryParam(event, 'status')),
        }),
        ...(queryParam(event, 'surveyId') && { surveyId: queryParam(event, 'surveyId') }),
        ...(queryParam(event, 'cursor') && { cursor: queryParam(event, 'cursor') }),
        ...(limit && { limit: Number(limit) || 50 }),
      }),
    );
  },

  'GET /api/followups/{id}': async (event) => {
    const followUp = await getFollowUp(pathParam(event, 'id'));
    if (!followUp) throw notFound(`no follow-up ${pathParam(event, 'id')}`);
    return json(200, followUp);
  },

  'PATCH /api/followups/{id}': async (event) => {
    const patch = parseInput(followUpPatch, jsonBody(event));
    return json(200, await updateFollowUp(pathParam(event, 'id'), patch));
  },

  'GET /api/webhook-deliveries': async (event) =>
    json(200, await listDeliveries(deliveryStatus(queryParam(event, 'status')), queryParam(event, 'cursor'))),

  'GET /api/webhook-deliveries/{id}': async (event) => {
    const delivery = await getDelivery(pathParam(event, 'id'));
    if (!delivery) throw notFound(`no webhook delivery ${pathParam(event, 'id')}`);
    return json(200, delivery);
  },

  /** Sends a delivery again now, with a fresh schedule; a hook a 410 disabled is turned back on. */
  'POST /api/webhook-deliveries/{id}/redeliver': async (event) => {
    const delivery = await requeueDelivery(pathParam(event, 'id'));
    if (delivery.channel === 'webhook') await enableHook(delivery.ruleId);
    await handOverDeliveries([delivery.id]);
    return json(202, delivery);
  },

  'POST /api/surveys/{id}/webhooks/replay': async (event) => {
    const input = parseInput(replayInput, jsonBody(event));
    const result = await replaySurveyEvents(pathParam(event, 'id'), input);
    for (let i = 0; i < result.deliveryIds.length; i += 500)
      await handOverDeliveries(result.deliveryIds.slice(i, i + 500));
    return json(202, { replayed: result.replayed, ...(result.next && { next: result.next }) });
  },

  'POST /api/surveys/{id}/alerts/{ruleId}/rotate-secret': async (event) =>
    json(200, await rotateHookSecret(pathParam(event, 'id'), pathParam(event, 'ruleId'))),
};
