/**
 * Where failures go so that nothing is dropped silently: one encrypted queue collects what ran out
 * of retries (score stream batches, SES events, asynchronous invocations of send/remind/expire), and
 * an alarm emails the operator as soon as anything lands there.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface OperationsProps {
  adminEmail: string;
}

export class Operations extends Construct {
  readonly failures: sqs.Queue;
  readonly alarms: sns.Topic;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    this.failures = new sqs.Queue(this, 'Failures', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.failures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter destination (Lambda on-failure destinations and the EventBridge ' +
        'target DLQ, which are not SQS redrive policies, so cdk-nag cannot see it); it has an alarm on depth.',
    });

    // Alarm notifications carry no survey data (alarm name, metric, threshold). The topic stays
    // unencrypted because CloudWatch alarms cannot publish to one under the AWS-managed SNS key.
    this.alarms = new sns.Topic(this, 'Alarms', {
      displayName: 'npswave alarms',
      enforceSSL: true,
    });
    this.alarms.addSubscription(new subscriptions.EmailSubscription(props.adminEmail));

    const alarm = new cloudwatch.Alarm(this, 'FailuresAlarm', {
      alarmDescription:
        'npswave: events or invocations failed after their retries and wait in the failures queue; inspect and redrive them.',
      metric: this.failures.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.alarms));
  }

  /**
   * A wave or reminder that cannot go on (the SES account cannot send) logs an `ALERT` line and
   * carries `stalled` on the wave; this turns those lines into a metric and emails the operator.
   */
  alarmOnStalls(logGroups: logs.LogGroup[]): void {
    const metric = new cloudwatch.Metric({
      namespace: 'npswave',
      metricName: 'SendingStalled',
      statistic: 'Sum',
      period: Duration.minutes(5),
    });
    logGroups.forEach((group, i) => {
      group.addMetricFilter(`StalledFilter${i}`, {
        filterPattern: { logPatternString: '"ALERT"' },
        metricNamespace: metric.namespace,
        metricName: metric.metricName,
        metricValue: '1',
      });
    });
    const alarm = new cloudwatch.Alarm(this, 'StalledAlarm', {
      alarmDescription:
        'npswave: sending is stalled (SES account paused, configuration set missing, GetAccount failing; ' +
        'GET /api/waves/{id} says why, and the wave goes on by itself once that is fixed), or alerts need ' +
        'a look (an answer the rules could not judge, a webhook a 410 disabled, alert emails SES refuses): ' +
        'the ALERT lines in the alerts and deliver logs say which.',
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.alarms));
  }
}
