/**
 * The stateless half of npswave: the ten functions, what each may touch (exactly, action by
 * action), and what triggers them: the HTTP API, EventBridge Scheduler, the invitations stream and
 * the SES event rule. It receives the stateful half as props and changes none of it.
 */

import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { envNames } from '../shared/config.ts';
import { type FunctionName, routes } from '../shared/routes.ts';
import { systemSchedules } from '../shared/schedule/system.ts';
import type { DeployConfig } from './config.ts';
import { bindIndexes, bindTable, functionArnFor, NpsFunction } from './function.ts';
import { HttpEndpoint } from './http-api.ts';
import { Operations } from './operations.ts';
import { Schedules } from './scheduler.ts';
import type { Stateful } from './stateful.ts';

interface FunctionSpec {
  /** Folder under functions/. */
  dir: string;
  description: string;
  timeout: Duration;
  memorySize: number;
  /** Invoked asynchronously (Scheduler, Lambda Event): failed invocations go to the failures queue. */
  async?: boolean;
}

export const functionSpecs: Record<FunctionName, FunctionSpec> = {
  // HTTP API integrations time out at 30 s.
  api: {
    dir: 'api',
    description: 'admin API and dashboard',
    timeout: Duration.seconds(28),
    memorySize: 1024,
  },
  respond: {
    dir: 'respond',
    description: 'public response pages',
    timeout: Duration.seconds(10),
    memorySize: 512,
  },
  // send and remind pace themselves at the SES rate and hand over to a fresh invocation before
  // the timeout, so a wave of any size finishes without ever racing the clock.
  send: {
    dir: 'send',
    description: 'selects a wave audience and emails it',
    timeout: Duration.minutes(15),
    memorySize: 1024,
    async: true,
  },
  remind: {
    dir: 'remind',
    description: 'emails reminders to non-responders',
    timeout: Duration.minutes(15),
    memorySize: 1024,
    async: true,
  },
  expire: {
    dir: 'expire',
    description: 'closes a wave and expires its open invitations',
    timeout: Duration.minutes(5),
    memorySize: 512,
    async: true,
  },
  score: {
    dir: 'score',
    description: 'keeps score aggregates from the invitations stream',
    timeout: Duration.minutes(1),
    memorySize: 512,
  },
  sesEvents: {
    dir: 'ses-events',
    description: 'applies SES bounces, complaints and deliveries',
    timeout: Duration.seconds(30),
    memorySize: 256,
  },
  alerts: {
    dir: 'alerts',
    description: 'fires the alert rules of answers from the invitations stream',
    timeout: Duration.minutes(1),
    memorySize: 512,
  },
  // Webhook POSTs wait on other people's servers (each with its own short timeout); a batch of them
  // and the alert emails fit well inside two minutes.
  deliver: {
    dir: 'deliver',
    description: 'delivers webhooks and alert emails, and retries them',
    timeout: Duration.minutes(2),
    memorySize: 512,
    async: true,
  },
  digest: {
    dir: 'digest',
    description: 'emails survey owners their daily or weekly digest',
    timeout: Duration.minutes(5),
    memorySize: 1024,
    async: true,
  },
};

/** Physical function name: `<stack>-<folder>`, e.g. NpsWave-send. */
export const physicalFunctionName = (stackName: string, name: FunctionName): string =>
  `${stackName}-${functionSpecs[name].dir}`;

export interface StatelessProps {
  config: DeployConfig;
  data: Stateful;
  logRetention?: logs.RetentionDays;
}

export class Stateless extends Construct {
  readonly functions: Record<FunctionName, NpsFunction>;
  readonly http: HttpEndpoint;
  readonly schedules: Schedules;
  readonly operations: Operations;
  readonly sesEventsRule: events.Rule;

  constructor(scope: Construct, id: string, props: StatelessProps) {
    super(scope, id);
    const { config, data } = props;
    const { contacts, surveys, invitations, aggregates, system, alerts: alertsTable } = data.tables;
    const stackName = Stack.of(this).stackName;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    this.operations = new Operations(this, 'Operations', { adminEmail: config.adminEmail });
    const failures = this.operations.failures;

    // Every function gets a fixed name, so the ARNs of those invoked by ARN (Scheduler targets,
    // continuations) exist as plain strings before the functions do: no function's policy or
    // environment then refers to itself through the template, and no cycle can form.
    const names = Object.fromEntries(
      (Object.keys(functionSpecs) as FunctionName[]).map((n) => [n, physicalFunctionName(stackName, n)]),
    ) as Record<FunctionName, string>;
    const arnOf = (n: FunctionName): string => functionArnFor(this, names[n]);

    this.schedules = new Schedules(this, 'Schedules', {
      groupName: stackName,
      targetFunctionArns: [
        arnOf('send'),
        arnOf('remind'),
        arnOf('expire'),
        arnOf('deliver'),
        arnOf('digest'),
      ],
    });
    this.http = new HttpEndpoint(this, 'Http', { config, name: stackName, logRetention });

    const fns = {} as Record<FunctionName, NpsFunction>;
    for (const name of Object.keys(functionSpecs) as FunctionName[]) {
      const spec = functionSpecs[name];
      fns[name] = new NpsFunction(this, `${name.charAt(0).toUpperCase()}${name.slice(1)}Function`, {
        dir: spec.dir,
        functionName: names[name],
        description: spec.description,
        timeout: spec.timeout,
        memorySize: spec.memorySize,
        logRetention,
        ...(spec.async === true ? { onFailure: new destinations.SqsDestination(failures) } : {}),
      });
    }
    this.functions = fns;
    const { api, respond, send, remind, expire, score, sesEvents, alerts, deliver, digest } = fns;
    // ALERT lines: a stalled wave or reminder, an answer the alert rules could not judge, a hook a 410
    // disabled, alert emails the SES account will not send.
    this.operations.alarmOnStalls([send.logGroup, remind.logGroup, alerts.logGroup, deliver.logGroup]);

    // Environment, per function: only what it reads (see shared/config.ts).
    const pages = { [envNames.publicUrl]: this.http.url, [envNames.defaultLocale]: config.defaultLocale };
    const sender = {
      [envNames.fromAddress]: config.fromAddress,
      [envNames.sesConfigurationSet]: data.configurationSet.configurationSetName,
    };
    // Waves pace themselves at the SES rate, under the operator's cap when there is one.
    const mail = {
      ...sender,
      ...(config.maxSendRate !== undefined ? { [envNames.sesMaxSendRate]: String(config.maxSendRate) } : {}),
    };
    const scheduling = {
      [envNames.scheduleGroup]: this.schedules.groupName,
      [envNames.schedulerRoleArn]: this.schedules.role.roleArn,
      [envNames.sendFunctionArn]: arnOf('send'),
      [envNames.remindFunctionArn]: arnOf('remind'),
      [envNames.expireFunctionArn]: arnOf('expire'),
    };
    setEnvironment(api, {
      ...pages,
      ...scheduling,
      [envNames.hsts]: '1',
      [envNames.adminKeySecretArn]: data.adminKey.secretArn,
      [envNames.deliverFunctionArn]: arnOf('deliver'),
    });
    setEnvironment(respond, { ...pages, [envNames.hsts]: '1' });
    setEnvironment(send, { ...pages, ...mail, ...scheduling });
    // remind schedules itself again (a send-window opening, a retry after SES refused for now, a stall).
    setEnvironment(remind, {
      ...pages,
      ...mail,
      [envNames.scheduleGroup]: this.schedules.groupName,
      [envNames.schedulerRoleArn]: this.schedules.role.roleArn,
      [envNames.remindFunctionArn]: arnOf('remind'),
    });
    setEnvironment(expire, { [envNames.expireFunctionArn]: arnOf('expire') });
    // alerts names answers by their dashboard URL and hands deliveries to deliver.
    setEnvironment(alerts, {
      [envNames.publicUrl]: this.http.url,
      [envNames.deliverFunctionArn]: arnOf('deliver'),
    });
    // deliver schedules its own one-time retries, which invoke it again.
    setEnvironment(deliver, {
      ...pages,
      ...sender,
      [envNames.scheduleGroup]: this.schedules.groupName,
      [envNames.schedulerRoleArn]: this.schedules.role.roleArn,
      [envNames.deliverFunctionArn]: arnOf('deliver'),
    });
    // digest paces its emails at the account's SES rate, and goes on in a fresh invocation of itself.
    setEnvironment(digest, {
      ...pages,
      ...mail,
      [envNames.scheduleGroup]: this.schedules.groupName,
      [envNames.schedulerRoleArn]: this.schedules.role.roleArn,
      [envNames.digestFunctionArn]: arnOf('digest'),
    });

    // api: the admin API and the dashboard.
    bindTable(api, contacts, [
      'GetItem',
      'PutItem',
      'UpdateItem',
      'DeleteItem',
      'BatchWriteItem',
      'BatchGetItem',
      'Scan',
    ]);
    bindTable(api, surveys, ['GetItem', 'PutItem', 'UpdateItem', 'Query'], ['gsi1']);
    // answersBySurvey: the dashboard's comment feed, newest first.
    // BatchGetItem: the invitations byWaveKeys lists (a contact's timeline, erasure).
    bindTable(
      api,
      invitations,
      ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'Query'],
      ['byWaveKeys', 'answersBySurvey'],
    );
    bindTable(api, aggregates, ['GetItem', 'Query'], ['segmentsByResponses']);
    // BatchGetItem: a dashboard session and its admin key's record, read together.
    bindTable(api, system, ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'Query', 'DeleteItem']);
    // Follow-ups, webhook deliveries (redeliver, replay) and an erased contact's follow-ups.
    bindTable(
      api,
      alertsTable,
      ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'BatchWriteItem'],
      ['byStatus', 'byOwner'],
    );
    api.allow(['lambda:InvokeFunction'], [arnOf('send'), arnOf('deliver')]);
    this.schedules.grantManage(api, ['CreateSchedule', 'UpdateSchedule', 'DeleteSchedule', 'GetSchedule']);
    api.allow(['secretsmanager:GetSecretValue'], [data.adminKey.secretArn]);

    // respond: the public pages (answer, link survey, unsubscribe) and their rate limits. The page
    // reads the invitation and its survey in one BatchGetItem; unsubscribes and automated clicks
    // are counted on the wave item (an UpdateItem inside a transaction).
    bindTable(respond, invitations, ['GetItem', 'BatchGetItem', 'UpdateItem', 'PutItem']);
    // PutItem: a link survey's rolling wave is created on its first answer.
    bindTable(respond, surveys, ['GetItem', 'BatchGetItem', 'UpdateItem', 'PutItem']);
    bindTable(respond, contacts, ['GetItem', 'UpdateItem']);
    // The system table also holds admin keys and dashboard sessions: the public function may only
    // count rate-limit windows (RATE#…), so a flaw in it can never mint a key or a session.
    bindTable(respond, system, ['UpdateItem'], [], ['RATE#*']);

    // send: selects the audience, emails it at the SES rate, continues itself, schedules reminders
    // and expiry. It keeps a fixed-count sample's candidates in the system table (BatchWriteItem, Query) and
    // lists waves still sending under an ACTIVE marker it deletes when a wave is sent.
    // DescribeTable: the contacts' item count decides how many scan segments a selection is split into.
    bindTable(send, contacts, ['GetItem', 'Scan', 'UpdateItem', 'DescribeTable']);
    bindTable(send, surveys, ['GetItem', 'UpdateItem', 'PutItem', 'DeleteItem', 'Query'], ['gsi1']);
    // byWaveKeys lists a wave's invitations by key; BatchGetItem reads them.
    bindTable(
      send,
      invitations,
      ['GetItem', 'BatchGetItem', 'PutItem', 'BatchWriteItem', 'UpdateItem', 'Query'],
      ['byWaveKeys'],
    );
    bindTable(send, system, ['BatchWriteItem', 'Query']);
    // The account's one SES rate is a schedule item (SESRATE); a settled triggered invitation leaves
    // the outbox (TRIGGERED). Nothing else of the system table: never a key or a session.
    bindTable(send, system, ['UpdateItem'], [], ['SESRATE']);
    bindTable(send, system, ['DeleteItem'], [], ['TRIGGERED']);
    this.grantSendEmail(send, data);
    send.allow(['lambda:InvokeFunction'], [arnOf('send')]);
    // Only creates (window openings, triggered invitations' follow-ups, retries); the api deletes.
    this.schedules.grantManage(send, ['CreateSchedule']);
    // A crash can leave a wave half sent; every few minutes send looks for such waves and resumes
    // them (a lease keeps two invocations off the same wave).
    for (const schedule of systemSchedules) {
      this.schedules.addRecurring(schedule.name, {
        description: `npswave: ${schedule.name}`,
        expression: schedule.expression,
        targetArn: arnOf(schedule.target),
        input: schedule.input,
      });
    }

    // remind: emails non-responders of a wave, continues itself.
    bindTable(remind, contacts, ['GetItem']);
    bindTable(remind, surveys, ['GetItem', 'UpdateItem']);
    bindTable(remind, invitations, ['GetItem', 'BatchGetItem', 'UpdateItem', 'Query'], ['byWaveKeys']);
    bindTable(remind, system, ['UpdateItem'], [], ['SESRATE']);
    this.grantSendEmail(remind, data);
    remind.allow(['lambda:InvokeFunction'], [arnOf('remind')]);
    this.schedules.grantManage(remind, ['CreateSchedule']);

    // expire: closes a wave, continues itself.
    bindTable(expire, surveys, ['GetItem', 'UpdateItem', 'Query']);
    // GetItem: a triggered invitation expires on its own (expire {token}).
    bindTable(expire, invitations, ['GetItem', 'BatchGetItem', 'UpdateItem', 'Query'], ['byWaveKeys']);
    // A wave too large for one invocation goes on in a fresh one of this function.
    expire.allow(['lambda:InvokeFunction'], [arnOf('expire')]);
    // An expired triggered invitation leaves the outbox.
    bindTable(expire, system, ['DeleteItem'], [], ['TRIGGERED']);
    // Closing a wave still sending takes it off the sweeper's list (its ACTIVE marker).
    bindTable(expire, surveys, ['DeleteItem'], [], ['ACTIVE']);

    // score: reconciles each changed invitation into the aggregates in one transaction
    // (TransactWriteItems is authorised per item action: Update and ConditionCheck).
    bindTable(score, invitations, ['GetItem', 'BatchGetItem', 'UpdateItem', 'ConditionCheckItem']);
    // The waves' counts, folded from the stream (shared/wave/counts.ts): wave items only.
    bindTable(score, surveys, ['UpdateItem'], [], ['WAVE#*']);
    bindTable(score, aggregates, ['UpdateItem', 'ConditionCheckItem']);
    bindTable(score, contacts, ['UpdateItem', 'ConditionCheckItem']);
    // score also folds settled invitations into their waves' counts (shared/wave/counts.ts): the
    // records a settle marked `uncounted` reach it too.
    this.consumeAnswers(score, invitations, failures, lambda.StartingPosition.TRIM_HORIZON, true);

    // sesEvents: bounces, complaints, deliveries (it reads the contact before suppressing it).
    bindTable(sesEvents, invitations, ['GetItem', 'UpdateItem']);
    bindTable(sesEvents, contacts, ['GetItem', 'UpdateItem']);
    bindTable(sesEvents, surveys, ['UpdateItem']);
    this.sesEventsRule = new events.Rule(this, 'SesEventsRule', {
      description: 'npswave: SES events of our configuration set to the sesEvents function',
      eventPattern: {
        source: ['aws.ses'],
        detail: { mail: { tags: { 'ses:configuration-set': [data.configurationSet.configurationSetName] } } },
      },
      targets: [
        new targets.LambdaFunction(sesEvents.fn, {
          deadLetterQueue: failures,
          retryAttempts: 20,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });

    // alerts: fires each answer's matching rules once per answer version. It records the fired
    // version on the invitation and writes the answer reference, deliveries and follow-up in one
    // transaction (authorised per item action: Update on the invitation; Put, Update and
    // ConditionCheck on alert items), then hands the deliveries to deliver.
    bindTable(alerts, invitations, ['GetItem', 'UpdateItem']);
    bindTable(alerts, surveys, ['GetItem']);
    // The contact the alert names, whose properties may also pick a follow-up's assignee.
    bindTable(alerts, contacts, ['GetItem']);
    bindTable(alerts, alertsTable, ['GetItem', 'PutItem', 'UpdateItem', 'ConditionCheckItem']);
    alerts.allow(['lambda:InvokeFunction'], [arnOf('deliver')]);
    // From the deploy on: answers given before alerts existed fire nothing (shared/alert/fire.ts).
    this.consumeAnswers(alerts, invitations, failures, lambda.StartingPosition.LATEST);

    // deliver: POSTs webhooks (to the internet: no VPC) and emails alerts, records every attempt and
    // schedules its own one-time retries (the scheduler role invokes it; it never invokes itself).
    bindTable(
      deliver,
      alertsTable,
      ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query'],
      ['byStatus', 'byOwner'],
    );
    bindTable(deliver, surveys, ['GetItem']);
    this.grantSendEmail(deliver, data);
    this.schedules.grantManage(deliver, ['CreateSchedule']);

    // digest: reads each owned survey's report (surveys, waves, aggregates, the comment feed) and the
    // open follow-ups, and emails the owners. On the alerts table it writes only its sent markers
    // (DIGEST#<survey>), so a repeated run sends no digest twice and can touch nothing else.
    bindTable(digest, surveys, ['GetItem', 'Query'], ['gsi1']);
    bindTable(digest, aggregates, ['GetItem', 'Query'], ['segmentsByResponses']);
    bindIndexes(digest, invitations, ['Query'], ['answersBySurvey']);
    bindIndexes(digest, alertsTable, ['Query'], ['byStatus']);
    bindTable(digest, alertsTable, ['PutItem', 'UpdateItem'], [], ['DIGEST#*']);
    bindTable(digest, system, ['UpdateItem'], [], ['SESRATE']);
    digest.allow(['lambda:InvokeFunction'], [arnOf('digest')]);
    // Digests SES would not take for now are tried again by a one-time schedule.
    this.schedules.grantManage(digest, ['CreateSchedule']);
    this.grantSendEmail(digest, data);

    this.http.addRoutes(routes, { api: api.fn, respond: respond.fn });
  }

  /**
   * Feeds a function the invitations stream: only records that carry a response (and, with
   * `uncounted`, settles its wave has not counted yet; otherwise sends, reminders and expiries never wake it up; removals by erasure or TTL are left alone), in batches whose
   * failed records are retried alone, then kept in the failures queue. score and alerts are its two
   * readers: DynamoDB Streams throttles more than two readers of a shard, so a third must not be added.
   */
  private consumeAnswers(
    fn: NpsFunction,
    invitations: Stateful['tables']['invitations'],
    failures: sqs.IQueue,
    startingPosition: lambda.StartingPosition = lambda.StartingPosition.TRIM_HORIZON,
    uncounted = false,
  ): void {
    fn.fn.addEventSource(
      new DynamoEventSource(invitations.table, {
        startingPosition,
        batchSize: 100,
        bisectBatchOnError: true,
        retryAttempts: 10,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(failures),
        filters: [
          lambda.FilterCriteria.filter({
            dynamodb: { NewImage: { responseVersion: { N: lambda.FilterRule.exists() } } },
          }),
          // Filters are alternatives: a record passes if any one matches.
          ...(uncounted
            ? [
                lambda.FilterCriteria.filter({
                  dynamodb: { NewImage: { uncounted: { BOOL: lambda.FilterRule.exists() } } },
                }),
              ]
            : []),
        ],
      }),
    );
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'dynamodb:ListStreams, which the stream event source mapping needs, has no resource-level permissions; ' +
        'every other stream action is scoped to the invitations stream ARN.',
    });
  }

  /** ses:SendEmail through our identity and configuration set only, plus the account's send quota. */
  private grantSendEmail(fn: NpsFunction, data: Stateful): void {
    fn.allow(['ses:SendEmail'], [data.identity.emailIdentityArn, data.configurationSetArn]);
    fn.allow(['ses:GetAccount'], ['*']);
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ses:GetAccount (the send quota and MaxSendRate that pace sending) has no resource type; it is the only ' +
        'action granted on "*". ses:SendEmail is scoped to our identity and configuration set.',
    });
  }
}

function setEnvironment(fn: NpsFunction, env: Record<string, string>): void {
  for (const [name, value] of Object.entries(env)) fn.addEnvironment(name, value);
}
