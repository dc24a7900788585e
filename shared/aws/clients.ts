/**
 * SDK clients at module scope: built once per Lambda container, reused by every invocation.
 * Endpoints come from AWS_ENDPOINT_URL_* so the same code talks to the local stand-ins.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
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

// Lazily built so that the local stack can set endpoints before the first use.
export const dynamo = (): DynamoDBDocumentClient =>
  (ddbDoc ??= DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 6 }), {
    marshallOptions: { removeUndefinedValues: true },
  }));
export const sesClient = (): SESv2Client => (ses ??= new SESv2Client({ maxAttempts: 1 }));
export const schedulerClient = (): SchedulerClient => (scheduler ??= new SchedulerClient({}));
export const lambdaClient = (): LambdaClient => (lambda ??= new LambdaClient({}));
export const secretsClient = (): SecretsManagerClient => (secrets ??= new SecretsManagerClient({}));

/** Drops the cached clients (tests that swap endpoints or mocks call it). */
export function resetClients(): void {
  ddbDoc = undefined;
  ses = undefined;
  scheduler = undefined;
  lambda = undefined;
  secrets = undefined;
}
