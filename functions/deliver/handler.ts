/**
 * The deliver function: posts webhooks and sends alert emails from their delivery records
 * (shared/alert/deliver.ts). Invoked with new records by the alerts function and the API, by a
 * one-time schedule for a record's next retry, and every few minutes by the sweep, which tries
 * whatever is due and was not tried (a lost invoke, a schedule that never came, a worker that died).
 */
import * as v from 'valibot';
import { deliverAll, sweepDue } from '../../shared/alert/deliver.ts';
import { eventHandler } from '../../shared/lambda/handler.ts';

const deliveryId = v.pipe(v.string(), v.regex(/^dl_[a-z2-7]{26}$/));
const event = v.variant('type', [
  v.object({ type: v.literal('deliveries.send'), ids: v.pipe(v.array(deliveryId), v.maxLength(1000)) }),
  v.object({ type: v.literal('delivery.retry'), id: deliveryId }),
  v.object({ type: v.literal('deliveries.sweep') }),
]);

export const handler = eventHandler({ name: 'deliver', event }, async (job, context) => {
  if (job.type === 'deliveries.sweep') return { swept: await sweepDue(context.deadline) };
  const ids = job.type === 'delivery.retry' ? [job.id] : job.ids;
  return await deliverAll(ids, context.deadline);
});
