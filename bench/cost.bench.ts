/**
 * What a wave costs on AWS, counted on the local stack and priced at list prices
 * (bench/lib/prices.ts, through bench/lib/cost-model.ts). One wave of a published NPS survey to
 * 10,000 contacts (NPSWAVE_BENCH_COST_CONTACTS for quick tries) with one reminder after three days
 * and an expiry after seven (reportBy `plan`, as the other benches' surveys), 10 % of the recipients
 * answering through the gateway (half before the reminder, half after; each answer is the page a
 * score button opens, `GET /r/{token}?score=N`, then the form post, a comment on every third), the
 * reminder and the expiry fired by the Scheduler stand-in as the local clock is moved
 * (`POST /_local/clock`), as they would fire on AWS.
 *
 * Counted, from creating the survey to the expiry and the last stream and SES event:
 * - Lambda: every invocation of every function and its measured duration (bench/lib/stack.ts),
 *   billed per invocation rounded up to 1 ms, at the memory infra/stateless.ts gives the function;
 * - DynamoDB: the read and write units DynamoDB Local reports per request (indexes included, 1 write
 *   unit per refused conditional write), plus a correction for transactions (below);
 * - Scheduler: the schedules of the wave that fired (its CreateSchedule calls are counted too);
 * - API Gateway: every request the gateway served (invocations of `api` and `respond`);
 * - SES: every recipient of every SendEmail call (invitations and reminders);
 * - EventBridge: SES's events for the sesEvents function (AWS service events: free).
 *
 * Scaled to "per 10,000 recipients": the wave's sent invitations are the recipients; SES's cost
 * includes every email SES sends for them, invitations and reminders alike (about 1.95 emails each
 * here). The goal: everything else adds at most a tenth to what SES alone costs.
 *
 * Not in the figures, on purpose:
 * - importing the contacts (POST /api/contacts, done before the counting starts): an import is not
 *   part of a wave, and is paid once per contact, not per wave;
 * - the `deliver` and `digest` functions: they run here only as the stack's own background jobs
 *   (the 5-minute delivery sweep, the daily digest; this survey has no alert rules and no owners),
 *   which cost the same per month with or without waves (the sweeps' monthly cost is printed apart);
 * - CloudWatch Logs ingestion ($0.50/GB; depends on log volume, which this bench does not measure),
 *   storage (DynamoDB GB-months, PITR), data transfer out, Secrets Manager (the api function reads
 *   the admin secret once per container), and free tiers.
 *
 * Where the local stack differs from AWS, and what the model does about it:
 * - DynamoDB Local rounds a transaction's items of one table together: two 100-byte items in one
 *   TransactWriteItems cost 2 units there, 4 on AWS (2 per item per KB). Checked by hand on
 *   2026-12-03 against DynamoDB Local 3.3.0, the other unit rules match AWS's: PutItem of a 2.5 KB
 *   item 3 WRU; GetItem of a 2.5 KB item 1 RRU strongly consistent, 0.5 eventually, a 5 KB one 2;
 *   a write to the invitations table 2 (the item plus its `byWave` index entry), 3 when it enters
 *   the sparse `answersBySurvey` index; an update that moves an index key 2 index units; a one-item
 *   transaction 2 per KB; BatchGet/BatchWrite per item. So transactions are counted with
 *   `ReturnConsumedCapacity: INDEXES`, and each table's part (and `byWave`'s, which holds every
 *   invitation) raised to at least 2 units per item (five invitation updates in one transaction:
 *   2 table and 2 index units reported, 10 and 10 on AWS).
 * - SES's configuration set publishes Send *and* Delivery events (and bounces, complaints, rejects,
 *   delays) to EventBridge, and the sesEvents rule matches them all (infra/stateless.ts); the local
 *   feed publishes only Send. Delivery events are modelled: one per email, each an invocation of
 *   sesEvents as long as the Delivery events posted through `POST /_local/ses-event` take here.
 * - The stream stand-in hands score and alerts every batch of invitation changes; on AWS the event
 *   source mappings' filters pass only records with an answer (and, to score, settles its wave has
 *   not counted yet). Both handlers skip other records without a request, so only their invocation
 *   count is overstated here (and kept: it errs high).
 * - The `resume-waves` sweep runs every 15 s of real time here (every 5 minutes on AWS); its extra
 *   `send` invocations during the wave are kept in (they err high; their number is printed).
 * - Durations are this machine's, with DynamoDB Local and the SES stand-in in the same process.
 *   The SES stand-in reports a MaxSendRate of 50/s (NPSWAVE_BENCH_COST_SES_RATE), a young
 *   production account; the shared rate reserves ceil(rate/4) slots per write, so a slower account
 *   makes a few more writes of the rate item per email.
 */
import { request } from 'node:http';
import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { fakeCredentials, localConfigurationSet, localRegion, scheduleGroup } from '../local/env.ts';
import { dynamo, lambdaClient, schedulerClient, sesClient } from '../shared/aws/clients.ts';
import { nowMs } from '../shared/clock.ts';
import { tableName } from '../shared/config.ts';
import { queryWaveInvitations } from '../shared/invitation/store.ts';
import type { FunctionName } from '../shared/routes.ts';
import type { Wave } from '../shared/wave/schema.ts';
import { getWave } from '../shared/wave/store.ts';
import {
  billedMs,
  type Dollars,
  dollarsOf,
  functionMemoryMb,
  gbSeconds,
  lambdaArchitecture,
  scaleUsage,
  type Usage,
} from './lib/cost-model.ts';
import { atMost, type Figure, info, progress, round } from './lib/figure.ts';
import { prices } from './lib/prices.ts';
import { seedContacts } from './lib/seed.ts';
import { type BenchStack, benchStack, countRequests, stopBenchStack } from './lib/stack.ts';

const contacts = Number(process.env.NPSWAVE_BENCH_COST_CONTACTS || 10_000);
const sesRate = Number(process.env.NPSWAVE_BENCH_COST_SES_RATE || 50);
const answerShare = 0.1;
const reminderAfterDays = 3;
const windowDays = 7;
const per = 10_000;
const dayMs = 86_400_000;
/** Functions that run here only as the stack's background jobs (see the header). */
const background: FunctionName[] = ['deliver', 'digest'];
/** AWS's rate(5 minutes) sweeps over a 31-day month. */
const sweepsPerMonth = (31 * 24 * 60) / 5;
/** Delivery events posted to measure what one costs the sesEvents function. */
const deliveryProbe = 200;
/** An NPS mix: promoters, passives and detractors. */
const scores = [10, 9, 9, 8, 7, 10, 6, 3, 9, 10, 5, 8, 0, 9, 7, 10];
const comments = [
  'Setup took five minutes and the reports are exactly what our team needed.',
  'Good product, but the export could be faster on large accounts.',
  'Support answered quickly, thanks!',
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
const usd = (value: number): string => `$${value.toFixed(value < 0.01 ? 6 : 4)}`;
const increment = (counts: Record<string, number>, key: string, by = 1): void => {
  counts[key] = (counts[key] ?? 0) + by;
};

/** Counting done here, beside the stack's own counter: on the handlers' SES, Scheduler and Lambda clients. */
class SideCounts {
  measuring = false;
  /** SES calls by command (`Command!Error` for failures), and recipients of the sent emails. */
  readonly ses: Record<string, number> = {};
  sesRecipients = 0;
  readonly scheduler: { command: string; name: string; ok: boolean }[] = [];
  /** Lambda Invoke calls (a function handing work to a fresh invocation), by target. */
  readonly invokes: Record<string, number> = {};
  /** Units added to DynamoDB Local's count of transactions, and on which tables. */
  readonly txCorrection = { read: 0, write: 0, byTable: {} as Record<string, number> };
  /** DynamoDB requests by command and the tables they touch: how many, and the units of each part. */
  readonly dynamo = new Map<
    string,
    { requests: number; items: number; waveItemWrites: number; units: Record<string, number> }
  >();

  addRequest(shape: string, items: number, waveItemWrites: number, parts: [string, number][]): void {
    const entry = this.dynamo.get(shape) ?? { requests: 0, items: 0, waveItemWrites: 0, units: {} };
    entry.requests += 1;
    entry.items += items;
    entry.waveItemWrites += waveItemWrites;
    for (const [part, units] of parts) increment(entry.units, part, units);
    this.dynamo.set(shape, entry);
  }
}

const dataCommand =
  /^(GetItem|PutItem|UpdateItem|DeleteItem|Query|Scan|BatchGetItem|BatchWriteItem|TransactWriteItems|TransactGetItems)$/;
const short = (table: string): string => table.replace(/^npswave-/, '');
/**
 * Indexes that every write of an item of their table rewrites: those holding every item with all its
 * attributes (projection ALL), whose entries DynamoDB Local under-counts in a transaction of several
 * items (five 600-byte updates: 2 index units reported, 10 on AWS). None now: `byWaveKeys` holds
 * keys only, so an update that leaves `waveId` and `contactId` alone does not touch it (its
 * predecessor `byWave` projected ALL, and was 43 % of a wave's write units).
 */
const everyItemIndexed = new Set<string>();

type Key = Record<string, unknown> | undefined;
interface Action {
  table: string;
  key: Key;
  write: boolean;
}
interface DataInput {
  TableName?: string;
  Key?: Key;
  Item?: Key;
  TransactItems?: Record<string, { TableName?: string; Key?: Key; Item?: Key } | undefined>[];
  RequestItems?: Record<string, unknown[] | { Keys?: unknown[] }>;
  ReturnConsumedCapacity?: string;
}

/** The items a request acts on, as far as its input says. */
function actionsOf(command: string, input: DataInput): Action[] {
  if (input.TransactItems)
    return input.TransactItems.flatMap((item) =>
      Object.entries(item).map(([kind, action]) => ({
        table: action?.TableName ?? '?',
        key: action?.Key ?? action?.Item,
        write: kind !== 'Get' && kind !== 'ConditionCheck',
      })),
    );
  if (input.RequestItems)
    return Object.entries(input.RequestItems).flatMap(([table, items]) =>
      (Array.isArray(items) ? items : (items.Keys ?? [])).map(() => ({
        table,
        key: undefined,
        write: command === 'BatchWriteItem',
      })),
    );
  return [
    {
      table: input.TableName ?? '?',
      key: input.Key ?? input.Item,
      write: /^(Put|Update|Delete)/.test(command),
    },
  ];
}

/**
 * `invitations + aggregates×5`: the tables a request touches, with how many items where more than
 * one (`×6+` for six or more, so that batches of any size share one line).
 */
function shapeOf(actions: Action[]): string {
  const counts = new Map<string, number>();
  for (const a of actions) counts.set(short(a.table), (counts.get(short(a.table)) ?? 0) + 1);
  return [...counts].map(([t, n]) => (n > 5 ? `${t}×6+` : n > 1 ? `${t}×${n}` : t)).join(' + ');
}

/** A wave's own item (`WAVE#id` / `WAVE`): the one every email of a wave writes its counts to. */
const isWaveItem = (key: Key): boolean =>
  typeof key?.pk === 'string' && key.pk.startsWith('WAVE#') && key.sk === 'WAVE';

type ConsumedEntry = {
  TableName?: string;
  CapacityUnits?: number;
  Table?: { CapacityUnits?: number };
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
};

function instrument(side: SideCounts): void {
  sesClient().middlewareStack.add(
    (next, context) => async (args) => {
      if (!side.measuring) return next(args);
      const command = context.commandName ?? 'unknown';
      try {
        const result = await next(args);
        increment(side.ses, command);
        if (command === 'SendEmailCommand') {
          const to = (args.input as { Destination?: Record<string, string[] | undefined> }).Destination ?? {};
          side.sesRecipients +=
            (to.ToAddresses?.length ?? 0) + (to.CcAddresses?.length ?? 0) + (to.BccAddresses?.length ?? 0);
        }
        return result;
      } catch (err) {
        increment(side.ses, `${command}!${(err as Error).name}`);
        throw err;
      }
    },
    { step: 'initialize', name: 'benchCostSes' },
  );
  schedulerClient().middlewareStack.add(
    (next, context) => async (args) => {
      if (!side.measuring) return next(args);
      const entry = {
        command: context.commandName ?? 'unknown',
        name: String((args.input as { Name?: string }).Name ?? ''),
        ok: true,
      };
      side.scheduler.push(entry);
      try {
        return await next(args);
      } catch (err) {
        entry.ok = false;
        throw err;
      }
    },
    { step: 'initialize', name: 'benchCostScheduler' },
  );
  lambdaClient().middlewareStack.add(
    (next, context) => async (args) => {
      if (side.measuring && context.commandName === 'InvokeCommand') {
        const target = String((args.input as { FunctionName?: string }).FunctionName ?? '');
        increment(side.invokes, target.split(':').at(-1) ?? target);
      }
      return next(args);
    },
    { step: 'initialize', name: 'benchCostLambdaInvokes' },
  );
  // Every data request asks for its units by table and index, kept by request shape. DynamoDB Local
  // sums the sizes of a transaction's items per table before rounding, where AWS rounds each item
  // (2 units per KB): each table's own part of a transaction is raised to at least 2 per item (a
  // lower bound, exact for items under 1 KB). The SDK names commands as the low-level client does
  // (`UpdateItemCommand`, `TransactWriteItemsCommand`), with the Document client's plain input.
  dynamo().middlewareStack.add(
    (next, context) => async (args) => {
      const command = (context.commandName ?? '').replace(/Command$/, '');
      if (!side.measuring || !dataCommand.test(command)) return next(args);
      const input = args.input as DataInput;
      input.ReturnConsumedCapacity = 'INDEXES';
      const actions = actionsOf(command, input);
      const waveWrites = actions.filter((a) => a.write && isWaveItem(a.key)).length;
      let result: Awaited<ReturnType<typeof next>>;
      try {
        result = await next(args);
      } catch (err) {
        // Refused: the stack's counter adds the write unit AWS charges; the shape is kept apart.
        side.addRequest(
          `${command}!${(err as Error).name} ${shapeOf(actions)}`,
          actions.length,
          waveWrites,
          [],
        );
        throw err;
      }
      const consumed = (result.output as { ConsumedCapacity?: ConsumedEntry | ConsumedEntry[] })
        .ConsumedCapacity;
      const entries = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
      const parts: [string, number][] = [];
      const transactional = command.startsWith('Transact');
      // At least 2 units per item of the table in the transaction (and per item's entry of an index
      // every item of the table is in): what DynamoDB Local reported was short by the difference.
      const atLeast = (part: string, reported: number, n: number): number => {
        const missing = transactional ? Math.max(0, 2 * n - reported) : 0;
        if (missing === 0) return reported;
        if (command === 'TransactGetItems') side.txCorrection.read += missing;
        else side.txCorrection.write += missing;
        increment(side.txCorrection.byTable, part, missing);
        return reported + missing;
      };
      for (const entry of entries) {
        const table = short(entry.TableName ?? '?');
        const n = actions.filter((a) => short(a.table) === table).length;
        parts.push([table, atLeast(table, entry.Table?.CapacityUnits ?? entry.CapacityUnits ?? 0, n)]);
        for (const [index, units] of Object.entries(entry.GlobalSecondaryIndexes ?? {})) {
          const part = `${table}/${index}`;
          const written = command === 'TransactWriteItems' && everyItemIndexed.has(part) ? n : 0;
          parts.push([part, atLeast(part, units.CapacityUnits ?? 0, written)]);
        }
      }
      side.addRequest(`${command} ${shapeOf(actions)}`, actions.length, waveWrites, parts);
      return result;
    },
    { step: 'initialize', name: 'benchCostDynamoUnits' },
  );
}

/** POST with node:http: a clock request that sends a whole reminder outlasts fetch's 300-second header timeout. */
function post<T>(bench: BenchStack, path: string, body: unknown): Promise<T> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, bench.stack.url),
      {
        method: 'POST',
        headers: { authorization: `Bearer ${bench.stack.adminKey}`, 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 500) >= 300)
            reject(new Error(`POST ${path} answered ${res.statusCode}: ${text.slice(0, 300)}`));
          else resolve((text === '' ? undefined : JSON.parse(text)) as T);
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Moves the local clock to `at` (epoch ms), firing whatever falls due on the way. */
async function clockTo(bench: BenchStack, at: number): Promise<void> {
  await post(bench, '/_local/clock', { advanceSeconds: Math.max(0, Math.ceil((at - nowMs()) / 1000)) });
}

/** Polls the wave item itself (not the API: its requests would be counted as the wave's). */
async function waitForWave(
  waveId: string,
  what: string,
  done: (w: Wave) => boolean,
  ms: number,
): Promise<Wave> {
  const deadline = Date.now() + ms;
  let lastReport = Date.now();
  for (;;) {
    const wave = await getWave(waveId);
    if (wave && done(wave)) return wave;
    if (Date.now() > deadline)
      throw new Error(`wave ${waveId}: ${what} not reached: ${JSON.stringify(wave?.counts)}`);
    if (Date.now() - lastReport > 30_000) {
      lastReport = Date.now();
      progress(`cost: waiting for ${what}: ${JSON.stringify(wave?.counts)}`);
    }
    await sleep(500);
  }
}

async function until(what: string, done: () => Promise<boolean> | boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`cost: ${what} not reached within ${ms / 1000} s`);
    await sleep(250);
  }
}

/** A recipient answering: the page their score button opens, then the form post (a 303 is followed). */
async function answer(bench: BenchStack, token: string, i: number): Promise<void> {
  const score = scores[i % scores.length] ?? 9;
  const page = await fetch(`${bench.stack.url}/r/${token}?score=${score}`);
  await page.text();
  if (page.status !== 200) throw new Error(`GET /r/ answered ${page.status}`);
  const form = new URLSearchParams({ score: String(score) });
  if (i % 3 === 0) form.set('comment', comments[i % comments.length] ?? 'Thanks');
  const posted = await fetch(`${bench.stack.url}/r/${token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  await posted.text();
  if (posted.status !== 200) throw new Error(`POST /r/ answered ${posted.status}`);
}

async function answerAll(bench: BenchStack, tokens: readonly string[], offset: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tokens.length) {
      const i = next++;
      await answer(bench, tokens[i] as string, offset + i);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

async function sentTokens(waveId: string): Promise<string[]> {
  const tokens: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await queryWaveInvitations(waveId, ['sent'], start, 1000);
    tokens.push(...page.items.map((inv) => inv.token));
    start = page.next;
  } while (start);
  return tokens;
}

async function countedResponses(surveyId: string, waveId: string): Promise<number> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName('aggregates'), Key: { surveyId, key: `W#${waveId}` } }),
  );
  return Number(Item?.responses ?? 0);
}

/** An item's size as DynamoDB counts it (attribute names plus values; numbers about half their digits). */
function itemBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number')
    return Math.ceil(String(Math.abs(value)).replace(/[.-]/g, '').length / 2) + 1;
  if (typeof value === 'boolean' || value === null || value === undefined) return 1;
  if (Array.isArray(value)) return 3 + sum(value.map((v) => itemBytes(v) + 1));
  if (value instanceof Set) return sum([...value].map((v) => itemBytes(v)));
  return (
    3 +
    sum(
      Object.entries(value as Record<string, unknown>).map(
        ([k, v]) => Buffer.byteLength(k) + itemBytes(v) + 1,
      ),
    )
  );
}

async function sizeOf(table: Parameters<typeof tableName>[0], key: Record<string, unknown>): Promise<number> {
  const { Item } = await dynamo().send(new GetCommand({ TableName: tableName(table), Key: key }));
  // The top level is the item itself, not a map attribute.
  return Item ? itemBytes(Item) - 3 - Object.keys(Item).length : 0;
}

/** The memory sizes in the model must be those infra/ deploys (loaded here, not in the model: aws-cdk-lib is heavy). */
async function checkMemorySizes(): Promise<void> {
  const { functionSpecs } = await import('../infra/stateless.ts');
  const wrong = (Object.keys(functionMemoryMb) as FunctionName[]).filter(
    (fn) => functionSpecs[fn].memorySize !== functionMemoryMb[fn],
  );
  if (wrong.length)
    throw new Error(
      `bench/lib/cost-model.ts functionMemoryMb disagrees with infra/stateless.ts for ${wrong.join(', ')}`,
    );
}

interface Snapshot {
  invocations: Record<string, number[]>;
  units: Record<string, { read: number; write: number }>;
  requests: Record<string, Record<string, number>>;
  waveItemWrites: number;
}

function snapshot(bench: BenchStack): Snapshot {
  const invocations = bench.counter.invocationsOf();
  const requests = bench.counter.byFunction();
  const fns = new Set([...Object.keys(invocations), ...Object.keys(requests)]) as Set<FunctionName>;
  return {
    invocations,
    units: Object.fromEntries([...fns].map((fn) => [fn, bench.counter.unitsOf(fn)])),
    requests,
    waveItemWrites: bench.counter.waveItemWriteCount(),
  };
}

const requestTotal = (byCommand: Record<string, number> | undefined): number =>
  Object.entries(byCommand ?? {}).reduce((n, [command, count]) => (command.includes('!') ? n : n + count), 0);

export async function run(): Promise<Figure[]> {
  await checkMemorySizes();
  // A stack of its own: fresh tables, and the SES account's rate set for this run.
  await stopBenchStack();
  const bench = await benchStack({ sesMaxSendRate: sesRate });
  const side = new SideCounts();
  instrument(side);
  try {
    // 1. The contacts, not counted: an import is not part of a wave.
    countRequests(false);
    const label = `cost-${Date.now().toString(36)}`;
    const importStart = performance.now();
    await seedContacts(bench, contacts, label);
    const importSeconds = (performance.now() - importStart) / 1000;
    progress(`cost: ${contacts} contacts imported in ${importSeconds.toFixed(1)} s (not counted)`);

    // 2. The wave, counted from here.
    await sleep(1_000);
    countRequests(true);
    bench.counter.reset();
    side.measuring = true;
    const started = performance.now();
    const survey = await bench.api<{ id: string }>('POST', '/api/surveys', {
      kind: 'nps',
      name: `cost ${label}`,
      companyName: 'Bench',
      reportBy: ['plan'],
      audience: { where: [{ field: 'properties.run', equals: label }] },
      reminders: { count: 1, afterDays: reminderAfterDays },
      windowDays,
    });
    await bench.api('POST', `/api/surveys/${survey.id}/publish`);
    const { waveId } = await bench.api<{ waveId: string }>('POST', `/api/surveys/${survey.id}/waves`, {});
    // Create, publish, start: the API calls the wave needed.
    const apiCalls = 3;
    const sent = await waitForWave(
      waveId,
      'the wave sent',
      (w) => w.status !== 'sending' && w.counts.selected > 0,
      600_000 + contacts * 200,
    );
    const sendSeconds = (performance.now() - started) / 1000;
    progress(
      `cost: wave ${waveId} sent in ${sendSeconds.toFixed(1)} s: ${JSON.stringify(sent.counts)}, status ${sent.status}`,
    );

    const tokens = await sentTokens(waveId);
    const answering = tokens.filter((_, i) => i % Math.round(1 / answerShare) === 0);
    const early = answering.slice(0, Math.ceil(answering.length / 2));
    const late = answering.slice(early.length);
    await answerAll(bench, early, 0);
    progress(`cost: ${early.length} answers before the reminder`);

    const startedAt = Date.parse(sent.startedAt);
    const remindStart = performance.now();
    await clockTo(bench, startedAt + reminderAfterDays * dayMs + 60_000);
    const expectReminded = tokens.length - early.length;
    const reminded = await waitForWave(
      waveId,
      'the reminder sent',
      (w) => w.counts.reminded >= expectReminded,
      300_000 + contacts * 100,
    );
    progress(
      `cost: reminder fired and sent in ${((performance.now() - remindStart) / 1000).toFixed(1)} s: ${reminded.counts.reminded} reminded (expected ${expectReminded})`,
    );

    await answerAll(bench, late, early.length);
    progress(`cost: ${late.length} answers after the reminder`);

    await clockTo(bench, Date.parse(sent.closesAt) + 60_000);
    const closed = await waitForWave(waveId, 'the wave closed', (w) => w.status === 'closed', 300_000);
    progress(`cost: wave closed: ${JSON.stringify(closed.counts)}`);

    // The stream consumers and the SES event feed catch up; then nothing is left running for the wave.
    await until(
      'every answer counted',
      async () => (await countedResponses(survey.id, waveId)) >= answering.length,
      120_000,
    );
    const emailsSent = () => side.ses.SendEmailCommand ?? 0;
    await until(
      'an SES Send event handled for every email',
      () => (bench.counter.invocationsOf().sesEvents?.length ?? 0) >= emailsSent(),
      120_000,
    );
    await sleep(3_000);
    side.measuring = false;
    const windowSeconds = (performance.now() - started) / 1000;
    const measured = snapshot(bench);
    const txCorrection = { ...side.txCorrection, byTable: { ...side.txCorrection.byTable } };
    const firstToken = tokens[0] ?? '';
    const sizes = {
      wave: await sizeOf('surveys', { pk: `WAVE#${waveId}`, sk: 'WAVE' }),
      invitation: await sizeOf('invitations', { token: firstToken }),
      answered: await sizeOf('invitations', { token: answering[0] ?? firstToken }),
    };

    // The schedules the wave made that fired: gone (ActionAfterCompletion DELETE) without a DeleteSchedule.
    const inspector = new SchedulerClient({
      endpoint: bench.stack.controlUrl,
      region: localRegion,
      credentials: fakeCredentials,
    });
    const created = [
      ...new Set(
        side.scheduler.filter((c) => c.command === 'CreateScheduleCommand' && c.ok).map((c) => c.name),
      ),
    ];
    const deleted = new Set(
      side.scheduler.filter((c) => c.command === 'DeleteScheduleCommand').map((c) => c.name),
    );
    let fired = 0;
    for (const name of created) {
      try {
        await inspector.send(new GetScheduleCommand({ Name: name, GroupName: scheduleGroup }));
      } catch (err) {
        if ((err as Error).name !== 'ResourceNotFoundException') throw err;
        if (!deleted.has(name)) fired += 1;
      }
    }
    inspector.destroy();

    // 3. Calibrations, counted apart. (a) SES Delivery events, which only AWS publishes.
    bench.counter.reset();
    for (const token of tokens.slice(0, deliveryProbe)) {
      await post(bench, '/_local/ses-event', {
        version: '0',
        source: 'aws.ses',
        'detail-type': 'Email Delivered',
        time: new Date(nowMs()).toISOString(),
        detail: {
          eventType: 'Delivery',
          mail: {
            timestamp: new Date(nowMs()).toISOString(),
            messageId: `probe-${token.slice(-8)}`,
            destination: ['probe@example.com'],
            tags: { 'ses:configuration-set': [localConfigurationSet], invitation: [token] },
          },
          delivery: { timestamp: new Date(nowMs()).toISOString(), recipients: ['probe@example.com'] },
        },
      });
    }
    const probeDurations = bench.counter.invocationsOf().sesEvents ?? [];
    const probeRequests = requestTotal(bench.counter.byCommand('sesEvents'));
    const probeUnits = bench.counter.unitsOf('sesEvents');
    const deliveryBilledMsEach = billedMs(probeDurations) / Math.max(1, probeDurations.length);

    // (b) The background sweeps on their own, with no wave active: their cost per month on AWS.
    bench.counter.reset();
    await sleep(35_000);
    const idle = snapshot(bench);
    countRequests(false);

    // 4. The usage of the wave, as AWS would bill it.
    const recipients = closed.counts.sent;
    const emails = side.sesRecipients;
    const lambda: Usage['lambda'] = {};
    for (const [fn, durations] of Object.entries(measured.invocations)) {
      if (background.includes(fn as FunctionName)) continue;
      lambda[fn] = {
        invocations: durations.length,
        billedMs: billedMs(durations),
        memoryMb: functionMemoryMb[fn as FunctionName],
      };
    }
    const deliveryEvents = emails;
    lambda['sesEvents (Delivery, modelled)'] = {
      invocations: deliveryEvents,
      billedMs: deliveryBilledMsEach * deliveryEvents,
      memoryMb: functionMemoryMb.sesEvents,
    };
    let readUnits = txCorrection.read;
    let writeUnits = txCorrection.write;
    for (const [fn, units] of Object.entries(measured.units)) {
      if (background.includes(fn as FunctionName)) continue;
      readUnits += units.read;
      writeUnits += units.write;
    }
    readUnits += (probeUnits.read / Math.max(1, probeDurations.length)) * deliveryEvents;
    writeUnits += (probeUnits.write / Math.max(1, probeDurations.length)) * deliveryEvents;
    const gatewayRequests =
      (measured.invocations.api?.length ?? 0) + (measured.invocations.respond?.length ?? 0);
    const sendEvents = measured.invocations.sesEvents?.length ?? 0;
    const usage: Usage = {
      lambda,
      dynamodb: { readUnits, writeUnits },
      scheduler: { invocations: fired },
      apiGateway: { requests: gatewayRequests },
      ses: { emails },
      eventBridge: { awsServiceEvents: sendEvents + deliveryEvents, customEvents: 0 },
    };
    const scaled = scaleUsage(usage, per / Math.max(1, recipients));
    const cost: Dollars = dollarsOf(scaled);

    // The sweeps' own cost per month (AWS runs each every 5 minutes, waves or not).
    const sweepUsage = (fn: FunctionName): Usage['lambda'][string] => {
      const durations = idle.invocations[fn] ?? [];
      const each = durations.length ? billedMs(durations) / durations.length : 0;
      return { invocations: sweepsPerMonth, billedMs: each * sweepsPerMonth, memoryMb: functionMemoryMb[fn] };
    };
    const perSweep = (fn: FunctionName, kind: 'read' | 'write'): number =>
      (idle.units[fn]?.[kind] ?? 0) / Math.max(1, idle.invocations[fn]?.length ?? 0);
    const fixed = dollarsOf({
      lambda: { send: sweepUsage('send'), deliver: sweepUsage('deliver') },
      dynamodb: {
        readUnits: (perSweep('send', 'read') + perSweep('deliver', 'read')) * sweepsPerMonth,
        writeUnits: (perSweep('send', 'write') + perSweep('deliver', 'write')) * sweepsPerMonth,
      },
      scheduler: { invocations: 2 * sweepsPerMonth },
      apiGateway: { requests: 0 },
      ses: { emails: 0 },
      eventBridge: { awsServiceEvents: 0, customEvents: 0 },
    });

    // 5. The report.
    const dynamoRequests = Object.entries(measured.requests)
      .filter(([fn]) => !background.includes(fn as FunctionName))
      .reduce((n, [, byCommand]) => n + requestTotal(byCommand), 0);
    const lambdaInvocations = sum(Object.values(usage.lambda).map((l) => l.invocations));
    const lambdaGbSeconds = sum(Object.values(usage.lambda).map(gbSeconds));
    const schedulerCreates = side.scheduler.filter((c) => c.command === 'CreateScheduleCommand').length;
    const resumeSweeps = Math.round(windowSeconds / 15);
    const factor = per / Math.max(1, recipients);

    progress(
      `cost: ${recipients} recipients, ${emails} emails (${closed.counts.reminded} reminders), ${answering.length} answers, ` +
        `${round(windowSeconds, 1)} s counted; ${lambdaArchitecture}, list prices read ${prices.sesEmails.readOn}`,
    );
    progress('cost: per function (this run):');
    progress(
      '  function                           invocations   billed s   MB    GB-s      DynamoDB req   RRU        WRU        $/10k',
    );
    const fnNames = new Set([...Object.keys(usage.lambda), ...Object.keys(measured.requests)]);
    for (const fn of fnNames) {
      const l = usage.lambda[fn];
      const units = measured.units[fn];
      const excluded = background.includes(fn as FunctionName);
      progress(
        `  ${fn.padEnd(34)} ${String(l?.invocations ?? measured.invocations[fn]?.length ?? 0).padStart(11)} ` +
          `${(l ? l.billedMs / 1000 : 0).toFixed(1).padStart(10)} ${String(l?.memoryMb ?? '').padStart(5)} ` +
          `${(l ? gbSeconds(l) : 0).toFixed(2).padStart(9)} ${String(requestTotal(measured.requests[fn])).padStart(14)} ` +
          `${(units?.read ?? 0).toFixed(1).padStart(10)} ${(units?.write ?? 0).toFixed(1).padStart(10)} ` +
          `${excluded ? '  (background, excluded)' : usd(cost.lambdaBy[fn] ?? 0).padStart(10)}`,
      );
    }
    for (const [fn, byCommand] of Object.entries(measured.requests)) {
      progress(`  DynamoDB ${fn}: ${JSON.stringify(byCommand)}`);
    }
    const readShape = /^(GetItem|Query|Scan|BatchGetItem|TransactGetItems)/;
    const shapes = [...side.dynamo].sort(
      ([, a], [, b]) => sum(Object.values(b.units)) - sum(Object.values(a.units)),
    );
    progress(
      `  DynamoDB by request (all functions; units are AWS's: index parts apart, transactions corrected):`,
    );
    for (const [shape, entry] of shapes) {
      const total = sum(Object.values(entry.units));
      const parts = Object.entries(entry.units)
        .map(([part, units]) => `${part} ${round(units / entry.requests, 2)}`)
        .join(', ');
      progress(
        `    ${String(entry.requests).padStart(6)} × ${shape.padEnd(58)} ${round(total, 1).toString().padStart(9)} ${readShape.test(shape) ? 'RRU' : 'WRU'}` +
          `  (${round(total / Math.max(1, entry.requests), 2)} each${shape.includes('×6+') ? `, ${round(entry.items / entry.requests, 1)} items` : ''}: ${parts || 'none'})`,
      );
    }
    const waveItemWrites = sum([...side.dynamo.values()].map((e) => e.waveItemWrites));
    progress(
      `  DynamoDB Local under-counted transactions by ${txCorrection.write} WRU, ${txCorrection.read} RRU ${JSON.stringify(txCorrection.byTable)} (added); ` +
        `writes on the wave's own item: ${waveItemWrites} (${round(waveItemWrites / Math.max(1, emails), 3)} per email; the stack's counter says ${measured.waveItemWrites})`,
    );
    progress(
      `  item sizes (about): the wave ${sizes.wave} B, an invitation ${sizes.invitation} B, an answered one ${sizes.answered} B`,
    );
    progress(
      `  SES calls: ${JSON.stringify(side.ses)}; Lambda Invoke calls: ${JSON.stringify(side.invokes)}`,
    );
    progress(
      `  Scheduler: ${JSON.stringify(
        side.scheduler.reduce<Record<string, number>>((acc, c) => {
          increment(acc, `${c.command}${c.ok ? '' : '!'}`);
          return acc;
        }, {}),
      )}; ${fired} fired of ${created.length} created (${created.join(', ')})`,
    );
    progress(
      `  Delivery events (modelled): ${deliveryEvents} × ${round(deliveryBilledMsEach, 2)} billed ms at ${functionMemoryMb.sesEvents} MB, ` +
        `${round(probeRequests / Math.max(1, probeDurations.length), 2)} DynamoDB requests each (probe of ${probeDurations.length})`,
    );
    progress(
      `  gateway: ${gatewayRequests} requests (api ${measured.invocations.api?.length ?? 0}: ${apiCalls} calls made; respond ${measured.invocations.respond?.length ?? 0}: ${2 * answering.length} made)`,
    );
    progress(
      `  background, excluded: deliver ${measured.invocations.deliver?.length ?? 0} and digest ${measured.invocations.digest?.length ?? 0} invocations; ` +
        `about ${resumeSweeps} resume sweeps of send kept in (every 15 s here, every 5 min on AWS)`,
    );
    progress(`cost: per ${per.toLocaleString('en')} recipients (×${round(factor, 3)}):`);
    const line = (service: string, dollars: number, detail: string) =>
      progress(
        `  ${service.padEnd(12)} ${usd(dollars).padStart(11)}  ${((dollars / cost.total) * 100).toFixed(2).padStart(6)} %  ${detail}`,
      );
    line(
      'lambda',
      cost.lambda,
      `${round(lambdaInvocations * factor, 0)} invocations (${usd(cost.lambdaRequests)}), ${round(lambdaGbSeconds * factor, 1)} GB-s (${usd(cost.lambdaDuration)})`,
    );
    line(
      'dynamodb',
      cost.dynamodb,
      `${round(readUnits * factor, 0)} RRU (${usd(cost.dynamodbReads)}), ${round(writeUnits * factor, 0)} WRU (${usd(cost.dynamodbWrites)}), ${round(dynamoRequests * factor, 0)} requests`,
    );
    line('scheduler', cost.scheduler, `${round(fired * factor, 2)} invocations`);
    line('apigateway', cost.apiGateway, `${round(gatewayRequests * factor, 0)} requests`);
    line('ses', cost.ses, `${round(emails * factor, 0)} emails`);
    line(
      'eventbridge',
      cost.eventBridge,
      `${round((sendEvents + deliveryEvents) * factor, 0)} SES events (AWS service events: free)`,
    );
    line('total', cost.total, `total ÷ SES ${round(cost.totalOverSes, 4)}`);
    progress(
      `cost: background sweeps (resume-waves, sweep-deliveries every 5 min), per month whatever the waves: ${usd(fixed.total)}`,
    );

    return [
      info(
        'cost.dollars_per_10k_recipients',
        round(cost.total, 4),
        'USD per 10,000 recipients (wave + reminder + expiry)',
      ),
      info('cost.ses_share', round(cost.sesShare, 4), 'share of the total'),
      atMost('cost.total_over_ses', round(cost.totalOverSes, 4), 'ratio (total ÷ SES alone)', 1.1),
      info('cost.lambda_dollars_per_10k_recipients', round(cost.lambda, 6), 'USD per 10,000 recipients'),
      info('cost.dynamodb_dollars_per_10k_recipients', round(cost.dynamodb, 6), 'USD per 10,000 recipients'),
      info(
        'cost.scheduler_dollars_per_10k_recipients',
        round(cost.scheduler, 6),
        'USD per 10,000 recipients',
      ),
      info(
        'cost.apigateway_dollars_per_10k_recipients',
        round(cost.apiGateway, 6),
        'USD per 10,000 recipients',
      ),
      info('cost.ses_dollars_per_10k_recipients', round(cost.ses, 6), 'USD per 10,000 recipients'),
      info(
        'cost.eventbridge_dollars_per_10k_recipients',
        round(cost.eventBridge, 6),
        'USD per 10,000 recipients',
      ),
      info('cost.recipients', recipients, 'recipients in this run'),
      info('cost.emails_per_recipient', round(emails / Math.max(1, recipients), 4), 'emails'),
      info(
        'cost.requests.lambda_invocations',
        lambdaInvocations,
        'invocations in this run (Delivery events modelled)',
      ),
      info('cost.requests.lambda_gb_seconds', round(lambdaGbSeconds, 2), 'GB-s in this run'),
      info('cost.requests.dynamodb_requests', dynamoRequests, 'requests in this run'),
      info('cost.requests.dynamodb_read_units', round(readUnits, 1), 'RRU in this run'),
      info('cost.requests.dynamodb_write_units', round(writeUnits, 1), 'WRU in this run'),
      info('cost.requests.scheduler_invocations', fired, 'schedules fired in this run'),
      info('cost.requests.scheduler_create_schedule', schedulerCreates, 'CreateSchedule calls in this run'),
      info('cost.requests.apigateway', gatewayRequests, 'requests in this run'),
      info('cost.requests.ses_emails', emails, 'emails in this run'),
      info(
        'cost.requests.eventbridge_ses_events',
        sendEvents + deliveryEvents,
        'events in this run (Delivery modelled)',
      ),
      info(
        'cost.background_sweeps_dollars_per_month',
        round(fixed.total, 4),
        'USD per month, any number of waves',
      ),
    ];
  } finally {
    side.measuring = false;
    countRequests(false);
    // 20,000 emails in the SES stand-in and the wave's items slow whatever runs next: hand it a fresh stack.
    await stopBenchStack();
  }
}
