/**
 * EventBridge Scheduler: one schedule group for every schedule npswave creates at run time
 * (recurring waves, one-time reminders, expiries and delivery retries; the stack's own sweepers and
 * digests), and the role those schedules assume, which may invoke the send, remind, expire, deliver
 * and digest functions and nothing else.
 */
import { ArnFormat, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import type { NpsFunction } from './function.ts';

export interface SchedulesProps {
  /** Schedule group name; the stack's name, so two deployments never share schedules. */
  groupName: string;
  /** ARNs of the only functions a schedule may target. */
  targetFunctionArns: string[];
}

export interface RecurringProps {
  description: string;
  /** `rate(...)` or `cron(...)`. */
  expression: string;
  targetArn: string;
  input: unknown;
}

export class Schedules extends Construct {
  readonly group: scheduler.ScheduleGroup;
  readonly groupName: string;
  readonly role: iam.Role;
  /** Matches every schedule in our group (names are made at run time, one per wave event). */
  readonly scheduleArnPattern: string;

  constructor(scope: Construct, id: string, props: SchedulesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.groupName = props.groupName;
    this.group = new scheduler.ScheduleGroup(this, 'Group', {
      scheduleGroupName: props.groupName,
      // Schedules target this stack's functions; without the stack they have nothing to call.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.scheduleArnPattern = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${props.groupName}/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });

    this.role = new iam.Role(this, 'Role', {
      description:
        'npswave: assumed by EventBridge Scheduler to start waves, reminders, expiries, deliveries and digests',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: props.targetFunctionArns }),
    );
  }

  /** A recurring schedule in our group, run by our role (the target must be one the role may invoke). */
  addRecurring(id: string, props: RecurringProps): scheduler.CfnSchedule {
    const schedule = new scheduler.CfnSchedule(this, id, {
      groupName: this.group.scheduleGroupName,
      description: props.description,
      scheduleExpression: props.expression,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: props.targetArn,
        roleArn: this.role.roleArn,
        input: JSON.stringify(props.input),
        retryPolicy: { maximumRetryAttempts: 0 },
      },
    });
    // The group's name is a plain string here, so CloudFormation needs the order spelled out.
    schedule.node.addDependency(this.group);
    return schedule;
  }

  /** Lets a function manage schedules in our group and hand them our role, and tells it both. */
  grantManage(fn: NpsFunction, actions: readonly string[]): void {
    fn.allow(
      actions.map((a) => `scheduler:${a}`),
      [this.scheduleArnPattern],
    );
    fn.allow(['iam:PassRole'], [this.role.roleArn], {
      StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
    });
    Validations.of(fn).acknowledge({
      // cdk-nag renders the pseudo parameters of the ARN this way.
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${this.groupName}/*]`,
      reason:
        'Schedule names are made at run time (one per recurring survey, wave reminder, expiry and delivery ' +
        'retry); the wildcard ' +
        'covers only schedules inside our own schedule group.',
    });
  }
}
