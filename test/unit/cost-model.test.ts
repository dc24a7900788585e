import { describe, expect, it } from 'vitest';
import { billedMs, dollarsOf, gbSeconds, scaleUsage, type Usage } from '../../bench/lib/cost-model.ts';

const none: Usage = {
  lambda: {},
  dynamodb: { readUnits: 0, writeUnits: 0 },
  scheduler: { invocations: 0 },
  apiGateway: { requests: 0 },
  ses: { emails: 0 },
  eventBridge: { awsServiceEvents: 0, customEvents: 0 },
};

describe('cost model', () => {
  it('prices SES emails at $0.10 per 1,000', () => {
    const cost = dollarsOf({ ...none, ses: { emails: 10_000 } });
    expect(cost.ses).toBeCloseTo(1, 10);
    expect(cost.total).toBeCloseTo(1, 10);
    expect(cost.sesShare).toBe(1);
    expect(cost.totalOverSes).toBeCloseTo(1, 10);
  });

  it('bills Lambda per request and per GB-second, each invocation rounded up to 1 ms', () => {
    expect(billedMs([0.2, 1, 1.0001, 99.5])).toBe(1 + 1 + 2 + 100);
    // One million 1-second invocations at 1,024 MB: 1M GB-s.
    const fn = { invocations: 1_000_000, billedMs: 1_000_000_000, memoryMb: 1024 };
    expect(gbSeconds(fn)).toBe(1_000_000);
    const arm = dollarsOf({ ...none, lambda: { send: fn } });
    expect(arm.lambdaRequests).toBeCloseTo(0.2, 10);
    expect(arm.lambdaDuration).toBeCloseTo(13.3334, 6);
    expect(arm.lambdaBy.send).toBeCloseTo(13.5334, 6);
    expect(dollarsOf({ ...none, lambda: { send: fn } }, undefined, 'x86_64').lambdaDuration).toBeCloseTo(
      16.6667,
      6,
    );
    // 512 MB is half a GB.
    expect(gbSeconds({ invocations: 1, billedMs: 1000, memoryMb: 512 })).toBe(0.5);
  });

  it('prices DynamoDB units, Scheduler invocations, HTTP API requests; SES events on the default bus are free', () => {
    const cost = dollarsOf({
      ...none,
      dynamodb: { readUnits: 1_000_000, writeUnits: 1_000_000 },
      scheduler: { invocations: 1_000_000 },
      apiGateway: { requests: 1_000_000 },
      eventBridge: { awsServiceEvents: 1_000_000, customEvents: 0 },
    });
    expect(cost.dynamodbReads).toBeCloseTo(0.125, 10);
    expect(cost.dynamodbWrites).toBeCloseTo(0.625, 10);
    expect(cost.scheduler).toBeCloseTo(1, 10);
    expect(cost.apiGateway).toBeCloseTo(1, 10);
    expect(cost.eventBridge).toBe(0);
    expect(cost.total).toBeCloseTo(2.75, 10);
  });

  it('gives the ratio to SES alone, and scales usage linearly', () => {
    const wave: Usage = {
      ...none,
      ses: { emails: 20_000 },
      dynamodb: { readUnits: 0, writeUnits: 160_000 },
    };
    const cost = dollarsOf(wave);
    expect(cost.ses).toBeCloseTo(2, 10);
    expect(cost.total).toBeCloseTo(2.1, 10);
    expect(cost.totalOverSes).toBeCloseTo(1.05, 10);
    const million = dollarsOf(scaleUsage(wave, 100));
    expect(million.total).toBeCloseTo(210, 8);
    expect(million.totalOverSes).toBeCloseTo(1.05, 10);
  });
});
