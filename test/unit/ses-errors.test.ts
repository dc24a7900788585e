/**
 * How an SES answer is read (shared/send/ses.ts): the recipient's problem, the account's, a moment's
 * throttle or server error, or no answer at all; and GetAccount, whose hiccups are not an account
 * that cannot send.
 */
import { GetAccountCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { resetConfigCache } from '../../shared/config.ts';
import {
  allowedSendRate,
  classifySendError,
  resetSesAccountCache,
  SesAccountError,
} from '../../shared/send/ses.ts';

const ses = mockClient(SESv2Client);
const error = (name: string, status: number | undefined, message = 'm') =>
  Object.assign(new Error(message), {
    name,
    $metadata: status === undefined ? {} : { httpStatusCode: status },
  });

describe('an SES error', () => {
  it('is the recipient only when SES says so', () => {
    expect(classifySendError(error('MessageRejected', 400))).toBe('permanent');
    expect(classifySendError(error('BadRequestException', 400))).toBe('permanent');
  });

  it('is the account when it is about the account, a daily quota, or any other refusal', () => {
    for (const name of [
      'SendingPausedException',
      'AccountSuspendedException',
      'MailFromDomainNotVerifiedException',
      'NotFoundException',
    ])
      expect(classifySendError(error(name, 400))).toBe('account');
    expect(classifySendError(error('AccessDeniedException', 403))).toBe('account');
    expect(classifySendError(error('UnrecognizedClientException', 403))).toBe('account');
    expect(classifySendError(error('LimitExceededException', 400, 'Daily message quota exceeded.'))).toBe(
      'account',
    );
  });

  it('is a moment: a throttle, a server error; and unknown with no answer at all', () => {
    expect(classifySendError(error('TooManyRequestsException', 429))).toBe('throttled');
    expect(classifySendError(error('InternalFailure', 500))).toBe('transient');
    expect(classifySendError(error('TimeoutError', undefined))).toBe('unknown');
    expect(classifySendError(error('ECONNRESET', undefined))).toBe('unknown');
  });
});

describe('the account rate', () => {
  beforeEach(() => {
    ses.reset();
    resetSesAccountCache();
    delete process.env.SES_FALLBACK_SEND_RATE;
    resetConfigCache();
  });

  it('asks GetAccount again after a throttle or a server error', async () => {
    ses
      .on(GetAccountCommand)
      .rejectsOnce(error('TooManyRequestsException', 429))
      .rejectsOnce(error('InternalFailure', 500))
      .resolves({ SendingEnabled: true, SendQuota: { MaxSendRate: 14 } });
    expect(await allowedSendRate()).toBe(14);
    expect(ses.commandCalls(GetAccountCommand)).toHaveLength(3);
  });

  it('is an account that cannot send when sending is disabled or GetAccount is refused', async () => {
    ses.on(GetAccountCommand).resolves({ SendingEnabled: false, SendQuota: { MaxSendRate: 14 } });
    await expect(allowedSendRate()).rejects.toBeInstanceOf(SesAccountError);
    ses.reset();
    ses.on(GetAccountCommand).rejects(error('AccessDeniedException', 403));
    await expect(allowedSendRate()).rejects.toThrow(/GetAccount refused/);
  });

  it('uses the configured rate when there is no account to read (a plain local stand-in)', async () => {
    process.env.SES_FALLBACK_SEND_RATE = '5';
    resetConfigCache();
    ses
      .on(GetAccountCommand)
      .rejects(error('BadRequestException', 400, 'aws-ses-v2-local: Account not found'));
    // A 400 about GetAccount itself: not retried, and the local rate stands in.
    expect(await allowedSendRate()).toBe(5);
  });
});
