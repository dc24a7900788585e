/**
 * The cost model: counted AWS usage in, list-price dollars out (bench/lib/prices.ts). Pure, so that
 * the cost benchmark and any back-of-the-envelope arithmetic (the README's million contacts) use the
 * same sums: count once, then `scaleUsage` and `dollarsOf`.
 */
import type { FunctionName } from '../../shared/routes.ts';
import { dollars, type PriceList, prices } from './prices.ts';

/**
 * Each function's memory in MB, as infra/stateless.ts (`functionSpecs[…].memorySize`) configures it;
 * bench/cost.bench.ts checks these against that table on every run, so they cannot drift silently.
 */
export const functionMemoryMb: Record<FunctionName, number> = {
  api: 1024,
  respond: 512,
  send: 1024,
  remind: 1024,
  expire: 512,
  score: 512,
  sesEvents: 256,
  alerts: 512,
  deliver: 512,
  digest: 1024,
};

/** infra/function.ts: every function is `Architecture.ARM_64`. */
export const lambdaArchitecture: 'arm64' | 'x86_64' = 'arm64';

export interface LambdaUsage {
  invocations: number;
  /** The sum of each invocation's duration rounded up to the next millisecond, as Lambda bills it. */
  billedMs: number;
  memoryMb: number;
}

export interface Usage {
  /** By function (or any label, e.g. a modelled share of one). */
  lambda: Record<string, LambdaUsage>;
  /** On-demand request units, transactions and index writes included. */
  dynamodb: { readUnits: number; writeUnits: number };
  /** Schedules that fired (CreateSchedule and the like are not billed). */
  scheduler: { invocations: number };
  /** Every request the HTTP API served. */
  apiGateway: { requests: number };
  /** Emails SES sent (each SendEmail to one recipient). */
  ses: { emails: number };
  /** AWS service events (SES's, on the default bus: free) and custom ones (PutEvents). */
  eventBridge: { awsServiceEvents: number; customEvents: number };
}

export interface Dollars {
  lambda: number;
  lambdaRequests: number;
  lambdaDuration: number;
  /** Per Lambda entry: requests plus duration. */
  lambdaBy: Record<string, number>;
  dynamodb: number;
  dynamodbReads: number;
  dynamodbWrites: number;
  scheduler: number;
  apiGateway: number;
  ses: number;
  eventBridge: number;
  total: number;
  /** SES's part of the total (0 to 1). */
  sesShare: number;
  /** Total ÷ what SES alone costs: how much the rest adds to the unavoidable part. */
  totalOverSes: number;
}

/** Lambda's billed milliseconds for these durations: each rounded up to the next 1 ms. */
export const billedMs = (durationsMs: readonly number[]): number =>
  durationsMs.reduce((sum, ms) => sum + Math.max(1, Math.ceil(ms)), 0);

/** GB-seconds of one Lambda entry (Lambda's GB is 1,024 MB). */
export const gbSeconds = (usage: LambdaUsage): number => (usage.billedMs / 1000) * (usage.memoryMb / 1024);

export function dollarsOf(
  usage: Usage,
  price: PriceList = prices,
  architecture: 'arm64' | 'x86_64' = lambdaArchitecture,
): Dollars {
  const gbSecond = architecture === 'arm64' ? price.lambdaGbSecondArm64 : price.lambdaGbSecondX86;
  const lambdaBy: Record<string, number> = {};
  let lambdaRequests = 0;
  let lambdaDuration = 0;
  for (const [name, fn] of Object.entries(usage.lambda)) {
    const requests = dollars(price.lambdaRequests, fn.invocations);
    const duration = dollars(gbSecond, gbSeconds(fn));
    lambdaBy[name] = requests + duration;
    lambdaRequests += requests;
    lambdaDuration += duration;
  }
  const dynamodbReads = dollars(price.dynamoReadRequestUnits, usage.dynamodb.readUnits);
  const dynamodbWrites = dollars(price.dynamoWriteRequestUnits, usage.dynamodb.writeUnits);
  const scheduler = dollars(price.schedulerInvocations, usage.scheduler.invocations);
  const apiGateway = dollars(price.httpApiRequests, usage.apiGateway.requests);
  const ses = dollars(price.sesEmails, usage.ses.emails);
  const eventBridge =
    dollars(price.eventBridgeAwsServiceEvents, usage.eventBridge.awsServiceEvents) +
    dollars(price.eventBridgeCustomEvents, usage.eventBridge.customEvents);
  const lambda = lambdaRequests + lambdaDuration;
  const dynamodb = dynamodbReads + dynamodbWrites;
  const total = lambda + dynamodb + scheduler + apiGateway + ses + eventBridge;
  return {
    lambda,
    lambdaRequests,
    lambdaDuration,
    lambdaBy,
    dynamodb,
    dynamodbReads,
    dynamodbWrites,
    scheduler,
    apiGateway,
    ses,
    eventBridge,
    total,
    sesShare: total > 0 ? ses / total : 0,
    totalOverSes: ses > 0 ? total / ses : Number.POSITIVE_INFINITY,
  };
}

/** The same usage `factor` times over (e.g. 100 for a wave of a million from one of 10,000). */
export function scaleUsage(usage: Usage, factor: number): Usage {
  return {
    lambda: Object.fromEntries(
      Object.entries(usage.lambda).map(([name, fn]) => [
        name,
        { invocations: fn.invocations * factor, billedMs: fn.billedMs * factor, memoryMb: fn.memoryMb },
      ]),
    ),
    dynamodb: {
      readUnits: usage.dynamodb.readUnits * factor,
      writeUnits: usage.dynamodb.writeUnits * factor,
    },
    scheduler: { invocations: usage.scheduler.invocations * factor },
    apiGateway: { requests: usage.apiGateway.requests * factor },
    ses: { emails: usage.ses.emails * factor },
    eventBridge: {
      awsServiceEvents: usage.eventBridge.awsServiceEvents * factor,
      customEvents: usage.eventBridge.customEvents * factor,
    },
  };
}
