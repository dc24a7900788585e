/**
 * The local stack: DynamoDB Local with the tables of shared/tables.ts, the SES stand-in, the control
 * server (EventBridge Scheduler and Lambda Invoke stand-ins), the stream poller that feeds the
 * stream consumers, the system schedules (shared/schedule/system.ts) and the gateway, all wired so
 * that the deployed handler modules run unchanged in this process.
 * The handlers read process.env, so there is one stack per process.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { resetAdminKeyCache } from '../shared/auth/admin-keys.ts';
import { guardRequests, resetClients } from '../shared/aws/clients.ts';
import { resetConfigCache } from '../shared/config.ts';
import { sha256Hex } from '../shared/ids.ts';
import { type SystemSchedule, systemSchedules } from '../shared/schedule/system.ts';
import { tableIds } from '../shared/tables.ts';
import { resolveAdminKey } from './admin-key.ts';
import { type ControlServer, startControlServer } from './control.ts';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb.ts';
import { ensureTables } from './dynamodb-tables.ts';
import {
  applyEnvironment,
  fakeCredentials,
  handlerEnvironment,
  localConfigurationSet,
  localFunctionArn,
  localRegion,
  localSchedulerRoleArn,
  scheduleGroup,
} from './env.ts';
import { startDynamoFaultProxy, startSesFaultProxy } from './fault-proxies.ts';
import { type FaultConfig, Faults } from './faults.ts';
import { assertInvocationAlive, FunctionRegistry, type HandlerOverrides } from './functions.ts';
import { type Gateway, startGateway } from './gateway.ts';
import { assertJava17 } from './java.ts';
import { duplicatingInvoker, LambdaService } from './lambda.ts';
import { describeError, type Log, stderrLog } from './log.ts';
import { assertPortFree, freePort, loopback } from './ports.ts';
import { type ScheduleInput, SchedulerError, ScheduleStore } from './schedule-store.ts';
import { Scheduler } from './scheduler.ts';
import { startSes } from './ses.ts';
import { SesEventFeed } from './ses-events.ts';
import { StreamPoller } from './streams.ts';
import { TimeTravel } from './time-travel.ts';

export interface LocalStackOptions {
  /** Where the database, schedules, checkpoints, clock and admin key live. */
  dataDir: string;
  /** Gateway port (default 3000; 0 = any free port). */
  port?: number;
  /** aws-ses-v2-local port (default 8005; 0 = any free port). */
  sesPort?: number;
  /** DynamoDB Local port (default 8000; 0 = a free port). */
  dynamoPort?: number;
  /** The admin key to accept; otherwise the one kept in the data folder, generated on first start. */
  adminKey?: string;
  /** Use the SES stand-in already listening there, and start none. */
  sesUrl?: string;
  /** MaxSendRate of the local SES account (default 14 emails/s). */
  sesMaxSendRate?: number;
  /** DynamoDB Local without a database file (tests). */
  inMemory?: boolean;
  log?: Log;
  /** Handlers to run instead of functions/<dir>/handler.ts (tests of the stack itself). */
  handlers?: HandlerOverrides;
  /** Milliseconds between the scheduler's real-time ticks (default 1000). */
  schedulerTickMs?: number;
  /** Waits before the retries of failed asynchronous Lambda invocations (default 1 s and 2 s). */
  asyncRetryDelaysMs?: number[];
  /** Waits before the retries of a failed stream batch (default `streamRetryDelaysMs`, as many as on AWS). */
  streamRetryDelaysMs?: number[];
  /** How often (real time) waves a crash left half-sent are resumed; 15 s by default, 0 for never. */
  resumeWavesEveryMs?: number;
  /** How often (real time) alert deliveries whose retry is due are swept; 30 s by default, 0 for never. */
  sweepDeliveriesEveryMs?: number;
  /**
   * On a first start (an empty data folder), the local clock starts at this earlier time (epoch ms)
   * instead of now: the demo sets it back about a year and makes its history on the way back.
   */
  clockStartsAt?: number;
  /** NPSWAVE_FAULTS: AWS's bad days, injected at the given shares (local/faults.ts). */
  faults?: FaultConfig;
}

export interface LocalStack {
  /** The gateway, e.g. http://127.0.0.1:3000. */
  url: string;
  sesUrl: string;
  dynamoUrl: string;
  /** The Scheduler and Lambda stand-ins (what AWS_ENDPOINT_URL_SCHEDULER/_LAMBDA point at). */
  controlUrl: string;
  adminKey: string;
  /** True when this start generated the admin key. */
  adminKeyGenerated: boolean;
  /** The file holding the admin key, unless it came from the options. */
  adminKeyFile: string | undefined;
  dataDir: string;
  /** No table existed before this start: the data folder was empty. */
  firstStart: boolean;
  /** The faults injected so far (`GET /_local/faults`), when NPSWAVE_FAULTS is set. */
  faults: Faults | undefined;
  stop(): Promise<void>;
}

/**
 * On AWS `rate()` schedules resume waves a crash left behind and sweep due alert deliveries
 * (shared/schedule/system.ts). Locally each such job runs on a real-time timer instead, at start and
 * then every few seconds: a rate schedule under the movable clock would fire thousands of times
 * whenever a test skips a year ahead.
 */
function startSweeper(lambda: LambdaService, name: string, everyMs: number): { stop(): void } {
  const job = systemSchedules.find((s) => s.name === name);
  if (!job || everyMs <= 0) return { stop() {} };
  const run = () => lambda.invokeAsync(job.target, job.input);
  const first = setTimeout(run, 1_000);
  const timer = setInterval(run, everyMs);
  return {
    stop() {
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}

/**
 * The `cron()` system schedules (the daily digests) live in the Scheduler stand-in under the local
 * clock, as on AWS, so moving the clock a day ahead fires them. Created on every start when missing,
 * and brought up to date when the definition changed; an unchanged one keeps its last firing.
 */
async function ensureCronSchedules(store: ScheduleStore): Promise<void> {
  for (const job of systemSchedules.filter((s) => s.expression.startsWith('cron('))) {
    const input = cronScheduleInput(job);
    let existing: ReturnType<ScheduleStore['get']> | undefined;
    try {
      existing = store.get(job.name, scheduleGroup);
    } catch (err) {
      if (!(err instanceof SchedulerError && err.type === 'ResourceNotFoundException')) throw err;
    }
    if (!existing) await store.create(job.name, input);
    else if (
      existing.ScheduleExpression !== input.ScheduleExpression ||
      existing.Target.Arn !== input.Target.Arn ||
      existing.Target.Input !== input.Target.Input ||
      existing.State !== 'ENABLED'
    ) {
      await store.update(job.name, input);
    }
  }
}

/** A system schedule as the CDK stack creates it (infra/scheduler.ts addRecurring). */
const cronScheduleInput = (job: SystemSchedule): ScheduleInput => ({
  GroupName: scheduleGroup,
  Description: `npswave: ${job.name}`,
  ScheduleExpression: job.expression,
  ScheduleExpressionTimezone: 'UTC',
  FlexibleTimeWindow: { Mode: 'OFF' },
  State: 'ENABLED',
  Target: {
    Arn: localFunctionArn(job.target),
    RoleArn: localSchedulerRoleArn,
    Input: JSON.stringify(job.input),
    RetryPolicy: { MaximumRetryAttempts: 0 },
  },
});

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.log ?? stderrLog;
  const gatewayPort = options.port ?? 3000;
  const sesPort = options.sesPort ?? 8005;
  let dynamoPort = options.dynamoPort ?? 8000;

  // Everything the user must fix is checked before anything starts.
  await assertJava17();
  await assertPortFree(gatewayPort, 'NPSWAVE_PORT');
  if (!options.sesUrl) await assertPortFree(sesPort, 'NPSWAVE_SES_PORT');
  await assertPortFree(dynamoPort, 'NPSWAVE_DYNAMODB_PORT');
  if (dynamoPort === 0) dynamoPort = await freePort();

  await mkdir(options.dataDir, { recursive: true });
  const adminKey = await resolveAdminKey(options.dataDir, options.adminKey);

  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (err) {
        log(`stopping: ${describeError(err)}`);
      }
    }
  };

  try {
    const [dynamoStart, sesStart] = await Promise.allSettled([
      startDynamoDbLocal({
        port: dynamoPort,
        dbPath: join(options.dataDir, 'dynamodb'),
        inMemory: options.inMemory ?? false,
        log,
      }),
      startSes({ port: sesPort, url: options.sesUrl, maxSendRate: options.sesMaxSendRate ?? 14 }),
    ]);
    if (dynamoStart.status === 'fulfilled') stops.push(() => dynamoStart.value.stop());
    if (sesStart.status === 'fulfilled') stops.push(() => sesStart.value.stop());
    if (dynamoStart.status === 'rejected') throw dynamoStart.reason;
    if (sesStart.status === 'rejected') throw sesStart.reason;
    const dynamo = dynamoStart.value;
    const ses = sesStart.value;
    const firstStart = await createTables(dynamo);

    const faults = options.faults && new Faults(options.faults);
    // The handlers reach DynamoDB and SES through proxies that inject the faults; everything else
    // (stream poller, SES event feed, tests) reads the stand-ins directly.
    let handlerDynamoUrl = dynamo.url;
    let handlerSesUrl = ses.url;
    if (faults) {
      const dynamoProxy = await startDynamoFaultProxy(dynamo.url, faults, log);
      stops.push(() => dynamoProxy.close());
      const sesProxy = await startSesFaultProxy(ses.url, faults, log);
      stops.push(() => sesProxy.close());
      handlerDynamoUrl = dynamoProxy.url;
      handlerSesUrl = sesProxy.url;
      log(`NPSWAVE_FAULTS: ${JSON.stringify({ seed: faults.config.seed, ...faults.config.shares })}`);
    }

    const store = await ScheduleStore.open(options.dataDir);
    await store.createGroup(scheduleGroup, { ifAbsent: true });
    const functions = new FunctionRegistry(options.handlers, faults?.config.timeoutSeconds);
    guardRequests(assertInvocationAlive);
    const lambda = new LambdaService(functions, log, {
      asyncRetryDelaysMs: options.asyncRetryDelaysMs,
      ...(faults && { faults }),
    });
    const control: ControlServer = await startControlServer(store, lambda, log);
    stops.push(() => control.close());

    let releaseGateway: () => void = () => {};
    const environmentReady = new Promise<void>((resolve) => {
      releaseGateway = resolve;
    });
    const streams = new StreamPoller({
      dynamoUrl: dynamo.url,
      dataDir: options.dataDir,
      functions,
      log,
      retryDelaysMs: options.streamRetryDelaysMs,
    });
    const scheduler = new Scheduler(
      store,
      faults ? duplicatingInvoker(functions, faults, log) : functions,
      log,
    );
    const timeTravel = new TimeTravel(options.dataDir, scheduler, lambda, streams, log);
    const sesEvents = new SesEventFeed({
      sesUrl: ses.url,
      ...(ses.outbox && { outbox: ses.outbox }),
      dataDir: options.dataDir,
      configurationSet: localConfigurationSet,
      functions,
      log,
    });
    const gateway: Gateway = await startGateway(
      { functions, streams, timeTravel, log, ready: environmentReady, sesEvents, faults },
      gatewayPort,
    );
    stops.push(() => gateway.close());
    const url = `http://${loopback}:${gateway.port}`;

    // Before any handler module is imported: they read their configuration from here.
    applyEnvironment(
      handlerEnvironment({
        gatewayUrl: url,
        dynamoUrl: handlerDynamoUrl,
        sesUrl: handlerSesUrl,
        controlUrl: control.url,
        sesMaxSendRate: options.sesMaxSendRate ?? 14,
        adminKeyHash: sha256Hex(adminKey.key),
      }),
    );
    resetConfigCache();
    resetClients();
    // A stack started before in this process (a bench that wants a fresh one) had another key.
    resetAdminKeyCache();

    if (firstStart && options.clockStartsAt !== undefined) await timeTravel.startAt(options.clockStartsAt);
    else await timeTravel.load();
    // After the clock is set: a new schedule counts its occurrences from the local now.
    await ensureCronSchedules(store);
    await streams.start();
    stops.push(() => streams.stop());
    scheduler.start(options.schedulerTickMs);
    stops.push(() => scheduler.stop());
    await sesEvents.start();
    stops.push(() => sesEvents.stop());
    const sweepers = [
      startSweeper(lambda, 'resume-waves', options.resumeWavesEveryMs ?? 15_000),
      startSweeper(lambda, 'sweep-deliveries', options.sweepDeliveriesEveryMs ?? 30_000),
    ];
    const stopSweepers = async () => {
      for (const sweeper of sweepers) sweeper.stop();
    };
    stops.push(stopSweepers);
    releaseGateway();

    // Stopping: no new requests, no new firings, let running work finish, then the stand-ins.
    const stopInOrder = async () => {
      const steps: [string, () => Promise<void>][] = [
        ['gateway', () => gateway.close()],
        ['sweepers', stopSweepers],
        ['scheduler', () => scheduler.stop()],
        ['SES events', () => sesEvents.stop()],
        ['lambda', () => idleWithin(lambda, 15_000, log)],
        ['streams', () => streams.stop()],
        ['control server', () => control.close()],
        ['SES', () => ses.stop()],
        ['DynamoDB Local', () => dynamo.stop()],
      ];
      for (const [part, stop] of steps) {
        try {
          await stop();
        } catch (err) {
          log(`stopping ${part}: ${describeError(err)}`);
        }
      }
    };
    let stopping: Promise<void> | undefined;
    return {
      url,
      sesUrl: ses.url,
      dynamoUrl: dynamo.url,
      controlUrl: control.url,
      adminKey: adminKey.key,
      adminKeyGenerated: adminKey.generated,
      adminKeyFile: adminKey.file,
      dataDir: options.dataDir,
      firstStart,
      faults,
      stop: () => {
        stopping ??= stopInOrder();
        return stopping;
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function createTables(dynamo: DynamoDbLocal): Promise<boolean> {
  const client = new DynamoDBClient({
    endpoint: dynamo.url,
    region: localRegion,
    credentials: fakeCredentials,
  });
  try {
    const created = await ensureTables(client);
    return created.length === tableIds.length;
  } finally {
    client.destroy();
  }
}

async function idleWithin(lambda: LambdaService, ms: number, log: Log): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  const outcome = await Promise.race([lambda.idle().then(() => 'idle' as const), timeout]);
  clearTimeout(timer);
  if (outcome === 'timeout') log(`stopping with ${lambda.pendingCount} Lambda invocation(s) still running`);
}
