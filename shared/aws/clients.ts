/**
 * SDK clients at module scope: built once per Lambda container, reused by every invocation.
 * Endpoints come from AWS_ENDPOINT_URL_* so the same code talks to the local stand-ins.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

let ddbDoc: DynamoDBDocumentClient | undefined;
let ses: SESv2Client | undefined;
let scheduler: SchedulerClient | undefined;
let lambda: LambdaClient | undefined;
let secrets: SecretsManagerClient | undefined;

/**
 * The SDK's default logger is a no-op object that still has an `info` method, and the logger
 * middleware builds the arguments of `logger?.info?.(…)` before calling it: on every call, a walk
 * of the whole input and output through their schemas to mask sensitive fields (measured: about a
 * tenth of the SDK's CPU on a DynamoDB update with ALL_NEW). A logger without `info` and `error`
 * skips that walk; `debug` and `warn` stay because the SDK calls them unguarded. It logs nothing,
 * like the default; our own code logs what matters.
 */
const quietLogger = { debug: () => {}, warn: () => {} } as unknown as NonNullable<
  DynamoDBClientConfig['logger']
>;

// Lazily built so that the local stack can set endpoints before the first use.
export const dynamo = (): DynamoDBDocumentClient =>
  (ddbDoc ??= DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 6, logger: quietLogger }), {
    marshallOptions: { removeUndefinedValues: true },
  }));
export const sesClient = (): SESv2Client =>
  (ses ??= new SESv2Client({ maxAttempts: 1, logger: quietLogger }));
export const schedulerClient = (): SchedulerClient =>
  (scheduler ??= new SchedulerClient({ logger: quietLogger }));
export const lambdaClient = (): LambdaClient => (lambda ??= new LambdaClient({ logger: quietLogger }));
export const secretsClient = (): SecretsManagerClient =>
  (secrets ??= new SecretsManagerClient({ logger: quietLogger }));

/** Drops the cached clients (tests that swap endpoints or mocks call it). */
export function resetClients(): void {
  ddbDoc = undefined;
  ses = undefined;
  scheduler = undefined;
  lambda = undefined;
  secrets = undefined;
}
