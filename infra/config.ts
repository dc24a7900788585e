/**
 * Deployment configuration, read from CDK context (`cdk.json`, or `cdk deploy -c key=value`).
 * Every key is validated here, once, with an error that names the key and what it expects, so a
 * typo fails `cdk synth` instead of a deploy half an hour later.
 */
import type { Node } from 'constructs';

export interface DeployConfig {
  /** `senderDomain`: the domain SES sends from; verified with Easy DKIM (e.g. example.com). */
  senderDomain: string;
  /** `fromAddress`: the From address of every survey email; must be at `senderDomain`. */
  fromAddress: string;
  /** `adminEmail`: where operational alarms go (failed events, dead letters). */
  adminEmail: string;
  /** `customDomain` (optional): a host name for the pages and the API, e.g. nps.example.com. */
  customDomain?: string;
  /** `certificateArn`: an ACM certificate (same region) for `customDomain`; required with it. */
  certificateArn?: string;
  /** `defaultLocale` (optional, default `en`): the locale for contacts without one. */
  defaultLocale: string;
  /** `maxSendRate` (optional): a cap in emails per second, below the account's SES rate. */
  maxSendRate?: number;
  /**
   * `keepRetiredIndexes` (optional, `true` or `false`, default false): keep the indexes a newer
   * version replaced (shared/tables.ts `retiredIndexes`) for one deployment. CloudFormation adds or
   * deletes one index of a table per update, never both: upgrading a stack made before an index was
   * replaced takes a deploy with this set (adds the new index), then one without (drops the old).
   */
  keepRetiredIndexes: boolean;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const HOST = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;
const EMAIL = /^[^\s@"<>]+@([^\s@"<>]+)$/;
const LOCALE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
const ACM_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/;

/** Reads one context value as a trimmed string; absent or empty is undefined. */
function text(node: Node, key: string): string | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new ConfigError(`context "${key}" must be a string, got ${JSON.stringify(value)}`);
  }
  const s = String(value).trim();
  return s === '' ? undefined : s;
}

function required(node: Node, key: string, example: string): string {
  const value = text(node, key);
  if (value === undefined) {
    throw new ConfigError(`context "${key}" is required: set it in cdk.json or pass -c ${key}=${example}`);
  }
  return value;
}

export function readDeployConfig(node: Node): DeployConfig {
  const senderDomain = required(node, 'senderDomain', 'example.com').toLowerCase();
  if (!HOST.test(senderDomain)) {
    throw new ConfigError(
      `context "senderDomain" must be a domain name such as example.com, got "${senderDomain}"`,
    );
  }

  const fromAddress = required(node, 'fromAddress', `surveys@${senderDomain}`);
  const fromDomain = EMAIL.exec(fromAddress)?.[1]?.toLowerCase();
  if (fromDomain === undefined) {
    throw new ConfigError(`context "fromAddress" must be an email address, got "${fromAddress}"`);
  }
  if (fromDomain !== senderDomain) {
    throw new ConfigError(
      `context "fromAddress" (${fromAddress}) must be at senderDomain "${senderDomain}": SES only sends from the verified identity`,
    );
  }

  const adminEmail = required(node, 'adminEmail', `ops@${senderDomain}`);
  if (!EMAIL.test(adminEmail)) {
    throw new ConfigError(`context "adminEmail" must be an email address, got "${adminEmail}"`);
  }

  const customDomain = text(node, 'customDomain')?.toLowerCase();
  const certificateArn = text(node, 'certificateArn');
  if (customDomain !== undefined) {
    if (!HOST.test(customDomain)) {
      throw new ConfigError(
        `context "customDomain" must be a host name such as nps.example.com, got "${customDomain}"`,
      );
    }
    if (certificateArn === undefined) {
      throw new ConfigError(
        'context "certificateArn" is required with "customDomain": an ACM certificate for that name, in the stack\'s region',
      );
    }
    if (!ACM_ARN.test(certificateArn)) {
      throw new ConfigError(
        `context "certificateArn" must be an ACM certificate ARN, got "${certificateArn}"`,
      );
    }
  } else if (certificateArn !== undefined) {
    throw new ConfigError('context "certificateArn" is set but "customDomain" is not: set both or neither');
  }

  const defaultLocale = text(node, 'defaultLocale') ?? 'en';
  if (!LOCALE.test(defaultLocale)) {
    throw new ConfigError(
      `context "defaultLocale" must be a locale tag such as en, sv or zh-Hant, got "${defaultLocale}"`,
    );
  }

  const rate = text(node, 'maxSendRate');
  let maxSendRate: number | undefined;
  if (rate !== undefined) {
    maxSendRate = Number(rate);
    if (!Number.isFinite(maxSendRate) || maxSendRate <= 0 || maxSendRate > 1000) {
      throw new ConfigError(
        `context "maxSendRate" must be a number of emails per second in (0, 1000], got "${rate}"`,
      );
    }
  }

  const keep = text(node, 'keepRetiredIndexes');
  if (keep !== undefined && keep !== 'true' && keep !== 'false') {
    throw new ConfigError(`context "keepRetiredIndexes" must be true or false, got "${keep}"`);
  }

  return {
    senderDomain,
    fromAddress,
    adminEmail,
    ...(customDomain !== undefined ? { customDomain, certificateArn } : {}),
    defaultLocale,
    ...(maxSendRate !== undefined ? { maxSendRate } : {}),
    keepRetiredIndexes: keep === 'true',
  };
}
