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
import { retryOnTransactionConflict } from './dynamo-errors.ts';

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
 * like the default; our own code logs what matters. The local stack's stream poller and the benches'
 * baseline loops use it too.
 */
export const quietLogger = { debug: () => {}, warn: () => {} } as unknown as NonNullable<
  DynamoDBClientConfig['logger']
>;

type Guard = () => void;
let requestGuard: Guard | undefined;

/**
 * A check run before every AWS request. The local stack's Lambda stand-in uses it to stop an
 * invocation past its timeout at its next call, as Lambda would have killed it (local/functions.ts).
 */
export function guardRequests(guard: Guard | undefined): void {
  requestGuard = guard;
}

interface WithMiddleware {
  middlewareStack: { add(middleware: unknown, options: { step: 'initialize'; name: string }): void };
}

function guarded<C extends WithMiddleware>(client: C): C {
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>) => (args: unknown) => {
      requestGuard?.();
      return next(args);
    },
    { step: 'initialize', name: 'npswaveRequestGuard' },
  );
  return client;
}

/**
 * Every DynamoDB write retries a transaction conflict (a plain write to an item a transaction holds,
 * or a transaction cancelled by another's): it applied nothing, so it is safe to send again, and the
 * SDK's own retries leave it to us. One place, so no write of ours (a wave's lease, its cursor, a
 * settle) can forget it.
 */
function retryingConflicts(client: DynamoDBDocumentClient): DynamoDBDocumentClient {
  (client as unknown as WithMiddleware).middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>) => (args: unknown) =>
      retryOnTransactionConflict(() => next(args)),
    { step: 'initialize', name: 'npswaveTransactionConflictRetry' },
  );
  return client;
}

/**
 * Sockets for DynamoDB: the SDK's default of 50 queues the rest in the client. A send run keeps up to
 * 128 emails in flight, each with its claim and the contact's stamp written at once: 256 requests,
 * of which 206 waited in the client's queue, behind each other, on AWS as locally. 256 sockets stay
 * well inside a Lambda's 1,024 file descriptors.
 */
const dynamoSockets = 256;

// Lazily built so that the local stack can set endpoints before the first use.
export const dynamo = (): DynamoDBDocumentClient =>
  (ddbDoc ??= retryingConflicts(
    guarded(
      DynamoDBDocumentClient.from(
        new DynamoDBClient({
          maxAttempts: 6,
          logger: quietLogger,
          requestHandler: {
            httpAgent: { keepAlive: true, maxSockets: dynamoSockets },
            httpsAgent: { keepAlive: true, maxSockets: dynamoSockets },
          },
        }),
        {
          marshallOptions: { removeUndefinedValues: true },
        },
      ),
    ),
  ));
/**
 * SES's sockets are kept alive (the SDK's 50) but closed after 4 s idle. A server closes a keep-alive
 * socket it has not heard on for a while (Node's default is 5 s, as is the SES stand-in's): a call
 * written to it at that moment is reset, and a SendEmail reset without an answer may have sent the
 * email, so its invitation waits for its claim to go stale (2 minutes) before it is sent. Measured:
 * 6 such resets in a 100,000-contact wave here, at the pauses between one send run and the next.
 */
const sesSockets = { keepAlive: true, maxSockets: 50, timeout: 4_000 };

/** No SDK retries: an SES call that failed without an answer may have sent the email (shared/send/ses.ts). */
export const sesClient = (): SESv2Client =>
  (ses ??= guarded(
    new SESv2Client({
      maxAttempts: 1,
      logger: quietLogger,
      requestHandler: { httpAgent: sesSockets, httpsAgent: sesSockets },
    }),
  ));
export const schedulerClient = (): SchedulerClient =>
  (scheduler ??= guarded(new SchedulerClient({ logger: quietLogger })));
export const lambdaClient = (): LambdaClient =>
  (lambda ??= guarded(new LambdaClient({ logger: quietLogger })));
export const secretsClient = (): SecretsManagerClient =>
  (secrets ??= guarded(new SecretsManagerClient({ logger: quietLogger })));

/** Drops the cached clients (tests that swap endpoints or mocks call it). */
export function resetClients(): void {
  ddbDoc = undefined;
  ses = undefined;
  scheduler = undefined;
  lambda = undefined;
  secrets = undefined;
}
