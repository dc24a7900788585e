/** Deployment configuration from CDK context: every key validated with an error naming it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, readDeployConfig } from '../../infra/config.ts';
import { buildNpsWave } from '../../infra/stack.ts';
import { type Json, newApp, removeApps } from './helpers.ts';

afterAll(removeApps);

const base = {
  senderDomain: 'example.com',
  fromAddress: 'surveys@example.com',
  adminEmail: 'ops@example.com',
};
// One folder for every App here (none is synthesised): without `outdir` each App makes a cdk.out
// folder of its own in the temp directory and leaves it there.
const outdir = mkdtempSync(path.join(tmpdir(), 'npswave-cdk-config-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));
const read = (context: Record<string, unknown>) => readDeployConfig(new App({ context, outdir }).node);
const certificateArn = 'arn:aws:acm:eu-north-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666';

describe('readDeployConfig', () => {
  it('reads the required keys and defaults the locale to en', () => {
    expect(read(base)).toEqual({ ...base, defaultLocale: 'en', keepRetiredIndexes: false });
  });

  it('reads the optional keys', () => {
    expect(
      read({
        ...base,
        customDomain: 'NPS.example.com',
        certificateArn,
        defaultLocale: 'zh-Hant',
        maxSendRate: '14',
        keepRetiredIndexes: 'true',
      }),
    ).toEqual({
      ...base,
      customDomain: 'nps.example.com',
      certificateArn,
      defaultLocale: 'zh-Hant',
      maxSendRate: 14,
      keepRetiredIndexes: true,
    });
  });

  it.each([
    [{ senderDomain: undefined }, /"senderDomain" is required/],
    [{ senderDomain: 'not a domain' }, /"senderDomain" must be a domain name/],
    [{ fromAddress: 'surveys' }, /"fromAddress" must be an email address/],
    [{ fromAddress: 'surveys@elsewhere.org' }, /"fromAddress" .* must be at senderDomain "example.com"/],
    [{ adminEmail: undefined }, /"adminEmail" is required/],
    [{ adminEmail: 'ops' }, /"adminEmail" must be an email address/],
    [{ customDomain: 'nps.example.com' }, /"certificateArn" is required with "customDomain"/],
    [
      { customDomain: 'nps.example.com', certificateArn: 'arn:aws:iam::1:role/x' },
      /must be an ACM certificate ARN/,
    ],
    [{ certificateArn }, /"certificateArn" is set but "customDomain" is not/],
    [{ defaultLocale: 'English' }, /"defaultLocale" must be a locale tag/],
    [{ maxSendRate: 'fast' }, /"maxSendRate" must be a number/],
    [{ maxSendRate: '0' }, /"maxSendRate" must be a number/],
    [{ keepRetiredIndexes: 'yes' }, /"keepRetiredIndexes" must be true or false/],
  ])('rejects %j', (override, message) => {
    expect(() => read({ ...base, ...override })).toThrow(ConfigError);
    expect(() => read({ ...base, ...override })).toThrow(message);
  });
});

describe('the stack under optional configuration', () => {
  it('serves a custom domain, caps the send rate and uses the default locale given', () => {
    const custom = newApp({
      customDomain: 'nps.example.com',
      certificateArn,
      maxSendRate: '10',
      defaultLocale: 'sv',
    });
    const t = Template.fromStack(buildNpsWave(custom));
    t.hasResourceProperties('AWS::ApiGatewayV2::DomainName', { DomainName: 'nps.example.com' });
    t.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
    const send = Object.values(
      t.findResources('AWS::Lambda::Function', { Properties: { FunctionName: 'NpsWave-send' } }),
    );
    expect(send).toHaveLength(1);
    const env = (((send[0] as Json).Properties as Json).Environment as { Variables: Json }).Variables;
    expect(env.PUBLIC_URL).toBe('https://nps.example.com');
    expect(env.SES_MAX_SEND_RATE).toBe('10');
    expect(env.DEFAULT_LOCALE).toBe('sv');
    expect(Object.keys(t.toJSON().Outputs as Json)).toContain('CustomDomainTarget');
  });

  it("keeps a replaced index for the first of an upgrade's two deploys only when asked", () => {
    const indexesOf = (t: Template): string[] => {
      const [invitations] = Object.values(
        t.findResources('AWS::DynamoDB::Table', {
          Properties: { StreamSpecification: { StreamViewType: 'NEW_IMAGE' } },
        }),
      );
      const props = (invitations as Json).Properties as {
        GlobalSecondaryIndexes: { IndexName: string; Projection: Json }[];
      };
      return props.GlobalSecondaryIndexes.map((i) => `${i.IndexName}:${String(i.Projection.ProjectionType)}`);
    };
    // CloudFormation adds or deletes one index per update: with the flag, the update only adds byWaveKeys.
    expect(indexesOf(Template.fromStack(buildNpsWave(newApp({ keepRetiredIndexes: 'true' }))))).toEqual([
      'byWaveKeys:KEYS_ONLY',
      'answersBySurvey:INCLUDE',
      'byWave:ALL',
    ]);
    // Without it, the next one only deletes byWave.
    expect(indexesOf(Template.fromStack(buildNpsWave(newApp())))).toEqual([
      'byWaveKeys:KEYS_ONLY',
      'answersBySurvey:INCLUDE',
    ]);
  });

  it('has no custom domain and no send-rate cap by default', () => {
    const t = Template.fromStack(buildNpsWave(newApp()));
    t.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
    for (const fn of Object.values(t.findResources('AWS::Lambda::Function'))) {
      const env = (((fn as Json).Properties as Json).Environment as { Variables: Json }).Variables;
      expect(env.SES_MAX_SEND_RATE).toBeUndefined();
    }
  });
});
