/**
 * The environment the handlers run in locally: the same variable names as on AWS (shared/config.ts,
 * shared/tables.ts), with endpoints pointing at the stand-ins and credentials that are obviously fake.
 * It is written into process.env before any handler module is imported.
 */
import { envNames } from '../shared/config.ts';
import type { FunctionName } from '../shared/routes.ts';
import { tableEnvVar, tableIds } from '../shared/tables.ts';

export const localRegion = 'us-east-1';
export const localAccount = '000000000000';
export const fakeCredentials = { accessKeyId: 'npswavelocal', secretAccessKey: 'npswavelocal' };

/** Local table names: `npswave-<id>`, e.g. npswave-contacts. */
export const localTableName = (id: string): string => `npswave-${id}`;

export const localFunctionName = (name: FunctionName): string => `npswave-local-${name}`;
export const localFunctionArn = (name: FunctionName): string =>
  `arn:aws:lambda:${localRegion}:${localAccount}:function:${localFunctionName(name)}`;

export const scheduleGroup = 'npswave-local';
/** The role local schedules name (the stand-in checks nothing, as no IAM runs locally). */
export const localSchedulerRoleArn = `arn:aws:iam::${localAccount}:role/npswave-local-scheduler`;
export const localConfigurationSet = 'npswave-local';

export interface HandlerEnvironmentInput {
  gatewayUrl: string;
  dynamoUrl: string;
  sesUrl: string;
  /** The control server: EventBridge Scheduler and Lambda stand-ins. */
  controlUrl: string;
  adminKeyHash: string;
  /**
   * The local SES account's MaxSendRate: what GetAccount answers from our stand-in, and the rate to
   * use when a stand-in started elsewhere cannot answer GetAccount (CONTRACT.md, NPSWAVE_SES_URL).
   */
  sesMaxSendRate?: number;
}

export function handlerEnvironment(input: HandlerEnvironmentInput): Record<string, string> {
  const env: Record<string, string> = {
    AWS_REGION: localRegion,
    AWS_DEFAULT_REGION: localRegion,
    AWS_ACCESS_KEY_ID: fakeCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: fakeCredentials.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
    // Any service without a stand-in lands on the control server (and fails) rather than on AWS.
    AWS_ENDPOINT_URL: input.controlUrl,
    AWS_ENDPOINT_URL_DYNAMODB: input.dynamoUrl,
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS: input.dynamoUrl,
    AWS_ENDPOINT_URL_SESV2: input.sesUrl,
    AWS_ENDPOINT_URL_SCHEDULER: input.controlUrl,
    AWS_ENDPOINT_URL_LAMBDA: input.controlUrl,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: input.controlUrl,
    [envNames.publicUrl]: input.gatewayUrl,
    [envNames.fromAddress]: 'surveys@npswave.local',
    [envNames.sesConfigurationSet]: localConfigurationSet,
    // The local SES event feed confirms a message within a second; a claim older than this was never sent.
    SEND_STALE_CLAIM_SECONDS: '20',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    [envNames.scheduleGroup]: scheduleGroup,
    [envNames.schedulerRoleArn]: localSchedulerRoleArn,
    [envNames.sendFunctionArn]: localFunctionArn('send'),
    [envNames.remindFunctionArn]: localFunctionArn('remind'),
    [envNames.expireFunctionArn]: localFunctionArn('expire'),
    [envNames.deliverFunctionArn]: localFunctionArn('deliver'),
    [envNames.digestFunctionArn]: localFunctionArn('digest'),
    // Webhooks may reach receivers on this machine (http://127.0.0.1:…); never set on AWS.
    [envNames.localHooks]: '1',
    [envNames.adminKeyHash]: input.adminKeyHash,
    [envNames.defaultLocale]: 'en',
    SES_FALLBACK_SEND_RATE: String(input.sesMaxSendRate ?? 14),
  };
  for (const id of tableIds) env[tableEnvVar(id)] = localTableName(id);
  return env;
}

/** Sets the handler environment in this process; credentials from a profile must not win. */
export function applyEnvironment(env: Record<string, string>): void {
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  for (const [name, value] of Object.entries(env)) process.env[name] = value;
}
