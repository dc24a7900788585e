/**
 * The npswave stack, asserted property by property: synthesised once (with real esbuild bundling)
 * under the same context as `cdk synth` (cdk.json) and the same cdk-nag gate as infra/app.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyNagChecks } from '../../infra/nag.ts';
import { buildNpsWave, type NpsWaveStack } from '../../infra/stack.ts';
import { streamConsumers, streamRetryDelaysMs } from '../../local/streams.ts';
import { type FunctionName, routeKey, routes } from '../../shared/routes.ts';
import { tableDefinitions, tableEnvVar, tableIds } from '../../shared/tables.ts';
import {
  arn,
  functionArn,
  functionDirs,
  functionNames,
  type Json,
  newApp,
  props,
  removeApps,
  repoRoot,
  StackReader,
} from './helpers.ts';

let app: App;
let stack: NpsWaveStack;
let reader: StackReader;
let template: Template;
let assemblyDir: string;

beforeAll(() => {
  app = newApp({}, true);
  stack = buildNpsWave(app);
  applyNagChecks(app);
  // Synthesis runs the cdk-nag gate: it throws on any unacknowledged finding.
  reader = new StackReader(stack);
  template = reader.template;
  assemblyDir = app.synth().directory;
}, 120_000);
afterAll(removeApps);

const resources = (type: string): Record<string, Json> => reader.resources(type);
const logicalId = (c: { node: { defaultChild?: unknown } }): string => reader.logicalId(c);
const lambdaByName = (name: FunctionName): [string, Json] => reader.lambda(name);

describe('functions', () => {
  it('are the ten functions, Node 24 on arm64, ESM handlers with source maps and their own log group', () => {
    expect(Object.keys(resources('AWS::Lambda::Function'))).toHaveLength(10);
    for (const name of functionNames) {
      const [, fn] = lambdaByName(name);
      const p = props(fn);
      expect(p.Runtime).toBe('nodejs24.x');
      expect(p.Architectures).toEqual(['arm64']);
      expect(p.Handler).toBe('index.handler');
      expect((p.Environment as { Variables: Json }).Variables.NODE_OPTIONS).toBe('--enable-source-maps');
      expect((p.LoggingConfig as Json).LogGroup).toEqual({
        Ref: logicalId(stack.app.functions[name].logGroup),
      });
      expect(p.Timeout).toBeGreaterThan(0);
      expect(p.Timeout).toBeLessThanOrEqual(name === 'api' || name === 'respond' ? 29 : 900);
    }
    for (const group of Object.values(resources('AWS::Logs::LogGroup'))) {
      expect(props(group).RetentionInDays).toBeGreaterThan(0);
    }
  });

  it('bundle their handler with esbuild as ESM, with the createRequire banner, a source map and the SDK inside', () => {
    for (const name of functionNames) {
      expect(existsSync(path.join(repoRoot, 'functions', functionDirs[name], 'handler.ts'))).toBe(true);
      const [, fn] = lambdaByName(name);
      const key = ((props(fn).Code as Json).S3Key as string).replace(/\.zip$/, '');
      const dir = path.join(assemblyDir, `asset.${key}`);
      const code = readFileSync(path.join(dir, 'index.mjs'), 'utf8');
      expect(code.startsWith('import { createRequire as __npswaveCreateRequire }')).toBe(true);
      expect(existsSync(path.join(dir, 'index.mjs.map'))).toBe(true);
      expect(code).not.toMatch(/from\s*["']@(aws-sdk|smithy)\//);
    }
  });

  it('get exactly the environment they read', () => {
    const tables = (...ids: (typeof tableIds)[number][]) => ids.map(tableEnvVar);
    const env: Record<FunctionName, string[]> = {
      api: [
        ...tables('contacts', 'surveys', 'invitations', 'aggregates', 'system', 'alerts'),
        'PUBLIC_URL',
        'DEFAULT_LOCALE',
        'HSTS',
        'ADMIN_KEY_SECRET_ARN',
        'DELIVER_FUNCTION_ARN',
        'SCHEDULE_GROUP',
        'SCHEDULER_ROLE_ARN',
        'SEND_FUNCTION_ARN',
        'REMIND_FUNCTION_ARN',
        'EXPIRE_FUNCTION_ARN',
      ],
      respond: [
        ...tables('invitations', 'surveys', 'contacts', 'system'),
        'PUBLIC_URL',
        'DEFAULT_LOCALE',
        'HSTS',
      ],
      send: [
        ...tables('contacts', 'surveys', 'invitations', 'system'),
        'PUBLIC_URL',
        'DEFAULT_LOCALE',
        'FROM_ADDRESS',
        'SES_CONFIGURATION_SET',
        'SCHEDULE_GROUP',
        'SCHEDULER_ROLE_ARN',
        'SEND_FUNCTION_ARN',
        'REMIND_FUNCTION_ARN',
        'EXPIRE_FUNCTION_ARN',
      ],
      remind: [
        ...tables('contacts', 'surveys', 'invitations', 'system'),
        'PUBLIC_URL',
        'DEFAULT_LOCALE',
        'FROM_ADDRESS',
        'SES_CONFIGURATION_SET',
        'SCHEDULE_GROUP',
        'SCHEDULER_ROLE_ARN',
        'REMIND_FUNCTION_ARN',
      ],
      expire: [...tables('surveys', 'invitations', 'system'), 'EXPIRE_FUNCTION_ARN'],
      score: tables('invitations', 'aggregates', 'contacts', 'surveys'),
      sesEvents: tables('invitations', 'contacts', 'surveys'),
      alerts: [
        ...tables('invitations', 'surveys', 'contacts', 'alerts'),
        'PUBLIC_URL',
        'DELIVER_FUNCTION_ARN',
      ],
      deliver: [
        ...tables('alerts', 'surveys'),
        'PUBLIC_URL',
        'DEFAULT_LOCALE',
        'FROM_ADDRESS',
        'SES_CONFIGURATION_SET',
        'SCHEDULE_GROUP',
        'SCHEDULER_ROLE_ARN',
        'DELIVER_FUNCTION_ARN',
      ],
      digest: [
        ...tables('surveys', 'aggregates', 'invitations', 'alerts', 'system'),
        'PUBLIC_URL',
        'DEFAULT_LOCALE',
        'FROM_ADDRESS',
        'SES_CONFIGURATION_SET',
        'SCHEDULE_GROUP',
        'SCHEDULER_ROLE_ARN',
        'DIGEST_FUNCTION_ARN',
      ],
    };
    for (const name of functionNames) {
      const vars = (props(lambdaByName(name)[1]).Environment as { Variables: Json }).Variables;
      expect(Object.keys(vars).sort(), name).toEqual([...env[name], 'NODE_OPTIONS'].sort());
      for (const id of tableIds) {
        if (tableEnvVar(id) in vars)
          expect(vars[tableEnvVar(id)]).toEqual({ Ref: logicalId(stack.data.tables[id].table) });
      }
    }
    const api = (props(lambdaByName('api')[1]).Environment as { Variables: Json }).Variables;
    expect(api.PUBLIC_URL).toEqual({ 'Fn::GetAtt': [logicalId(stack.app.http.api), 'ApiEndpoint'] });
    expect(api.HSTS).toBe('1');
    expect(api.DEFAULT_LOCALE).toBe('en');
    expect(api.SCHEDULE_GROUP).toBe('NpsWave');
    expect(api.SEND_FUNCTION_ARN).toEqual(functionArn('send'));
    expect(api.REMIND_FUNCTION_ARN).toEqual(functionArn('remind'));
    expect(api.EXPIRE_FUNCTION_ARN).toEqual(functionArn('expire'));
    expect(api.SCHEDULER_ROLE_ARN).toEqual({ 'Fn::GetAtt': [logicalId(stack.app.schedules.role), 'Arn'] });
    expect(api.ADMIN_KEY_SECRET_ARN).toEqual({ Ref: logicalId(stack.data.adminKey) });
    const send = (props(lambdaByName('send')[1]).Environment as { Variables: Json }).Variables;
    expect(send.FROM_ADDRESS).toBe('surveys@example.com');
    expect(send.SES_CONFIGURATION_SET).toEqual({ Ref: logicalId(stack.data.configurationSet) });
    const expire = (props(lambdaByName('expire')[1]).Environment as { Variables: Json }).Variables;
    expect(expire.EXPIRE_FUNCTION_ARN).toEqual(functionArn('expire'));
    expect(api.DELIVER_FUNCTION_ARN).toEqual(functionArn('deliver'));
    const alerts = reader.environment('alerts');
    expect(alerts.DELIVER_FUNCTION_ARN).toEqual(functionArn('deliver'));
    expect(alerts.PUBLIC_URL).toEqual(api.PUBLIC_URL);
    const deliver = reader.environment('deliver');
    // Its retries are one-time schedules that invoke it again, by the same fixed ARN.
    expect(deliver.DELIVER_FUNCTION_ARN).toEqual(functionArn('deliver'));
    expect(deliver.SCHEDULE_GROUP).toBe('NpsWave');
    expect(deliver.SCHEDULER_ROLE_ARN).toEqual(api.SCHEDULER_ROLE_ARN);
    for (const name of ['deliver', 'digest'] as FunctionName[]) {
      const env = reader.environment(name);
      expect(env.FROM_ADDRESS, name).toBe('surveys@example.com');
      expect(env.SES_CONFIGURATION_SET, name).toEqual(send.SES_CONFIGURATION_SET);
      expect(env.DEFAULT_LOCALE, name).toBe('en');
    }
  });

  it('run alerts and deliver briefly, digest longer, each with the memory it needs', () => {
    const sizing = (name: FunctionName) => {
      const p = props(lambdaByName(name)[1]);
      return [p.Timeout, p.MemorySize];
    };
    expect(sizing('alerts')).toEqual([60, 512]);
    expect(sizing('deliver')).toEqual([120, 512]);
    expect(sizing('digest')).toEqual([300, 1024]);
  });

  it('hand failed asynchronous invocations of send, remind, expire, deliver and digest to the failures queue', () => {
    const configs = Object.values(resources('AWS::Lambda::EventInvokeConfig')).map(props);
    expect(
      configs.map((c) => c.FunctionName).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    ).toEqual(
      (['expire', 'remind', 'send', 'deliver', 'digest'] as FunctionName[])
        .map((n) => ({ Ref: lambdaByName(n)[0] }))
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    );
    for (const c of configs) {
      expect(c.DestinationConfig).toEqual({
        OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(stack.app.operations.failures), 'Arn'] } },
      });
    }
  });
  it('email the operator when sending stalls or alerts need a look: the ALERT lines counted, one alarm', () => {
    const filters = Object.values(resources('AWS::Logs::MetricFilter')).map(props);
    expect(
      filters.map((f) => f.LogGroupName).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    ).toEqual(
      (['remind', 'send', 'alerts', 'deliver'] as FunctionName[])
        .map((n) => ({ Ref: logicalId(stack.app.functions[n].logGroup) }))
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    );
    for (const f of filters) {
      expect(f.FilterPattern).toBe('"ALERT"');
      expect(f.MetricTransformations).toEqual([
        { MetricNamespace: 'npswave', MetricName: 'SendingStalled', MetricValue: '1' },
      ]);
    }
    const alarms = Object.values(resources('AWS::CloudWatch::Alarm'))
      .map(props)
      .filter((a) => a.MetricName === 'SendingStalled');
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({
      Namespace: 'npswave',
      Threshold: 1,
      AlarmActions: [{ Ref: logicalId(stack.app.operations.alarms) }],
    });
  });
});

describe('tables', () => {
  it('are made from shared/tables.ts: on demand, PITR, AWS-managed encryption, retained', () => {
    expect(Object.keys(resources('AWS::DynamoDB::Table'))).toHaveLength(tableIds.length);
    for (const id of tableIds) {
      const def = tableDefinitions[id];
      const table = resources('AWS::DynamoDB::Table')[logicalId(stack.data.tables[id].table)] as Json;
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
      const p = props(table);
      expect(p.BillingMode).toBe('PAY_PER_REQUEST');
      expect(p.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(p.SSESpecification).toEqual({ SSEEnabled: true });
      expect(p.KeySchema).toEqual([
        { AttributeName: def.partitionKey.name, KeyType: 'HASH' },
        ...(def.sortKey ? [{ AttributeName: def.sortKey.name, KeyType: 'RANGE' }] : []),
      ]);
      expect(((p.GlobalSecondaryIndexes as Json[] | undefined) ?? []).map((i) => i.IndexName)).toEqual(
        def.indexes.map((i) => i.name),
      );
      expect(p.TimeToLiveSpecification).toEqual(
        def.ttlAttribute ? { AttributeName: def.ttlAttribute, Enabled: true } : undefined,
      );
      expect(p.StreamSpecification).toEqual(def.stream ? { StreamViewType: def.stream } : undefined);
    }
  });

  it('expire system items by TTL and stream invitations', () => {
    expect(
      props(resources('AWS::DynamoDB::Table')[logicalId(stack.data.tables.system.table)] as Json),
    ).toMatchObject({
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    expect(
      props(resources('AWS::DynamoDB::Table')[logicalId(stack.data.tables.invitations.table)] as Json),
    ).toMatchObject({ StreamSpecification: { StreamViewType: 'NEW_IMAGE' } });
  });

  it('keep alert deliveries and follow-ups in the alerts table, listed by status and by owner, expiring by TTL', () => {
    const alerts = props(
      resources('AWS::DynamoDB::Table')[logicalId(stack.data.tables.alerts.table)] as Json,
    );
    expect(alerts).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    });
    expect(alerts.StreamSpecification).toBeUndefined();
    expect(alerts.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'byStatus',
        KeySchema: [
          { AttributeName: 'statusKey', KeyType: 'HASH' },
          { AttributeName: 'statusSort', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      {
        IndexName: 'byOwner',
        KeySchema: [
          { AttributeName: 'ownerKey', KeyType: 'HASH' },
          { AttributeName: 'ownerSort', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ]);
  });

  it('feed score and alerts from the invitations stream, only records with a response, failures kept', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    // score reads what the stream holds; alerts starts at its deploy (answers before it fire nothing).
    // score also takes the settles its waves have not counted (shared/wave/counts.ts).
    const answers = {
      Pattern: JSON.stringify({ dynamodb: { NewImage: { responseVersion: { N: [{ exists: true }] } } } }),
    };
    const uncounted = {
      Pattern: JSON.stringify({ dynamodb: { NewImage: { uncounted: { BOOL: [{ exists: true }] } } } }),
    };
    for (const [name, start, filters] of [
      ['score', 'TRIM_HORIZON', [answers, uncounted]],
      ['alerts', 'LATEST', [answers]],
    ] as [FunctionName, string, unknown[]][]) {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: lambdaByName(name)[0] },
        EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.data.tables.invitations.table), 'StreamArn'] },
        StartingPosition: start,
        BatchSize: 100,
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: Match.anyValue(),
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: {
          OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(stack.app.operations.failures), 'Arn'] } },
        },
        FilterCriteria: { Filters: filters },
      });
    }
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
  });

  it('filter the stream as the local stack does (local/streams.ts): same consumers, same attributes', () => {
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')) as {
      Properties: { FunctionName: { Ref: string }; FilterCriteria: { Filters: { Pattern: string }[] } };
    }[];
    const deployed = mappings
      .map((m) => ({
        fn: streamConsumers.find((c) => lambdaByName(c.fn)[0] === m.Properties.FunctionName.Ref)?.fn,
        attributes: m.Properties.FilterCriteria.Filters.flatMap((f) =>
          Object.keys(JSON.parse(f.Pattern).dynamodb.NewImage),
        ).sort(),
      }))
      .sort((a, b) => String(a.fn).localeCompare(String(b.fn)));
    const local = streamConsumers
      .map((c) => ({ fn: c.fn, attributes: [...c.newImageHasAny].sort() }))
      .sort((a, b) => a.fn.localeCompare(b.fn));
    expect(deployed).toEqual(local);
  });

  it('retry a failing batch as many times as the local stack does (local/streams.ts)', () => {
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')) as {
      Properties: { MaximumRetryAttempts?: number };
    }[];
    expect(mappings.length).toBeGreaterThan(0);
    for (const m of mappings) expect(m.Properties.MaximumRetryAttempts).toBe(streamRetryDelaysMs.length);
  });
});

describe('HTTP API', () => {
  const integrationFunction = (target: unknown): string => {
    const ref = (
      (target as { 'Fn::Join': [string, [string, { Ref: string }]] })['Fn::Join'][1][1] as { Ref: string }
    ).Ref;
    const integration = props(resources('AWS::ApiGatewayV2::Integration')[ref] as Json);
    expect(integration.PayloadFormatVersion).toBe('2.0');
    return (
      (integration.IntegrationUri as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'] as [string, string]
    )[0];
  };

  it('has one route per entry of shared/routes.ts (the dashboard included), to the function the entry names', () => {
    const byKey = new Map(
      Object.values(resources('AWS::ApiGatewayV2::Route')).map((r) => [
        props(r).RouteKey as string,
        props(r),
      ]),
    );
    expect(byKey.size).toBe(routes.length);
    expect(routes.some((r) => r.path === '/admin' && r.method === 'GET')).toBe(true);
    for (const route of routes) {
      const r = byKey.get(routeKey(route));
      expect(r, routeKey(route)).toBeDefined();
      expect(integrationFunction(r?.Target)).toBe(lambdaByName(route.fn)[0]);
    }
  });

  it('logs access (by route key, never the token-bearing path) and throttles its default stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
      AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [logicalId(stack.app.http.accessLogs), 'Arn'] } },
    });
    const stage = props(Object.values(resources('AWS::ApiGatewayV2::Stage'))[0] as Json);
    const format = (stage.AccessLogSettings as { Format: string }).Format;
    expect(JSON.parse(format)).toMatchObject({
      requestId: '$context.requestId',
      routeKey: '$context.routeKey',
    });
    expect(format).not.toContain('$context.path');
  });

  it('lets API Gateway invoke api and respond, scoped to this API', () => {
    for (const name of ['api', 'respond'] as FunctionName[]) {
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
        FunctionName: { 'Fn::GetAtt': [lambdaByName(name)[0], 'Arn'] },
        SourceArn: Match.anyValue(),
      });
    }
  });
});

describe('scheduler', () => {
  it('has a schedule group named for the stack', () => {
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'NpsWave' });
  });

  it('resumes waves and sweeps due deliveries every five minutes, and sends digests daily at 07:00 UTC', () => {
    template.resourceCountIs('AWS::Scheduler::Schedule', 3);
    const system: [FunctionName, string, unknown][] = [
      ['send', 'rate(5 minutes)', { type: 'waves.resume' }],
      ['deliver', 'rate(5 minutes)', { type: 'deliveries.sweep' }],
      [
        'digest',
        'cron(0 7 * * ? *)',
        { type: 'digests.send', scheduledAt: '<aws.scheduler.scheduled-time>' },
      ],
    ];
    for (const [target, expression, input] of system) {
      template.hasResource('AWS::Scheduler::Schedule', {
        DependsOn: [logicalId(stack.app.schedules.group)],
        Properties: {
          GroupName: 'NpsWave',
          ScheduleExpression: expression,
          State: 'ENABLED',
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: {
            Arn: functionArn(target),
            RoleArn: { 'Fn::GetAtt': [logicalId(stack.app.schedules.role), 'Arn'] },
            Input: JSON.stringify(input),
            RetryPolicy: { MaximumRetryAttempts: 0 },
          },
        },
      });
    }
    // A cron without a time zone runs in UTC.
    for (const schedule of Object.values(resources('AWS::Scheduler::Schedule'))) {
      expect(props(schedule).ScheduleExpressionTimezone).toBeUndefined();
    }
  });

  it('has a role that only EventBridge Scheduler of this account may assume, to invoke its five targets', () => {
    const roleId = logicalId(stack.app.schedules.role);
    const role = props(resources('AWS::IAM::Role')[roleId] as Json);
    expect(role.AssumeRolePolicyDocument).toMatchObject({
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        },
      ],
    });
    expect(reader.grantsOfRole(roleId)).toEqual(
      reader.grants([
        [functionArn('send'), ['lambda:InvokeFunction']],
        [functionArn('remind'), ['lambda:InvokeFunction']],
        [functionArn('expire'), ['lambda:InvokeFunction']],
        [functionArn('deliver'), ['lambda:InvokeFunction']],
        [functionArn('digest'), ['lambda:InvokeFunction']],
      ]),
    );
  });
});

describe('SES', () => {
  it('verifies the sender domain with Easy DKIM and sends through our configuration set', () => {
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'example.com',
      DkimSigningAttributes: { NextSigningKeyLength: 'RSA_2048_BIT' },
      ConfigurationSetAttributes: { ConfigurationSetName: { Ref: logicalId(stack.data.configurationSet) } },
    });
    template.resourceCountIs('AWS::SES::ConfigurationSet', 1);
  });

  it('publishes bounce, complaint, delivery, send, reject and delivery-delay events to the default bus', () => {
    const destinations = Object.values(resources('AWS::SES::ConfigurationSetEventDestination')).map(props);
    expect(destinations).toHaveLength(1);
    expect(destinations[0]?.ConfigurationSetName).toEqual({ Ref: logicalId(stack.data.configurationSet) });
    const destination = destinations[0]?.EventDestination as Json;
    expect(destination.Enabled).toBe(true);
    expect(destination.EventBridgeDestination).toEqual({ EventBusArn: arn('events', 'event-bus/default') });
    expect((destination.MatchingEventTypes as string[]).slice().sort()).toEqual(
      ['bounce', 'complaint', 'delivery', 'deliveryDelay', 'reject', 'send'].sort(),
    );
  });

  it('routes the events of our configuration set to sesEvents, with a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ses'],
        detail: {
          mail: { tags: { 'ses:configuration-set': [{ Ref: logicalId(stack.data.configurationSet) }] } },
        },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [lambdaByName('sesEvents')[0], 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(stack.app.operations.failures), 'Arn'] } },
        }),
      ],
    });
  });
});

describe('admin key and outputs', () => {
  it('generates the admin key at deploy time: it never appears in the template', () => {
    const secrets = Object.values(resources('AWS::SecretsManager::Secret')).map(props);
    expect(secrets).toHaveLength(1);
    const secret = secrets[0] ?? {};
    expect(secret.SecretString).toBeUndefined();
    const generate = (secret.GenerateSecretString ?? {}) as Json;
    expect(generate).toMatchObject({ ExcludePunctuation: true, IncludeSpace: false });
    expect(generate.PasswordLength).toBeGreaterThanOrEqual(32);
  });

  it('prints the URLs, the key command, the schedule group, the configuration set and the DKIM records', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining([
        'ApiUrl',
        'DashboardUrl',
        'AdminKeySecretArn',
        'AdminKeyCommand',
        'ScheduleGroupName',
        'ConfigurationSetName',
        'SenderIdentityDkim',
      ]),
    );
    expect(JSON.stringify(outputs.AdminKeyCommand?.Value)).toContain(
      'aws secretsmanager get-secret-value --secret-id ',
    );
    expect(JSON.stringify(outputs.AdminKeyCommand?.Value)).toContain(
      `"Ref":"${logicalId(stack.data.adminKey)}"`,
    );
    expect(JSON.stringify(outputs.DashboardUrl?.Value)).toContain('/admin');
    expect(JSON.stringify(outputs.SenderIdentityDkim?.Value)).toContain('DkimDNSTokenValue3');
  });
});

describe('cdk-nag gate', () => {
  it('passed this synthesis: no finding, error or warning, in its validation report', () => {
    const report = JSON.parse(readFileSync(path.join(assemblyDir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { violations?: unknown[] }[];
    };
    expect(report.pluginReports.flatMap((r) => r.violations ?? [])).toEqual([]);
  });
});
