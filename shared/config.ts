/**
 * Configuration, read from the environment once per variable. A missing variable throws with its
 * name, so a mis-wired function fails loudly at its first use instead of misbehaving.
 */
import { type TableId, tableEnvVar } from './tables.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const cache = new Map<string, string>();

export function requireEnv(name: string): string {
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  const value = process.env[name];
  if (value === undefined || value === '') throw new ConfigError(`missing environment variable ${name}`);
  cache.set(name, value);
  return value;
}

export function optionalEnv(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

export const tableName = (id: TableId): string => requireEnv(tableEnvVar(id));

/** Names of every variable a function may read; the CDK stack and the local stack set them. */
export const envNames = {
  publicUrl: 'PUBLIC_URL',
  fromAddress: 'FROM_ADDRESS',
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
  /** Optional cap below SES's MaxSendRate, in emails per second. */
  sesMaxSendRate: 'SES_MAX_SEND_RATE',
  scheduleGroup: 'SCHEDULE_GROUP',
  schedulerRoleArn: 'SCHEDULER_ROLE_ARN',
  sendFunctionArn: 'SEND_FUNCTION_ARN',
  remindFunctionArn: 'REMIND_FUNCTION_ARN',
  expireFunctionArn: 'EXPIRE_FUNCTION_ARN',
  /** The alert deliveries function: alerts and the api hand it deliveries, it schedules its own retries. */
  deliverFunctionArn: 'DELIVER_FUNCTION_ARN',
  /** The digest function (set locally for every function, as the other ARNs; on AWS nothing invokes it by ARN but its schedule). */
  digestFunctionArn: 'DIGEST_FUNCTION_ARN',
  /** AWS: the Secrets Manager secret holding the first admin key. */
  adminKeySecretArn: 'ADMIN_KEY_SECRET_ARN',
  /** Local: the SHA-256 (hex) of the admin key the local stack accepts. */
  adminKeyHash: 'ADMIN_KEY_HASH',
  defaultLocale: 'DEFAULT_LOCALE',
  /** "1" on AWS: pages send HSTS. */
  hsts: 'HSTS',
  /**
   * Local only: "1" lets webhook URLs point at loopback receivers (http://127.0.0.1:…), so a local
   * stack can deliver to a test server. Never set on AWS, where hooks must be public HTTPS URLs.
   */
  localHooks: 'NPSWAVE_LOCAL_HOOKS',
} as const;

/** Resets the cache; tests that change process.env between cases call it. */
export function resetConfigCache(): void {
  cache.clear();
}
