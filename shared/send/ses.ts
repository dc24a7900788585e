/** The SES v2 adapter: how fast we may send, and sending one message with its headers and tags. */
import { GetAccountCommand, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { sesClient } from '../aws/clients.ts';
import { optionalEnv, requireEnv } from '../config.ts';

let cachedRate: { value: number; at: number } | undefined;

/** SES's MaxSendRate for this account (GetAccount), lowered by SES_MAX_SEND_RATE when set. */
export async function allowedSendRate(): Promise<number> {
  if (cachedRate && Date.now() - cachedRate.at < 60_000) return cachedRate.value;
  const account = await sesClient().send(new GetAccountCommand({}));
  const quota = account.SendQuota?.MaxSendRate;
  let rate = quota && quota > 0 ? quota : 1;
  const cap = Number(optionalEnv('SES_MAX_SEND_RATE'));
  if (Number.isFinite(cap) && cap > 0) rate = Math.min(rate, cap);
  cachedRate = { value: rate, at: Date.now() };
  return rate;
}

export interface OutgoingEmail {
  to: string;
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
      Destination: { ToAddresses: [email.to] },
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

export type SendFailure = 'throttled' | 'transient' | 'permanent';

/** How to treat an SES error: wait and retry, retry, or give up on this recipient. */
export function classifySendError(err: unknown): SendFailure {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown } | null;
  const name = e?.name ?? '';
  if (['TooManyRequestsException', 'ThrottlingException', 'LimitExceededException'].includes(name))
    return 'throttled';
  if (['MessageRejected', 'MailFromDomainNotVerifiedException', 'BadRequestException'].includes(name))
    return 'permanent';
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 400 && status < 500 && status !== 429) return 'permanent';
  return 'transient';
}
