/**
 * AWS list prices, us-east-1, in one place: what the cost benchmark (bench/cost.bench.ts) and the
 * cost model (bench/lib/cost-model.ts) turn counted requests into dollars with. List prices only:
 * no free tier (Lambda's 1M requests and 400,000 GB-s a month, Scheduler's 14M invocations, SES's
 * allowance), no Savings Plans, no volume tiers beyond the first (Lambda's first 7.5 billion arm64
 * GB-s, API Gateway's first 300 million requests a month).
 *
 * Provenance, honestly: this machine has no network, so none of these was read live from the AWS
 * page named. Each is the published list price as the author knows it, "as read from <source> on
 * <readOn>", checked where possible against stored copies of public pages through the project's
 * search tool (`checkedAgainst`). Re-read the sources before quoting a figure to anyone.
 */

export interface Price {
  /** Dollars for `per` units. */
  usd: number;
  per: number;
  unit: string;
  /** The page the price is published on. */
  source: string;
  /** When it was read (see the provenance note above). */
  readOn: string;
  /** Stored copies that said the same, found with the search tool on `readOn`. */
  checkedAgainst?: string[];
  note?: string;
}

const readOn = '2026-12-03';

export const prices = {
  lambdaRequests: {
    usd: 0.2,
    per: 1_000_000,
    unit: 'Lambda requests (invocations)',
    source: 'https://aws.amazon.com/lambda/pricing/',
    readOn,
    checkedAgainst: [
      'https://git.mcrn.ar/mariano/lambda_local_runner/src/commit/957e45b8adae23ce50b966346229585b5df18b4d/docs/lambdas-md/lambda-13-cost.md?display=rendered',
    ],
  },
  /** infra/function.ts builds every function for `Architecture.ARM_64`: this is the price that applies. */
  lambdaGbSecondArm64: {
    usd: 0.0000133334,
    per: 1,
    unit: 'Lambda GB-second, arm64 (first 7.5 billion GB-s a month)',
    source: 'https://aws.amazon.com/lambda/pricing/',
    readOn,
    checkedAgainst: [
      'https://git.mcrn.ar/mariano/lambda_local_runner/src/commit/957e45b8adae23ce50b966346229585b5df18b4d/docs/lambdas-md/lambda-13-cost.md?display=rendered',
      'https://cloudchipr.com/blog/aws-lambda-pricing',
    ],
    note: 'duration is billed rounded up to the next 1 ms',
  },
  lambdaGbSecondX86: {
    usd: 0.0000166667,
    per: 1,
    unit: 'Lambda GB-second, x86_64 (first 6 billion GB-s a month)',
    source: 'https://aws.amazon.com/lambda/pricing/',
    readOn,
    checkedAgainst: ['https://cloudchipr.com/blog/aws-lambda-pricing'],
  },
  /** On-demand, after the 50 % cut of 1 November 2024. */
  dynamoWriteRequestUnits: {
    usd: 0.625,
    per: 1_000_000,
    unit: 'DynamoDB on-demand write request units (1 KB; transactional 2)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    readOn,
    checkedAgainst: ['https://airbyte.com/data-engineering-resources/dynamodb-pricing'],
  },
  dynamoReadRequestUnits: {
    usd: 0.125,
    per: 1_000_000,
    unit: 'DynamoDB on-demand read request units (4 KB strongly consistent; eventually 0.5, transactional 2)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    readOn,
    checkedAgainst: ['https://airbyte.com/data-engineering-resources/dynamodb-pricing'],
    note: 'the unit sizes are from the same page (stored copy in the docs corpus)',
  },
  /** Scheduler bills the invocations (schedules that fired); CreateSchedule and the like are not billed. */
  schedulerInvocations: {
    usd: 1.0,
    per: 1_000_000,
    unit: 'EventBridge Scheduler invocations',
    source: 'https://aws.amazon.com/eventbridge/pricing/',
    readOn,
    checkedAgainst: ['https://cloudburn.io/blog/amazon-eventbridge-pricing'],
  },
  httpApiRequests: {
    usd: 1.0,
    per: 1_000_000,
    unit: 'API Gateway HTTP API requests (first 300 million a month, metered per 512 KB)',
    source: 'https://aws.amazon.com/api-gateway/pricing/',
    readOn,
    checkedAgainst: [
      'https://www.apigatewaycost.com/aws',
      'https://awsforengineers.com/blog/aws-api-gateway-pricing-explained',
    ],
  },
  /** À la carte: what accounts that sent through SES since June 2025 pay (see sesEmailsEssentials). */
  sesEmails: {
    usd: 0.1,
    per: 1_000,
    unit: 'SES outbound emails (recipients), à la carte',
    source: 'https://aws.amazon.com/ses/pricing/',
    readOn,
    checkedAgainst: [
      'https://www.acecloudinterviews.com/tutorials/aws/ses/',
      'https://raw.githubusercontent.com/api-evangelist/amazon-ses/refs/heads/main/plans/amazon-ses-plans-pricing.yml',
    ],
    note: 'no attachments are sent, so the $0.12/GB attachment charge does not apply',
  },
  /**
   * Not used by the benchmark's figures: a third-party copy of the AWS price list (the api-evangelist
   * file above, "probed" 2026-08-13) says SES introduced pricing plans on 2026-07-21 and that new
   * accounts default to "Essentials" at $0.00016 an email (first 10M a month). Unconfirmed here; the
   * benchmark holds the lower à-la-carte price, which makes the ratio to SES the harder to meet.
   */
  sesEmailsEssentials: {
    usd: 0.16,
    per: 1_000,
    unit: 'SES outbound emails, Essentials plan (first 10M a month)',
    source: 'https://aws.amazon.com/ses/pricing/',
    readOn,
    checkedAgainst: [
      'https://raw.githubusercontent.com/api-evangelist/amazon-ses/refs/heads/main/plans/amazon-ses-plans-pricing.yml',
    ],
    note: 'unconfirmed: seen only in a third-party copy of the price list',
  },
  /** SES's events on the default bus are AWS service events: EventBridge does not bill them. */
  eventBridgeAwsServiceEvents: {
    usd: 0,
    per: 1_000_000,
    unit: 'EventBridge AWS service events (default bus)',
    source: 'https://aws.amazon.com/eventbridge/pricing/',
    readOn,
    checkedAgainst: ['https://www.wring.co/blog/aws-eventbridge-pricing-guide'],
  },
  eventBridgeCustomEvents: {
    usd: 1.0,
    per: 1_000_000,
    unit: 'EventBridge custom events (PutEvents)',
    source: 'https://aws.amazon.com/eventbridge/pricing/',
    readOn,
    checkedAgainst: ['https://www.wring.co/blog/aws-eventbridge-pricing-guide'],
    note: 'npswave publishes none',
  },
  /** The failures queue only: nothing reaches it in a healthy wave. */
  sqsRequests: {
    usd: 0.4,
    per: 1_000_000,
    unit: 'SQS standard requests',
    source: 'https://aws.amazon.com/sqs/pricing/',
    readOn,
  },
  /** The api function reads the first admin key's secret once per container (shared/auth/admin-keys.ts). */
  secretsManagerApiCalls: {
    usd: 0.05,
    per: 10_000,
    unit: 'Secrets Manager API calls',
    source: 'https://aws.amazon.com/secrets-manager/pricing/',
    readOn,
  },
  /** Left out of the figures (see bench/cost.bench.ts); here so that the arithmetic can add it. */
  cloudWatchLogsIngestionGb: {
    usd: 0.5,
    per: 1,
    unit: 'CloudWatch Logs ingestion, standard class, per GB',
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
    readOn,
  },
} satisfies Record<string, Price>;

export type PriceList = typeof prices;

/** Dollars for `quantity` units at `price`. */
export const dollars = (price: Price, quantity: number): number => (quantity * price.usd) / price.per;
