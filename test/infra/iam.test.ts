/**
 * Least privilege, function by function: each role's grants, resource by resource, are exactly the
 * actions its handler uses (so a test fails both on a missing grant and on a surplus one).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildNpsWave, type NpsWaveStack } from '../../infra/stack.ts';
import type { FunctionName } from '../../shared/routes.ts';
import type { TableId } from '../../shared/tables.ts';
import { arn, functionArn, list, newApp, props, removeApps, StackReader, type Statement } from './helpers.ts';

let stack: NpsWaveStack;
let reader: StackReader;

beforeAll(() => {
  stack = buildNpsWave(newApp());
  reader = new StackReader(stack);
}, 60_000);
afterAll(removeApps);

const scheduleArns = arn('scheduler', 'schedule/NpsWave/*');
const roleIdOf = (name: FunctionName): string => reader.logicalId(stack.app.functions[name].role);
const tableArn = (id: TableId): string => stack.data.tables[id].table.tableArn;
const indexArn = (id: TableId, index: string): string => `${tableArn(id)}/index/${index}`;
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

describe('least privilege', () => {
  it('api may do exactly its admin work', () => {
    expect(reader.grantsOfRole(roleIdOf('api'))).toEqual(
      reader.grants([
        logsOf('api'),
        [
          tableArn('contacts'),
          ddb('GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'BatchGetItem', 'Scan'),
        ],
        [tableArn('surveys'), ddb('GetItem', 'PutItem', 'UpdateItem', 'Query')],
        [indexArn('surveys', 'gsi1'), ddb('Query')],
        [tableArn('invitations'), ddb('GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'Query')],
        [indexArn('invitations', 'byWaveKeys'), ddb('Query')],
        [indexArn('invitations', 'answersBySurvey'), ddb('Query')],
        [tableArn('aggregates'), ddb('GetItem', 'Query')],
        [indexArn('aggregates', 'segmentsByResponses'), ddb('Query')],
        [tableArn('system'), ddb('GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'Query', 'DeleteItem')],
        // Follow-ups, webhook deliveries (list, redeliver, replay) and an erased contact's follow-ups.
        [
          tableArn('alerts'),
          ddb('GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'BatchWriteItem'),
        ],
        [indexArn('alerts', 'byStatus'), ddb('Query')],
        [indexArn('alerts', 'byOwner'), ddb('Query')],
        [functionArn('send'), ['lambda:InvokeFunction']],
        [functionArn('deliver'), ['lambda:InvokeFunction']],
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
    expect(reader.grantsOfRole(roleIdOf('respond'))).toEqual(
      reader.grants([
        logsOf('respond'),
        [tableArn('invitations'), ddb('GetItem', 'BatchGetItem', 'UpdateItem', 'PutItem')],
        [tableArn('surveys'), ddb('GetItem', 'BatchGetItem', 'UpdateItem', 'PutItem')],
        [tableArn('contacts'), ddb('GetItem', 'UpdateItem')],
        [tableArn('system'), ddb('UpdateItem')],
      ]),
    );
    // Only rate-limit windows: never an admin key, a session or a sample candidate.
    const onSystem = reader
      .statementsOfRole(roleIdOf('respond'))
      .filter((st) =>
        JSON.stringify(st.Resource).includes(JSON.stringify(stack.resolve(tableArn('system')))),
      );
    expect(onSystem).toHaveLength(1);
    expect(onSystem[0]?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['RATE#*'] },
    });
  });

  it('send may email through our identity, continue itself and schedule reminders and expiry', () => {
    expect(reader.grantsOfRole(roleIdOf('send'))).toEqual(
      reader.grants([
        logsOf('send'),
        failures(),
        [tableArn('contacts'), ddb('GetItem', 'Scan', 'UpdateItem', 'DescribeTable')],
        [tableArn('surveys'), ddb('GetItem', 'UpdateItem', 'PutItem', 'DeleteItem', 'Query')],
        [indexArn('surveys', 'gsi1'), ddb('Query')],
        [
          tableArn('invitations'),
          ddb('GetItem', 'BatchGetItem', 'PutItem', 'BatchWriteItem', 'UpdateItem', 'Query'),
        ],
        [indexArn('invitations', 'byWaveKeys'), ddb('Query')],
        [tableArn('system'), ddb('BatchWriteItem', 'Query')],
        [tableArn('system'), ddb('UpdateItem')],
        [tableArn('system'), ddb('DeleteItem')],
        ...sendEmail(),
        [functionArn('send'), ['lambda:InvokeFunction']],
        [scheduleArns, ['scheduler:CreateSchedule']],
        [stack.app.schedules.role.roleArn, ['iam:PassRole']],
      ]),
    );
  });

  it('remind and expire may only touch their waves and continue themselves', () => {
    expect(reader.grantsOfRole(roleIdOf('remind'))).toEqual(
      reader.grants([
        logsOf('remind'),
        failures(),
        [tableArn('contacts'), ddb('GetItem')],
        [tableArn('surveys'), ddb('GetItem', 'UpdateItem')],
        [tableArn('invitations'), ddb('GetItem', 'BatchGetItem', 'UpdateItem', 'Query')],
        [indexArn('invitations', 'byWaveKeys'), ddb('Query')],
        [tableArn('system'), ddb('UpdateItem')],
        ...sendEmail(),
        [functionArn('remind'), ['lambda:InvokeFunction']],
        [scheduleArns, ['scheduler:CreateSchedule']],
        [stack.app.schedules.role.roleArn, ['iam:PassRole']],
      ]),
    );
    expect(reader.grantsOfRole(roleIdOf('expire'))).toEqual(
      reader.grants([
        logsOf('expire'),
        failures(),
        [tableArn('surveys'), ddb('GetItem', 'UpdateItem', 'Query')],
        [tableArn('invitations'), ddb('GetItem', 'BatchGetItem', 'UpdateItem', 'Query')],
        [indexArn('invitations', 'byWaveKeys'), ddb('Query')],
        // A wave too large for one invocation goes on in a fresh one: itself, and no other function.
        [functionArn('expire'), ['lambda:InvokeFunction']],
        [tableArn('system'), ddb('DeleteItem')],
        [tableArn('surveys'), ddb('DeleteItem')],
      ]),
    );
    // On the system table, send, remind and expire reach only their own kind of item.
    const leadingKeysOn = (fn: FunctionName) =>
      reader
        .statementsOfRole(roleIdOf(fn))
        .filter((st) => JSON.stringify(st.Resource) === JSON.stringify(stack.resolve(tableArn('system'))))
        .map((st) => [list(st.Action).join(','), st.Condition]);
    const only = (keys: string[]) => ({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': keys } });
    expect(leadingKeysOn('remind')).toEqual([['dynamodb:UpdateItem', only(['SESRATE'])]]);
    expect(leadingKeysOn('expire')).toEqual([['dynamodb:DeleteItem', only(['TRIGGERED'])]]);
    const expireOnSurveys = reader
      .statementsOfRole(roleIdOf('expire'))
      .filter((st) => list(st.Action).includes('dynamodb:DeleteItem'))
      .map((st) => st.Condition);
    expect(expireOnSurveys).toContainEqual(only(['ACTIVE']));
    expect(leadingKeysOn('send')).toEqual(
      expect.arrayContaining([
        ['dynamodb:UpdateItem', only(['SESRATE'])],
        ['dynamodb:DeleteItem', only(['TRIGGERED'])],
      ]),
    );
  });

  it('score may read the stream, apply its transaction (Update and ConditionCheck per item) and add to wave counts', () => {
    expect(reader.grantsOfRole(roleIdOf('score'))).toEqual(
      reader.grants([
        logsOf('score'),
        failures(),
        [tableArn('invitations'), ddb('GetItem', 'BatchGetItem', 'UpdateItem', 'ConditionCheckItem')],
        // Wave items only (leading key WAVE#*): the counts folded from the stream.
        [tableArn('surveys'), ddb('UpdateItem')],
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

  it('alerts may read the stream, the answer, its survey and contact, write alert items and hand them to deliver', () => {
    expect(reader.grantsOfRole(roleIdOf('alerts'))).toEqual(
      reader.grants([
        logsOf('alerts'),
        failures(),
        [tableArn('invitations'), ddb('GetItem', 'UpdateItem')],
        [tableArn('surveys'), ddb('GetItem')],
        [tableArn('contacts'), ddb('GetItem')],
        [tableArn('alerts'), ddb('GetItem', 'PutItem', 'UpdateItem', 'ConditionCheckItem')],
        [functionArn('deliver'), ['lambda:InvokeFunction']],
        [
          stack.data.tables.invitations.table.tableStreamArn,
          ddb('DescribeStream', 'GetRecords', 'GetShardIterator'),
        ],
        ['*', ddb('ListStreams')],
      ]),
    );
  });

  it('deliver may keep deliveries, email through our identity and schedule its own retries', () => {
    expect(reader.grantsOfRole(roleIdOf('deliver'))).toEqual(
      reader.grants([
        logsOf('deliver'),
        failures(),
        [tableArn('alerts'), ddb('GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query')],
        [indexArn('alerts', 'byStatus'), ddb('Query')],
        [indexArn('alerts', 'byOwner'), ddb('Query')],
        [tableArn('surveys'), ddb('GetItem')],
        ...sendEmail(),
        [scheduleArns, ['scheduler:CreateSchedule']],
        [stack.app.schedules.role.roleArn, ['iam:PassRole']],
      ]),
    );
    // Its retries invoke it through the scheduler role, never by its own hand.
    const invokes = reader
      .statementsOfRole(roleIdOf('deliver'))
      .filter((st) => list(st.Action).includes('lambda:InvokeFunction'));
    expect(invokes).toEqual([]);
  });

  it('digest may read reports and open follow-ups, email owners and write only its sent markers', () => {
    expect(reader.grantsOfRole(roleIdOf('digest'))).toEqual(
      reader.grants([
        logsOf('digest'),
        failures(),
        [tableArn('surveys'), ddb('GetItem', 'Query')],
        [indexArn('surveys', 'gsi1'), ddb('Query')],
        [tableArn('aggregates'), ddb('GetItem', 'Query')],
        [indexArn('aggregates', 'segmentsByResponses'), ddb('Query')],
        // The comment feed only: nothing on the invitations table itself.
        [indexArn('invitations', 'answersBySurvey'), ddb('Query')],
        [indexArn('alerts', 'byStatus'), ddb('Query')],
        [tableArn('alerts'), ddb('PutItem', 'UpdateItem')],
        // The account's one SES rate (SESRATE), as every sender takes its turn from it.
        [tableArn('system'), ddb('UpdateItem')],
        ...sendEmail(),
        // A run past its time goes on in a fresh invocation of itself.
        [functionArn('digest'), ['lambda:InvokeFunction']],
        // Digests SES would not take for now: a one-time schedule tries the firing again.
        [scheduleArns, ['scheduler:CreateSchedule']],
        [stack.app.schedules.role.roleArn, ['iam:PassRole']],
      ]),
    );
    const onSystem = reader
      .statementsOfRole(roleIdOf('digest'))
      .filter((st) => JSON.stringify(st.Resource) === JSON.stringify(stack.resolve(tableArn('system'))));
    expect(onSystem.map((st) => st.Condition)).toEqual([
      { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SESRATE'] } },
    ]);
    // On the alerts table itself, only its DIGEST#<survey> markers.
    const onAlerts = reader
      .statementsOfRole(roleIdOf('digest'))
      .filter((st) => JSON.stringify(st.Resource) === JSON.stringify(stack.resolve(tableArn('alerts'))));
    expect(onAlerts.map((st) => [list(st.Action).sort().join(','), st.Condition])).toEqual([
      [
        'dynamodb:PutItem,dynamodb:UpdateItem',
        { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['DIGEST#*'] } },
      ],
    ]);
  });

  it('sesEvents may only mark invitations, contacts and wave counters', () => {
    expect(reader.grantsOfRole(roleIdOf('sesEvents'))).toEqual(
      reader.grants([
        logsOf('sesEvents'),
        [tableArn('invitations'), ddb('GetItem', 'UpdateItem')],
        [tableArn('contacts'), ddb('GetItem', 'UpdateItem')],
        [tableArn('surveys'), ddb('UpdateItem')],
      ]),
    );
  });

  it('passes the scheduler role only to EventBridge Scheduler', () => {
    for (const name of ['api', 'send', 'remind', 'deliver'] as FunctionName[]) {
      const passRole = reader
        .statementsOfRole(roleIdOf(name))
        .filter((s) => list(s.Action).includes('iam:PassRole'));
      expect(passRole).toHaveLength(1);
      expect(passRole[0]?.Action).toBe('iam:PassRole');
      expect(passRole[0]?.Condition).toEqual({
        StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
      });
    }
  });

  it('grants no wildcard action anywhere, and "*" resources only for actions that have no resource type', () => {
    for (const policy of Object.values(reader.resources('AWS::IAM::Policy'))) {
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
    for (const role of Object.values(reader.resources('AWS::IAM::Role'))) {
      expect(props(role).ManagedPolicyArns).toBeUndefined();
    }
  });
});
