/** The SES v2 adapter: how fast we may send, and sending one message with its headers and tags. */
import { GetAccountCommand, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { sesClient } from '../aws/clients.ts';
import { optionalEnv, requireEnv } from '../config.ts';
import { backOff } from '../retry.ts';
import { type Pacer, SharedSesRate } from './ses-rate.ts';

let cachedRate: { value: number; at: number } | undefined;

/**
 * SES cannot send for the whole account (sending paused, the account suspended, the configuration
 * set missing, GetAccount refused): nobody's email is at fault, so nobody is marked failed. The
 * sender stops and says why (the wave's `stalled`), and tries again later.
 */
export class SesAccountError extends Error {
  override name = 'SesAccountError';
}

/** The rate to use when GetAccount cannot answer (locally: a plainly started SES stand-in). */
const fallbackRate = (): number | undefined => {
  const rate = Number(optionalEnv('SES_FALLBACK_SEND_RATE'));
  return Number.isFinite(rate) && rate > 0 ? rate : undefined;
};

/**
 * SES's MaxSendRate for this account (GetAccount), lowered by SES_MAX_SEND_RATE when set. Throws
 * SesAccountError when the account cannot send.
 */
export async function allowedSendRate(): Promise<number> {
  if (cachedRate && Date.now() - cachedRate.at < 60_000) return cachedRate.value;
  let quota: number | undefined;
  try {
    const account = await readAccount();
    if (account.SendingEnabled === false)
      throw new SesAccountError(
        'SES sending is paused for this account (GetAccount: SendingEnabled is false)',
      );
    quota = account.SendQuota?.MaxSendRate;
  } catch (err) {
    if (err instanceof SesAccountError) throw err;
    // GetAccount cannot answer: the stand-in has no account (locally), or SES had a bad moment and
    // the rate we read before still holds.
    quota = fallbackRate() ?? cachedRate?.value;
    if (quota === undefined) throw new SesAccountError(`SES GetAccount failed: ${describeSesError(err)}`);
  }
  let rate = quota && quota > 0 ? quota : 1;
  const cap = Number(optionalEnv('SES_MAX_SEND_RATE'));
  if (Number.isFinite(cap) && cap > 0) rate = Math.min(rate, cap);
  cachedRate = { value: rate, at: Date.now() };
  return rate;
}

/**
 * GetAccount, tried again on a throttle or a server error (every cold container asks; a burst of
 * them must not look like an account that cannot send). Access denied is the account's own problem.
 */
async function readAccount() {
  for (let attempt = 0; ; attempt++) {
    try {
      return await sesClient().send(new GetAccountCommand({}));
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.$metadata?.httpStatusCode === 403 || accountErrors.includes(e.name ?? ''))
        throw new SesAccountError(`SES GetAccount refused: ${describeSesError(err)}`);
      const kind = classifySendError(err);
      // Any other refusal (e.g. a stand-in without an account) is left to the caller's fallback.
      if ((kind !== 'throttled' && kind !== 'transient' && kind !== 'unknown') || attempt >= 3) throw err;
      await backOff(attempt, 200, 2_000);
    }
  }
}

let shared: { rate: number; pacer: SharedSesRate } | undefined;

/** The account's one pacer, shared by every sender in this container (and, through DynamoDB, beyond). */
export async function sesPacer(): Promise<Pacer> {
  const rate = await allowedSendRate();
  if (shared?.rate !== rate) shared = { rate, pacer: new SharedSesRate(rate) };
  return shared.pacer;
}

/** Forgets the cached rate and pacer (tests that change the account). */
export function resetSesAccountCache(): void {
  cachedRate = undefined;
  shared = undefined;
}

export interface OutgoingEmail {
  /** One recipient (invitations), or a team's addresses together (alerts). */
  to: string | string[];
  subject: string;
  html: string;
  text: string;
  headers: { name: string; value: string }[];
  /** Message tags: they come back on SES events (bounces, complaints) to find the invitation. */
  tags: Record<string, string>;
}

export async function sendEmail(email: OutgoingEmail): Promise<string> {
  const result = await sesClient().send(
    new SendEmailCommand({
      FromEmailAddress: requireEnv('FROM_ADDRESS'),
      Destination: { ToAddresses: Array.isArray(email.to) ? email.to : [email.to] },
      ConfigurationSetName: requireEnv('SES_CONFIGURATION_SET'),
      EmailTags: Object.entries(email.tags).map(([Name, Value]) => ({ Name, Value })),
      Content: {
        Simple: {
          Subject: { Data: email.subject, Charset: 'UTF-8' },
          Body: {
            Html: { Data: email.html, Charset: 'UTF-8' },
            Text: { Data: email.text, Charset: 'UTF-8' },
          },
          Headers: email.headers.map(({ name, value }) => ({ Name: name, Value: value })),
        },
      },
    }),
  );
  return result.MessageId ?? '';
}

/**
 * How to treat an SES error:
 * - `throttled`: wait and try again;
 * - `transient`: SES answered with a server error: nothing was sent, try again;
 * - `unknown`: no answer at all (a connection reset, a timeout): the email may have gone, so it is
 *   never simply sent again; SES's Send event, or the claim going stale without one, decides;
 * - `account`: the account cannot send (SesAccountError);
 * - `permanent`: this email will never go (SES rejected the message or its address).
 */
export type SendFailure = 'throttled' | 'transient' | 'unknown' | 'account' | 'permanent';

const accountErrors = [
  'SendingPausedException',
  'AccountSuspendedException',
  'MailFromDomainNotVerifiedException',
  'AccessDeniedException',
  // SendEmail's NotFoundException: the configuration set (or identity) does not exist.
  'NotFoundException',
  'ConfigurationSetDoesNotExistException',
];

export function classifySendError(err: unknown): SendFailure {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } } | null;
  const name = e?.name ?? '';
  if (err instanceof SesAccountError || accountErrors.includes(name)) return 'account';
  // The account's daily quota comes as a throttle, but no backoff of seconds ends it.
  if (/daily message quota/i.test(e?.message ?? '')) return 'account';
  if (['TooManyRequestsException', 'ThrottlingException', 'LimitExceededException'].includes(name))
    return 'throttled';
  // SES's own answers about this one email (also when a test's stand-in leaves out the status).
  if (['MessageRejected', 'BadRequestException'].includes(name)) return 'permanent';
  const status = e?.$metadata?.httpStatusCode;
  if (status === undefined) return 'unknown';
  if (status === 429) return 'throttled';
  if (status >= 500) return 'transient';
  // Any other refusal (credentials, a sender not allowed): nothing about the recipient, so nobody
  // is marked failed for it; the wave stalls and says why.
  return 'account';
}

/** An SES error in a few words, for a failure reason or a stall: its name and message, no address. */
export function describeSesError(err: unknown): string {
  const e = err as { name?: string; message?: string } | null;
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`.slice(0, 300);
}
