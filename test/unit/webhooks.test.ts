/**
 * Webhook delivery's pure parts: signatures as the Standard Webhooks reference implementation
 * (the `standardwebhooks` package) verifies them, during a rotation too; the retry schedule; which
 * addresses a hook may reach when running as on AWS (SSRF); rule matching; secrets shown once.
 */
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { maxAttempts, nextAttemptDelayMs, retryDelaysSeconds } from '../../shared/alert/deliveries.ts';
import {
  matchingRuleIds,
  newSecrets,
  newWebhookSecret,
  normalizeSecret,
  prepareRules,
  publicSurvey,
  ruleMatches,
  storedRules,
  usableSecret,
} from '../../shared/alert/rules.ts';
import { webhookHeaders } from '../../shared/alert/signature.ts';
import { isPublicAddress, parseRetryAfter, postJson, resolveTarget } from '../../shared/alert/target.ts';
import type { Survey } from '../../shared/survey/schema.ts';

const body = JSON.stringify({
  type: 'response.created',
  timestamp: '2026-12-02T10:00:00Z',
  data: { score: 3 },
});

describe('signatures', () => {
  it('are verified by the standardwebhooks package', () => {
    const secret = newWebhookSecret();
    const headers = webhookHeaders({ secret }, 'msg_abc', body, Date.now());
    expect(headers['webhook-id']).toBe('msg_abc');
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('fail for a changed body or another secret', () => {
    const secret = newWebhookSecret();
    const headers = webhookHeaders({ secret }, 'msg_abc', body, Date.now());
    expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow();
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
  });

  it('carry both secrets during a rotation, and only the new one after it', () => {
    const previousSecret = newWebhookSecret();
    const secret = newWebhookSecret();
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const during = webhookHeaders(
      { secret, previousSecret, previousSecretUntil: until },
      'msg_r',
      body,
      Date.now(),
    );
    expect(during['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(new Webhook(secret).verify(body, during)).toBeTruthy();
    expect(new Webhook(previousSecret).verify(body, during)).toBeTruthy();
    const past = new Date(Date.now() - 1000).toISOString();
    const after = webhookHeaders(
      { secret, previousSecret, previousSecretUntil: past },
      'msg_r',
      body,
      Date.now(),
    );
    expect(after['webhook-signature']?.split(' ')).toHaveLength(1);
    expect(() => new Webhook(previousSecret).verify(body, after)).toThrow();
  });

  it('work for a plain secret a team gave, in its whsec_ form', () => {
    const secret = normalizeSecret('our-own-shared-secret-1234');
    expect(secret).toMatch(/^whsec_/);
    const headers = webhookHeaders({ secret }, 'msg_p', body, Date.now());
    expect(new Webhook(secret).verify(body, headers)).toBeTruthy();
    expect(() => normalizeSecret('whsec_c2hvcnQ=')).toThrow(/24 to 64 bytes/);
  });
});

describe('the retry schedule', () => {
  it('runs about three days in ten attempts, with jitter', () => {
    expect(maxAttempts).toBe(10);
    const total = retryDelaysSeconds.reduce((a, b) => a + b, 0);
    expect(total / 86_400).toBeGreaterThan(2.5);
    expect(total / 86_400).toBeLessThan(3.5);
    expect(nextAttemptDelayMs(1, undefined, () => 0.5)).toBe(5000);
    expect(nextAttemptDelayMs(1, undefined, () => 0)).toBe(4500);
    expect(nextAttemptDelayMs(1, undefined, () => 1)).toBe(5500);
    expect(nextAttemptDelayMs(2, undefined, () => 0.5)).toBe(300_000);
    expect(nextAttemptDelayMs(maxAttempts, undefined)).toBeUndefined();
  });

  it('honours Retry-After (up to a day), as seconds or a date', () => {
    expect(nextAttemptDelayMs(1, 120, () => 0.5)).toBe(120_000);
    expect(nextAttemptDelayMs(2, 1, () => 0.5)).toBe(300_000);
    expect(nextAttemptDelayMs(1, 10 * 86_400, () => 0.5)).toBe(86_400_000);
    expect(parseRetryAfter('30', 0)).toBe(30);
    expect(parseRetryAfter(new Date(90_000).toUTCString(), 0)).toBe(90);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });
});

describe('SSRF: running as on AWS', () => {
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.NPSWAVE_LOCAL_HOOKS;
    delete process.env.NPSWAVE_LOCAL_HOOKS;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.NPSWAVE_LOCAL_HOOKS;
    else process.env.NPSWAVE_LOCAL_HOOKS = saved;
  });

  it('knows private, loopback, link-local and reserved addresses', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '64:ff9b::a00:1',
      '224.0.0.1',
    ]) {
      expect(isPublicAddress(address), address).toBe(false);
    }
    for (const address of ['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', '::ffff:1.1.1.1']) {
      expect(isPublicAddress(address), address).toBe(true);
    }
  });

  it('refuses loopback and private targets, plain http and credentials before connecting', async () => {
    for (const url of [
      'https://127.0.0.1/hook',
      'https://localhost/hook',
      'https://[::1]/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://10.0.0.5/hook',
      'https://[::ffff:10.0.0.5]/hook',
    ]) {
      await expect(resolveTarget(url), url).rejects.toThrow(/private or reserved/);
    }
    await expect(resolveTarget('http://93.184.216.34/hook')).rejects.toThrow(/https/);
    await expect(resolveTarget('https://user:pw@93.184.216.34/hook')).rejects.toThrow(/credentials/);
    const refused = await postJson('https://127.0.0.1:9/hook', body, {});
    expect(refused).toMatchObject({ refused: true });
    expect(refused.error).toMatch(/^refused: /);
  });

  it('lets the local stack reach receivers on this machine', async () => {
    process.env.NPSWAVE_LOCAL_HOOKS = '1';
    await expect(resolveTarget('http://127.0.0.1:3000/_local/receiver/a')).resolves.toMatchObject({
      address: '127.0.0.1',
    });
  });
});

describe('rules', () => {
  const answer = (score: number, comment?: string) => ({
    score,
    segment: score <= 6 ? ('detractor' as const) : score <= 8 ? ('passive' as const) : ('promoter' as const),
    comment,
  });

  it('match on segment, score range, a comment and words in it', () => {
    expect(ruleMatches({ when: { segment: 'detractor' } }, answer(3))).toBe(true);
    expect(ruleMatches({ when: { segment: 'detractor' } }, answer(7))).toBe(false);
    expect(ruleMatches({ when: { scoreAtMost: 4, scoreAtLeast: 2 } }, answer(4))).toBe(true);
    expect(ruleMatches({ when: { scoreAtMost: 4, scoreAtLeast: 2 } }, answer(5))).toBe(false);
    expect(ruleMatches({ when: { hasComment: true } }, answer(9, '  '))).toBe(false);
    expect(ruleMatches({ when: { hasComment: true } }, answer(9, 'Great'))).toBe(true);
    expect(ruleMatches({ when: { commentContains: 'PRICE' } }, answer(5, 'the price went up'))).toBe(true);
    expect(ruleMatches({ when: { commentContains: 'price' } }, answer(5))).toBe(false);
  });

  it('get ids and secrets, keep them across a round trip, and show a secret only once', () => {
    const rules = prepareRules([
      { when: { segment: 'detractor' }, webhook: { url: 'https://hooks.example.com/a' } },
      { when: { segment: 'promoter' }, followUp: true },
    ]);
    expect(rules.map((r) => r.id)).toEqual([expect.stringMatching(/^al_/), expect.stringMatching(/^al_/)]);
    const secret = rules[0]?.webhook?.secret;
    expect(secret).toMatch(/^whsec_/);
    const survey = { alerts: rules } as unknown as Survey;
    const shown = publicSurvey(survey, newSecrets(survey));
    expect(shown.alerts[0]?.webhook?.secret).toBe(secret);
    const read = publicSurvey(survey);
    expect(read.alerts[0]?.webhook).toEqual({
      url: 'https://hooks.example.com/a',
      format: 'json',
      secretSet: true,
    });
    expect(JSON.stringify(read)).not.toContain('whsec_');
    // The dashboard or CLI sends the rules back as it read them: the secret stays.
    const again = prepareRules(
      read.alerts.map(({ webhook, ...r }) => ({ ...r, ...(webhook && { webhook: { url: webhook.url } }) })),
      rules,
    );
    expect(again[0]?.webhook?.secret).toBe(secret);
    expect(newSecrets({ alerts: again } as unknown as Survey, survey).size).toBe(0);
    expect(() => prepareRules([{ id: 'al_aaaaaaaaaaaaaaaa', when: {}, followUp: true }], rules)).toThrow(
      /no rule/,
    );
    expect(matchingRuleIds(rules, answer(2))).toEqual([rules[0]?.id]);
  });

  it('read rules an earlier version stored (no ids, plain or no secrets) as today’s', () => {
    const legacy = [
      {
        when: { segment: 'detractor' },
        webhook: { url: 'https://a.example/h', secret: 'a-plain-shared-secret' },
      },
      { when: { segment: 'detractor' }, webhook: { url: 'https://b.example/h' } },
      { when: { segment: 'promoter' }, followUp: true },
    ];
    const read = storedRules('s_aaaaaaaaaaaaaaaa', legacy);
    const again = storedRules('s_aaaaaaaaaaaaaaaa', legacy);
    // Distinct ids, the same on every read (deliveries and email windows are keyed by them).
    expect(new Set(read.map((r) => r.id)).size).toBe(3);
    expect(again.map((r) => r.id)).toEqual(read.map((r) => r.id));
    expect(read[0]?.id).not.toBe(storedRules('s_bbbbbbbbbbbbbbbb', legacy)[0]?.id);
    const plain = read[0]?.webhook?.secret as string;
    expect(plain).toBe(normalizeSecret('a-plain-shared-secret'));
    expect(usableSecret(plain)).toBe(true);
    expect(
      new Webhook(plain).verify(body, webhookHeaders({ secret: plain }, 'msg_l', body, Date.now())),
    ).toBeTruthy();
    // No secret: kept unusable, so its deliveries fail saying to rotate it instead of signing with nothing.
    expect(usableSecret(read[1]?.webhook?.secret)).toBe(false);
    // Rules of today pass through unchanged.
    const current = prepareRules([
      { when: { segment: 'detractor' }, webhook: { url: 'https://c.example/h' } },
    ]);
    expect(storedRules('s_aaaaaaaaaaaaaaaa', current)).toEqual(current);
  });
});
