/**
 * `npswave webhooks deliveries | redeliver | replay`: what alert rules sent to webhooks, sending
 * one again, and sending a survey's events of a time range again (after a receiver was down).
 */
import * as v from 'valibot';
import { type Command, type Context, stringValue } from '../command.ts';
import { CliError, UsageError } from '../errors.ts';
import { renderTable } from '../table.ts';
import { formatNumber, painter, stdoutHasColour } from '../terminal.ts';
import { excerpt, shortTime } from './followups.ts';

const attempt = v.looseObject({
  at: v.optional(v.string()),
  status: v.optional(v.number()),
  error: v.optional(v.string()),
});

const delivery = v.looseObject({
  id: v.string(),
  status: v.optional(v.string()),
  surveyId: v.optional(v.string()),
  channel: v.optional(v.string()),
  url: v.optional(v.string()),
  to: v.optional(v.array(v.string())),
  attempts: v.optional(v.array(attempt), []),
  nextAttemptAt: v.optional(v.nullable(v.string())),
  failure: v.optional(v.nullable(v.string())),
});
export type DeliveryRow = v.InferOutput<typeof delivery>;

const deliveryPage = v.looseObject({
  deliveries: v.array(delivery),
  cursor: v.optional(v.nullable(v.string())),
});

const replayAnswer = v.looseObject({
  replayed: v.number(),
  next: v.optional(v.nullable(v.string())),
});

const statuses = ['pending', 'failed', 'delivered'] as const;
const defaultLimit = 50;

/** The receiver: a webhook's host and path, or an alert email's addresses. */
function targetOf(d: DeliveryRow): string {
  if (d.url) {
    try {
      const url = new URL(d.url);
      return excerpt(`${url.host}${url.pathname === '/' ? '' : url.pathname}`, 40);
    } catch {
      return excerpt(d.url, 40);
    }
  }
  return d.to?.length ? excerpt(d.to.join(', '), 40) : '-';
}

/** The last attempt: the receiver's HTTP status, or what went wrong without one. */
function lastOf(d: DeliveryRow): string {
  const last = d.attempts.at(-1);
  if (!last) return '-';
  if (last.status !== undefined) return `HTTP ${last.status}`;
  return last.error ? excerpt(last.error, 30) : '-';
}

export function renderDeliveries(rows: DeliveryRow[], colour: boolean): string {
  const paint = painter(colour);
  const tint = (status: string | undefined) =>
    status === 'failed'
      ? paint('red', status)
      : status === 'delivered'
        ? paint('green', status)
        : (status ?? '-');
  return renderTable(
    [
      { title: 'ID' },
      { title: 'STATUS' },
      { title: 'SURVEY' },
      { title: 'TARGET' },
      { title: 'ATTEMPTS', align: 'right' },
      { title: 'LAST' },
      { title: 'NEXT ATTEMPT' },
    ],
    rows.map((d) => [
      d.id,
      tint(d.status),
      d.surveyId ?? '-',
      targetOf(d),
      formatNumber(d.attempts.length),
      lastOf(d),
      d.status === 'pending' ? shortTime(d.nextAttemptAt) : '-',
    ]),
  );
}

/** One status's deliveries, page by page, until `limit`; whether more were left. */
async function listStatus(
  ctx: Context,
  status: string,
  limit: number,
): Promise<{ deliveries: DeliveryRow[]; more: boolean }> {
  const deliveries: DeliveryRow[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  do {
    const raw = await ctx.api().json('GET', '/api/webhook-deliveries', {
      query: { status, cursor },
      retry: true,
    });
    const page = v.safeParse(deliveryPage, raw);
    if (!page.success) throw new CliError('unexpected answer from GET /api/webhook-deliveries');
    deliveries.push(...page.output.deliveries);
    const next = page.output.cursor ?? undefined;
    if (next !== undefined && seen.has(next)) {
      throw new CliError('the server answered the same page of GET /api/webhook-deliveries twice; stopping');
    }
    if (next !== undefined) seen.add(next);
    cursor = next;
  } while (cursor !== undefined && deliveries.length < limit);
  return { deliveries: deliveries.slice(0, limit), more: cursor !== undefined || deliveries.length > limit };
}

function positiveLimit(raw: string | undefined): number {
  if (raw === undefined) return defaultLimit;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--limit must be a positive whole number, not "${raw}"`);
  return n;
}

const deliveries: Command = {
  words: ['webhooks', 'deliveries'],
  args: [],
  options: { status: { type: 'string' }, limit: { type: 'string' } },
  summary: 'List webhook deliveries with their attempts',
  usage: 'webhooks deliveries [--status pending|delivered|failed] [--limit N]',
  help: `Lists the deliveries of alert rules' webhooks (GET /api/webhook-deliveries) as a table: id,
status, survey, target, how many attempts were made, what the last one got (an HTTP status or an
error) and, while pending, when the next attempt is due (UTC).

  --status STATUS   only pending (by next attempt), delivered or failed deliveries (the newest
                    first); without it, pending, then failed, then delivered
  --limit N         at most N deliveries of each status (default ${defaultLimit})

With --json: the array of deliveries, each with every attempt.`,
  async run(ctx, { values }) {
    const status = stringValue(values, 'status');
    if (status !== undefined && !(statuses as readonly string[]).includes(status)) {
      throw new UsageError(`--status must be pending, delivered or failed, not "${status}"`);
    }
    const limit = positiveLimit(stringValue(values, 'limit'));
    const all: DeliveryRow[] = [];
    const cut: string[] = [];
    for (const s of status === undefined ? statuses : [status]) {
      const found = await listStatus(ctx, s, limit);
      all.push(...found.deliveries);
      if (found.more) cut.push(s);
    }
    if (ctx.json) {
      ctx.printJson(all);
      return;
    }
    if (all.length === 0) {
      ctx.print(status === undefined ? 'No webhook deliveries.' : `No ${status} webhook deliveries.`);
      return;
    }
    ctx.print(renderDeliveries(all, stdoutHasColour()));
    if (cut.length > 0) {
      ctx.print(`(more ${cut.join(' and ')} deliveries than --limit ${limit} shows; pass a larger --limit)`);
    }
  },
};

const redeliver: Command = {
  words: ['webhooks', 'redeliver'],
  args: ['ID'],
  options: {},
  summary: 'Send a webhook delivery again',
  usage: 'webhooks redeliver ID',
  help: `Queues a delivery again (POST /api/webhook-deliveries/ID/redeliver), with a fresh schedule of
retries and the same webhook-id, so a receiver that keeps ids sees it once.

With --json: the delivery.`,
  async run(ctx, { args: [id = ''] }) {
    const raw = await ctx.api().json('POST', `/api/webhook-deliveries/${encodeURIComponent(id)}/redeliver`);
    const parsed = v.safeParse(delivery, raw);
    if (!parsed.success)
      throw new CliError(`unexpected answer from POST /api/webhook-deliveries/${id}/redeliver`);
    if (ctx.json) {
      ctx.printJson(parsed.output);
      return;
    }
    const when = parsed.output.nextAttemptAt
      ? `, next attempt ${shortTime(parsed.output.nextAttemptAt)}`
      : '';
    ctx.print(`Delivery ${parsed.output.id} is ${parsed.output.status ?? 'pending'}${when}.`);
  },
};

/** An ISO 8601 date or time, as the API takes it. */
function isoFlag(values: Record<string, string | boolean | undefined>, name: string): string {
  const value = stringValue(values, name);
  if (value === undefined)
    throw new UsageError(`webhooks replay needs --${name} ISO (e.g. 2026-03-01T00:00:00Z)`);
  const ms = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new UsageError(`--${name} must be an ISO 8601 date or time, not "${value}"`);
  return new Date(ms).toISOString();
}

const replay: Command = {
  words: ['webhooks', 'replay'],
  args: ['SURVEY_ID'],
  options: { from: { type: 'string' }, to: { type: 'string' } },
  summary: "Send a survey's webhook events of a time range again",
  usage: 'webhooks replay SURVEY_ID --from ISO --to ISO',
  help: `Sends again every webhook event of the survey's answers from --from up to --to (POST
/api/surveys/SURVEY_ID/webhooks/replay), each with its original webhook-id, so a receiver that
was down can catch up. The server replays a part at a time; the command goes on until the range is
done and prints how many events were queued.

  --from ISO   the start, e.g. 2026-03-01 or 2026-03-01T09:00:00Z (a date is midnight UTC)
  --to ISO     the end

With --json: {"replayed"}.`,
  async run(ctx, { args: [surveyId = ''], values }) {
    const from = isoFlag(values, 'from');
    const to = isoFlag(values, 'to');
    if (from >= to) throw new UsageError('--from must be before --to');
    const path = `/api/surveys/${encodeURIComponent(surveyId)}/webhooks/replay`;
    let replayed = 0;
    let start = from;
    for (;;) {
      const raw = await ctx.api().json('POST', path, {
        body: JSON.stringify({ from: start, to }),
        contentType: 'application/json',
      });
      const answer = v.safeParse(replayAnswer, raw);
      if (!answer.success) throw new CliError(`unexpected answer from POST ${path}`);
      replayed += answer.output.replayed;
      const next = answer.output.next ?? undefined;
      if (next === undefined) break;
      if (!(Date.parse(next) > Date.parse(start)))
        throw new CliError(`the server answered POST ${path} without moving on; stopping`);
      start = next;
    }
    if (ctx.json) ctx.printJson({ replayed });
    else
      ctx.print(
        `Replayed ${formatNumber(replayed)} webhook events of survey ${surveyId} from ${from} to ${to}.`,
      );
  },
};

export const webhookCommands: Command[] = [deliveries, redeliver, replay];
