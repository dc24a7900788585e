/**
 * The npswave stack, asserted property by property: synthesised once (with real esbuild bundling)
 * under the same context as `cdk synth` (cdk.json) and the same cdk-nag gate as infra/app.ts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { applyNagChecks } from '../../infra/nag.ts';
import { buildNpsWave, type NpsWaveStack } from '../../infra/stack.ts';
import { type FunctionName, routeKey, routes } from '../../shared/routes.ts';
import { tableDefinitions, tableEnvVar, tableIds } from '../../shared/tables.ts';

type Json = Record<string, unknown>;
interface Statement {
  Action: string | string[];
  Resource: unknown;
  Effect: string;
  Condition?: Json;
}

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  app: string;
  context: Record<string, unknown>;
};
const repoRoot = path.resolve(import.meta.dirname, '../..');
const functionDirs: Record<FunctionName, string> = {
  api: 'api',
  respond: 'respond',
  send: 'send',
  remind: 'remind',
  expire: 'expire',
  score: 'score',
  sesEvents: 'ses-events',
};
const functionNames = Object.keys(functionDirs) as FunctionName[];

const outdirs: string[] = [];
/**
 * An app with the context of cdk.json. `full` apps bundle the functions and run CDK's built-in
 * CloudFormation schema validation, as `cdk synth` does; the others skip both, for speed.
 */
function newApp(context: Record<string, unknown> = {}, full = false): App {
  const outdir = mkdtempSync(path.join(tmpdir(), 'npswave-cdk-'));
  outdirs.push(outdir);
  return new App({
    outdir,
    builtinCloudFormationValidation: full,
    context: { ...cdkJson.context, ...context, ...(full ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
}
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

/** `arn:${Partition}:<service>:${Region}:${AccountId}:<rest>` as CloudFormation renders it. */
const arn = (service: string, rest: string): unknown => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      `:${service}:`,
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:${rest}`,
    ],
  ],
});
const functionArn = (name: FunctionName): unknown => arn('lambda', `function:NpsWave-${functionDirs[name]}`);
const scheduleArns = arn('scheduler', 'schedule/NpsWave/*');

let app: App;
let stack: NpsWaveStack;
let template: Template;
let assemblyDir: string;

beforeAll(() => {
  app = newApp({}, true);
  stack = buildNpsWave(app);
  applyNagChecks(app);
  // Synthesis runs the cdk-nag gate: it throws on any unacknowledged finding.
  template = Template.fromStack(stack);
  assemblyDir = app.synth().directory;
}, 120_000);

const resources = (type: string): Record<string, Json> =>
  template.findResources(type) as Record<string, Json>;
const props = (r: Json): Json => r.Properties as Json;
const logicalId = (c: { node: { defaultChild?: unknown } }): string =>
  stack.getLogicalId(c.node.defaultChild as Parameters<Stack['getLogicalId']>[0]);

function lambdaByName(name: FunctionName): [string, Json] {
  const found = Object.entries(resources('AWS::Lambda::Function')).filter(
    ([, r]) => props(r).FunctionName === `NpsWave-${functionDirs[name]}`,
  );
  expect(found, `function NpsWave-${functionDirs[name]}`).toHaveLength(1);
  return found[0] as [string, Json];
}

function statementsOfRole(roleId: string): Statement[] {
  return Object.values(resources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(props(p).Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((p) => (props(p).PolicyDocument as { Statement: Statement[] }).Statement);
}

const list = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

/** resource (as JSON) -> sorted actions, over every statement of the role's policies. */
function grantsOfRole(roleId: string): Record<string, string[]> {
  const grants = new Map<string, Set<string>>();
  for (const s of statementsOfRole(roleId)) {
    expect(s.Effect).toBe('Allow');
    for (const resource of list(s.Resource)) {
      const key = JSON.stringify(resource);
      const actions = grants.get(key) ?? new Set<string>();
      for (const a of list(s.Action)) actions.add(a);
      grants.set(key, actions);
    }
  }
  return Object.fromEntries([...grants].map(([k, v]) => [k, [...v].sort()]));
}

function expected(entries: [unknown, string[]][]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [resource, actions] of entries) {
    const key = JSON.stringify(stack.resolve(resource));
    out[key] = [...new Set([...(out[key] ?? []), ...actions])].sort();
  }
  return out;
}

const roleIdOf = (name: FunctionName): string => logicalId(stack.app.functions[name].role);
const tableArn = (id: (typeof tableIds)[number]): string => stack.data.tables[id].table.tableArn;
const indexArn = (id: (typeof tableIds)[number], index: string): string => `${tableArn(id)}/index/${index}`;
const ddb = (...actions: string[]): string[] => actions.map((a) => `dynamodb:${a}`);
const logsOf = (name: FunctionName): [unknown, string[]] => [
  stack.app.functions[name].logGroup.logGroupArn,
  ['logs:CreateLogStream', 'logs:PutLogEvents'],
];
const failures = (): [unknown, string[]] => [
  stack.app.operations.failures.queueArn,
  ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
];
const sendEmail = (): [unknown, string[]][] => [
  [stack.data.identity.emailIdentityArn, ['ses:SendEmail']],
  [stack.data.configurationSetArn, ['ses:SendEmail']],
  ['*', ['ses:GetAccount']],
];

describe('functions', () => {
  it('are the seven functions, Node 24 on arm64, ESM handlers with source maps and their own log group', () => {
    expect(Object.keys(resources('AWS::Lambda::Function'))).toHaveLength(7);
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
        ...tables('contacts', 'surveys', 'invitations', 'aggregates', 'system'),
        'PUBLIC_URL',
        'DEFAULT_LOCALE',
        'HSTS',
        'ADMIN_KEY_SECRET_ARN',
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
        ...tables('contacts', 'surveys', 'invitations'),
        'PUBLIC_URL',
        'DEFAULT_LOCALE',
        'FROM_ADDRESS',
        'SES_CONFIGURATION_SET',
        'REMIND_FUNCTION_ARN',
      ],
      expire: tables('surveys', 'invitations'),
      score: tables('invitations', 'aggregates', 'contacts'),
      sesEvents: tables('invitations', 'contacts', 'surveys'),
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
  });

  it('hand failed asynchronous invocations of send, remind and expire to the failures queue', () => {
    const configs = Object.values(resources('AWS::Lambda::EventInvokeConfig')).map(props);
    expect(
      configs.map((c) => c.FunctionName).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    ).toEqual(
      (['expire', 'remind', 'send'] as FunctionName[])
        .map((n) => ({ Ref: lambdaByName(n)[0] }))
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    );
    for (const c of configs) {
      expect(c.DestinationConfig).toEqual({
        OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(stack.app.operations.failures), 'Arn'] } },
      });
    }
  });
});

describe('least privilege', () => {
  it('api may do exactly its admin work', () => {
    expect(grantsOfRole(roleIdOf('api'))).toEqual(
      expected([
        logsOf('api'),
        [
          tableArn('contacts'),
          ddb('GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'BatchGetItem', 'Scan'),
        ],
        [tableArn('surveys'), ddb('GetItem', 'PutItem', 'UpdateItem', 'Query')],
        [indexArn('surveys', 'gsi1'), ddb('Query')],
        [tableArn('invitations'), ddb('GetItem', 'PutItem', 'UpdateItem', 'Query')],
        [indexArn('invitations', 'byWave'), ddb('Query')],
        [indexArn('invitations', 'byContact'), ddb('Query')],
        [tableArn('aggregates'), ddb('GetItem', 'Query')],
        [tableArn('system'), ddb('GetItem', 'PutItem', 'UpdateItem', 'Query', 'DeleteItem')],
        [functionArn('send'), ['lambda:InvokeFunction']],
        [
          scheduleArns,
          [
            'scheduler:CreateSchedule',
            'scheduler:UpdateSchedule',
            'scheduler:DeleteSchedule',
            'scheduler:GetSchedule',
          ],
        ],
        [stack.app.schedules.role.roleArn, ['iam:PassRole']],
        [stack.data.adminKey.secretArn, ['secretsmanager:GetSecretValue']],
      ]),
    );
  });

  it('respond may read and answer invitations, and keep rate limits', () => {
    expect(grantsOfRole(roleIdOf('respond'))).toEqual(
      expected([
        logsOf('respond'),
        [tableArn('invitations'), ddb('GetItem', 'BatchGetItem', 'UpdateItem', 'PutItem')],
        [tableArn('surveys'), ddb('GetItem', 'BatchGetItem', 'UpdateItem')],
        [tableArn('contacts'), ddb('GetItem', 'UpdateItem')],
        [tableArn('system'), ddb('GetItem', 'UpdateItem', 'PutItem')],
      ]),
    );
  });

  it('send may email through our identity, continue itself and schedule reminders and expiry', () => {
    expect(grantsOfRole(roleIdOf('send'))).toEqual(
      expected([
        logsOf('send'),
        failures(),
        [tableArn('contacts'), ddb('GetItem', 'Scan', 'UpdateItem')],
        [tableArn('surveys'), ddb('GetItem', 'UpdateItem', 'PutItem', 'DeleteItem', 'Query')],
        [indexArn('surveys', 'gsi1'), ddb('Query')],
        [tableArn('invitations'), ddb('GetItem', 'PutItem', 'UpdateItem', 'Query')],
        [indexArn('invitations', 'byWave'), ddb('Query')],
        [indexArn('invitations', 'byContact'), ddb('Query')],
        [tableArn('system'), ddb('BatchWriteItem', 'Query')],
        ...sendEmail(),
        [functionArn('send'), ['lambda:InvokeFunction']],
        [scheduleArns, ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule']],
        [stack.app.schedules.role.roleArn, ['iam:PassRole']],
      ]),
    );
  });

  it('remind and expire may only touch their waves', () => {
    expect(grantsOfRole(roleIdOf('remind'))).toEqual(
      expected([
        logsOf('remind'),
        failures(),
        [tableArn('contacts'), ddb('GetItem')],
        [tableArn('surveys'), ddb('GetItem', 'UpdateItem')],
        [tableArn('invitations'), ddb('GetItem', 'UpdateItem', 'Query')],
        [indexArn('invitations', 'byWave'), ddb('Query')],
        ...sendEmail(),
        [functionArn('remind'), ['lambda:InvokeFunction']],
      ]),
    );
    expect(grantsOfRole(roleIdOf('expire'))).toEqual(
      expected([
        logsOf('expire'),
        failures(),
        [tableArn('surveys'), ddb('GetItem', 'UpdateItem', 'Query')],
        [tableArn('invitations'), ddb('UpdateItem', 'Query')],
        [indexArn('invitations', 'byWave'), ddb('Query')],
      ]),
    );
  });

  it('score may read the stream and apply its transaction (Update and ConditionCheck per item)', () => {
    expect(grantsOfRole(roleIdOf('score'))).toEqual(
      expected([
        logsOf('score'),
        failures(),
        [tableArn('invitations'), ddb('GetItem', 'UpdateItem', 'ConditionCheckItem')],
        [tableArn('aggregates'), ddb('UpdateItem', 'ConditionCheckItem')],
        [tableArn('contacts'), ddb('UpdateItem', 'ConditionCheckItem')],
        [
          stack.data.tables.invitations.table.tableStreamArn,
          ddb('DescribeStream', 'GetRecords', 'GetShardIterator'),
        ],
        ['*', ddb('ListStreams')],
      ]),
    );
  });

  it('sesEvents may only mark invitations, contacts and wave counters', () => {
    expect(grantsOfRole(roleIdOf('sesEvents'))).toEqual(
      expected([
        logsOf('sesEvents'),
        [tableArn('invitations'), ddb('GetItem', 'UpdateItem')],
        [tableArn('contacts'), ddb('GetItem', 'UpdateItem')],
        [tableArn('surveys'), ddb('UpdateItem')],
      ]),
    );
  });

  it('passes the scheduler role only to EventBridge Scheduler', () => {
    for (const name of ['api', 'send'] as FunctionName[]) {
      const passRole = statementsOfRole(roleIdOf(name)).filter((s) =>
        list(s.Action).includes('iam:PassRole'),
      );
      expect(passRole).toHaveLength(1);
      expect(passRole[0]?.Action).toBe('iam:PassRole');
      expect(passRole[0]?.Condition).toEqual({
        StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
      });
    }
  });

  it('grants no wildcard action anywhere, and "*" resources only for actions that have no resource type', () => {
    for (const policy of Object.values(resources('AWS::IAM::Policy'))) {
      for (const s of (props(policy).PolicyDocument as { Statement: Statement[] }).Statement) {
        for (const action of list(s.Action)) expect(action).not.toMatch(/\*/);
        if (list(s.Resource).includes('*')) {
          expect(list(s.Action).every((a) => ['ses:GetAccount', 'dynamodb:ListStreams'].includes(a))).toBe(
            true,
          );
        }
      }
    }
    // Our roles carry no managed policies (the default Lambda role's would grant logs on *).
    for (const role of Object.values(resources('AWS::IAM::Role'))) {
      expect(props(role).ManagedPolicyArns).toBeUndefined();
    }
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
    ).toMatchObject({ StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' } });
  });

  it('feed score from the invitations stream, only records with a response, failures kept', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: lambdaByName('score')[0] },
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.data.tables.invitations.table), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: Match.anyValue(),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(stack.app.operations.failures), 'Arn'] } },
      },
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              dynamodb: { NewImage: { responseVersion: { N: [{ exists: true }] } } },
            }),
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
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

  it('has one route per entry of shared/routes.ts, to the function the entry names, plus the dashboard', () => {
    const byKey = new Map(
      Object.values(resources('AWS::ApiGatewayV2::Route')).map((r) => [
        props(r).RouteKey as string,
        props(r),
      ]),
    );
    const all = [
      ...routes,
      { method: 'GET', path: '/admin', fn: 'api' } as const,
      { method: 'GET', path: '/admin/{proxy+}', fn: 'api' } as const,
    ];
    expect(byKey.size).toBe(all.length);
    for (const route of all) {
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

  it('resumes waves a crash left behind, every few minutes, through send', () => {
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
    template.hasResource('AWS::Scheduler::Schedule', { DependsOn: [logicalId(stack.app.schedules.group)] });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      GroupName: 'NpsWave',
      ScheduleExpression: Match.stringLikeRegexp('^rate\\('),
      State: 'ENABLED',
      Target: {
        Arn: functionArn('send'),
        RoleArn: { 'Fn::GetAtt': [logicalId(stack.app.schedules.role), 'Arn'] },
        Input: JSON.stringify({ type: 'waves.resume' }),
      },
    });
  });

  it('has a role that only EventBridge Scheduler of this account may assume, to invoke send, remind and expire', () => {
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
    expect(grantsOfRole(roleId)).toEqual(
      expected([
        [functionArn('send'), ['lambda:InvokeFunction']],
        [functionArn('remind'), ['lambda:InvokeFunction']],
        [functionArn('expire'), ['lambda:InvokeFunction']],
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

describe('cdk-nag (AwsSolutions)', () => {
  const acknowledgedIn = (root: App): Map<string, string> => {
    const out = new Map<string, string>();
    const visit = (c: {
      node: { metadata: { type: string; data: unknown }[]; children: unknown[] };
    }): void => {
      for (const m of c.node.metadata) {
        if (m.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(m.data as Record<string, string>)) {
          out.set(id.replace(/^annotation::/i, ''), reason);
        }
      }
      for (const child of c.node.children) visit(child as typeof c);
    };
    visit(root as unknown as Parameters<typeof visit>[0]);
    return out;
  };

  it('finds nothing unacknowledged, errors or warnings', () => {
    const plugin = applyNagChecks(newApp());
    expect(plugin.validateScope(app).violations).toEqual([]);
    const report = JSON.parse(readFileSync(path.join(assemblyDir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { violations?: unknown[] }[];
    };
    expect(report.pluginReports.flatMap((r) => r.violations ?? [])).toEqual([]);
  });

  it('acknowledges only findings that exist, each with a real reason', () => {
    const acknowledged = acknowledgedIn(app);
    expect(acknowledged.size).toBeGreaterThan(0);
    for (const [id, reason] of acknowledged) {
      expect(id).toMatch(/^AwsSolutions-/);
      expect(reason.length, id).toBeGreaterThan(60);
    }
    // The same stack with every acknowledgement ignored: its findings are exactly what we acknowledged.
    const spy = vi.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => undefined);
    try {
      const bare = newApp();
      buildNpsWave(bare);
      const findings = applyNagChecks(newApp())
        .validateScope(bare)
        .violations.map((v) => v.ruleName);
      expect([...new Set(findings)].sort()).toEqual([...acknowledged.keys()].sort());
    } finally {
      spy.mockRestore();
    }
  });

  it('is not vacuous: a table without point-in-time recovery (a cdk-nag warning) fails synthesis', () => {
    const bad = newApp();
    const throwaway = new Stack(bad, 'Throwaway');
    new dynamodb.Table(throwaway, 'NoPitr', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
    });
    const plugin = applyNagChecks(bad);
    expect(plugin.validateScope(bad).violations.map((v) => v.ruleName)).toEqual(['AwsSolutions-DDB3']);
    expect(() => bad.synth()).toThrow(/AwsSolutions-DDB3/);
  });

  it('is not vacuous: a queue that allows plain HTTP (a cdk-nag error) fails synthesis', () => {
    const bad = newApp();
    new sqs.Queue(new Stack(bad, 'Throwaway'), 'Plain', { encryption: sqs.QueueEncryption.SQS_MANAGED });
    applyNagChecks(bad);
    expect(() => bad.synth()).toThrow(/AwsSolutions-SQS4/);
  });
});

describe('configuration', () => {
  it('serves a custom domain when one is configured, and caps the send rate', () => {
    const custom = newApp({
      customDomain: 'nps.example.com',
      certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666',
      maxSendRate: '10',
      defaultLocale: 'sv',
    });
    const s = buildNpsWave(custom);
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::ApiGatewayV2::DomainName', { DomainName: 'nps.example.com' });
    t.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
    const fns = Object.values(t.findResources('AWS::Lambda::Function')).map(
      (r) => ((r as Json).Properties as Json).Environment as { Variables: Json },
    );
    const send = fns.find((e) => 'FROM_ADDRESS' in e.Variables && 'SCHEDULE_GROUP' in e.Variables);
    expect(send?.Variables.PUBLIC_URL).toBe('https://nps.example.com');
    expect(send?.Variables.SES_MAX_SEND_RATE).toBe('10');
    expect(send?.Variables.DEFAULT_LOCALE).toBe('sv');
    expect(Object.keys(t.toJSON().Outputs as Json)).toContain('CustomDomainTarget');
  });
});
