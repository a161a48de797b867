import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  type Alarm,
  CfnAlarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS } from '#shared/metrics.ts';
import { ALARM_AT, OPEN_EXECUTION_LIMIT } from '#shared/segment/headroom.ts';
import { stackJourneyPrefix } from './journey-arns.ts';
import { metricsNamespace } from './journey-names.ts';
import { METRICS_NAMESPACE } from './journeys-function.ts';

/** Open executions in the account, as segment entry counts them (the series with no journey dimension). */
const OPEN_EXECUTIONS_QUERY = (ns: string) =>
  `SELECT MAX(${METRICS.openExecutions}) FROM SCHEMA("${ns}", service)`;

/** The custom metrics the dashboard reads, as the handlers publish them. */
const JOURNEY_METRICS = METRICS;

const PERIOD = Duration.minutes(5);

/**
 * Executions of this stack's journeys that ended with `outcome` (`failed`, `timedOut`), as its
 * execution-status function counts them (once per execution) in the stack's own namespace. Step
 * Functions' own ExecutionsFailed counts every state machine of the account and Region: another stack's
 * journeys, or anyone's, would fire this stack's alarm (alarms take no SEARCH over an ARN prefix).
 */
const ENDED_EXECUTIONS_QUERY = (ns: string, outcome: 'failed' | 'timedOut') =>
  `SELECT SUM(${METRICS.enrollmentsEnded}) FROM SCHEMA("${ns}", journey, outcome, service) WHERE outcome = '${outcome}'`;

/** Sends whose outcome is unknown, over every channel (Metrics Insights sums the channel dimension). */
const UNKNOWN_OUTCOMES_QUERY = (ns: string) =>
  `SELECT SUM(${METRICS.messagesUnknown}) FROM SCHEMA("${ns}", channel, service)`;

/** Reports of traits past the profile's cap that the rejected-events queue did not take (ingest logs them instead). */
/** Counts a retry could not settle (docs/counts.md): left out of a journey's results, never counted twice. */
const COUNTS_UNSETTLED_QUERY = (ns: string) =>
  `SELECT SUM(${METRICS.countsUnsettled}) FROM SCHEMA("${ns}", journey, service)`;
const LOST_TRAIT_REPORTS_QUERY = (ns: string) =>
  `SELECT SUM(${METRICS.droppedTraitReportsLost}) FROM SCHEMA("${ns}", reason, service)`;

/** Old state machine versions deploy-journey could not delete (Metrics Insights sums over the service dimension). */
const VERSION_PRUNE_FAILURES_QUERY = (ns: string) =>
  `SELECT SUM(${METRICS.versionPruneFailures}) FROM SCHEMA("${ns}", service)`;

export interface MonitoringProps {
  readonly deadLetters: IQueue;
  /** Segment work (a Scan page, a batch of enrollments) that failed every receive: customers not entered. */
  readonly segmentDeadLetters: IQueue;
  readonly rejectedEvents: IQueue;
  /** The public unsubscribe function: a request it throttles is an opt-out refused (HTTP 429). */
  readonly unsubscribe: IFunction;
  readonly alarmEmail?: string;
}

/** The operations dashboard, the alarms, and the encrypted topic the alarms notify. */
export class Monitoring extends Construct {
  readonly dashboard: Dashboard;
  readonly alarmTopic: Topic;
  readonly deadLetterAlarm: Alarm;
  readonly segmentDeadLetterAlarm: Alarm;
  readonly unsubscribeThrottlesAlarm: Alarm;
  readonly failedExecutionsAlarm: CfnAlarm;
  readonly timedOutExecutionsAlarm: CfnAlarm;
  readonly unknownOutcomesAlarm: CfnAlarm;
  readonly openExecutionsAlarm: CfnAlarm;
  readonly versionPruneFailuresAlarm: CfnAlarm;
  readonly lostTraitReportsAlarm: CfnAlarm;
  readonly countsUnsettledAlarm: CfnAlarm;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const namespace = metricsNamespace(Stack.of(this).stackName);
    // Deleted with the stack whatever retainData says: it encrypts only the topic, which goes with the
    // stack, so nothing kept needs it (KMS waits 30 days before the key is gone).
    const key = new Key(this, 'AlarmTopicKey', {
      enableKeyRotation: true,
      description: 'Journeys alarm topic',
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // CloudWatch alarms publish to an encrypted topic only when they may use its key.
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.alarmTopic = new Topic(this, 'AlarmTopic', { masterKey: key, enforceSSL: true });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));

    this.deadLetterAlarm = props.deadLetters
      .metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' })
      .createAlarm(this, 'DeadLettersAlarm', {
        alarmDescription:
          'Events or segment runs that EventBridge or Scheduler could not deliver to a function, or that a function failed on through its retries, are waiting in the dead-letter queue (docs/deploy.md, Replaying dead-lettered events).',
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    this.deadLetterAlarm.addAlarmAction(new SnsAction(this.alarmTopic));
    this.segmentDeadLetterAlarm = props.segmentDeadLetters
      .metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' })
      .createAlarm(this, 'SegmentDeadLettersAlarm', {
        alarmDescription:
          'Segment entry failed on a Scan page or a batch of enrollments at every attempt: those customers were not entered. Fix the cause (segment-entry log, "segment work failed"), then move the messages back to the segment queue (docs/deploy.md, Replaying dead-lettered events).',
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    this.segmentDeadLetterAlarm.addAlarmAction(new SnsAction(this.alarmTopic));
    // Lambda answers a throttled function URL request with 429: nobody else would hear of it.
    this.unsubscribeThrottlesAlarm = props.unsubscribe
      .metricThrottles({ period: PERIOD, statistic: 'Sum' })
      .createAlarm(this, 'UnsubscribeThrottlesAlarm', {
        alarmDescription:
          'The public unsubscribe function refused requests (HTTP 429): customers or mailbox providers asked to opt out and were turned away. Raise unsubscribeReservedConcurrency above the peak of clicks after a large send, or the account concurrency if no reservation is set (docs/deploy.md, context values).',
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    this.unsubscribeThrottlesAlarm.addAlarmAction(new SnsAction(this.alarmTopic));
    // Metrics Insights queries follow the journey state machines deploy-journey creates at run time.
    this.failedExecutionsAlarm = this.queryAlarm('FailedExecutionsAlarm', {
      description:
        'Journey executions failed: a bug, a missing permission or a provider outage outlasting the retries.',
      id: 'failed',
      query: ENDED_EXECUTIONS_QUERY(namespace, 'failed'),
    });

    // A journey's executions time out only at the one-year limit of Standard workflows: a wait that never ended.
    this.timedOutExecutionsAlarm = this.queryAlarm('TimedOutExecutionsAlarm', {
      description:
        'Journey executions timed out: a wait outlasted the one-year limit of Standard workflows, and the enrollment ended without its remaining steps.',
      id: 'timedOut',
      query: ENDED_EXECUTIONS_QUERY(namespace, 'timedOut'),
    });

    // A message that may or may not have gone out is never resent by default: someone should look.
    this.unknownOutcomesAlarm = this.queryAlarm('UnknownOutcomesAlarm', {
      description:
        'Messages whose provider answered with a 5xx or not at all after the request was sent, or whose outcome could not be written to the deliveries table: each may or may not have reached the customer and is not resent (deliveries table, status "unknown"; what to do: docs/deploy.md, Delivery guarantees).',
      id: 'unknown',
      query: UNKNOWN_OUTCOMES_QUERY(namespace),
    });

    // Segment entry pauses at 90% of the limit; this warns at 80%, while there is time to act.
    this.openExecutionsAlarm = this.queryAlarm('OpenExecutionsAlarm', {
      description: `Open Standard executions are above ${ALARM_AT * 100}% of the account's limit of ${OPEN_EXECUTION_LIMIT} per Region: segment entry pauses at 90%, and at the limit every journey's StartExecution fails. Shorten long waits, archive finished journeys, or spread segment runs (README, Scaling).`,
      id: 'open',
      query: OPEN_EXECUTIONS_QUERY(namespace),
      threshold: ALARM_AT * OPEN_EXECUTION_LIMIT,
    });

    // A failed prune is retried by the next deploy; left failing, a journey reaches the version limit.
    this.versionPruneFailuresAlarm = this.queryAlarm('VersionPruneFailuresAlarm', {
      description:
        "deploy-journey could not delete a journey's old state machine versions (see its log, 'state machine versions not pruned'). Deploys still succeed, but a state machine holds at most 1,000 versions: once a journey reaches it, publishing its next version fails until old ones are deleted.",
      id: 'pruneFailures',
      query: VERSION_PRUNE_FAILURES_QUERY(namespace),
    });

    // The traits were dropped and logged; only the report in the rejected-events queue is missing.
    this.lostTraitReportsAlarm = this.queryAlarm('LostTraitReportsAlarm', {
      description:
        "Ingest dropped traits past the profile's cap and could not put the report in the rejected-events queue: the traits and reasons are in ingest's log ('traits left out of the profile not kept in the rejected queue').",
      id: 'lostReports',
      query: LOST_TRAIT_REPORTS_QUERY(namespace),
    });

    // The count is missing from the results, and said so in the log; nothing was counted twice.
    this.countsUnsettledAlarm = this.queryAlarm('CountsUnsettledAlarm', {
      description:
        "A journey's results may miss an entry, conversion, ending or delivery outcome: a retry found the count pending and could not tell whether its first write landed, so it left it out rather than count it twice. The journey, counter set and count id are in the function's log ('a pending count may be missing from the results'); see docs/counts.md.",
      id: 'unsettled',
      query: COUNTS_UNSETTLED_QUERY(namespace),
    });

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${Stack.of(this).stackName}-journeys`,
      defaultInterval: Duration.hours(6),
    });
    this.dashboard.addWidgets(...this.widgets(props));
  }

  /** An alarm on a Metrics Insights query over five minutes, at `threshold` (default 1), notifying the topic. */
  private queryAlarm(
    name: string,
    alarm: { description: string; id: string; query: string; threshold?: number },
  ): CfnAlarm {
    return new CfnAlarm(this, name, {
      alarmDescription: alarm.description,
      metrics: [{ id: alarm.id, expression: alarm.query, period: PERIOD.toSeconds(), returnData: true }],
      threshold: alarm.threshold ?? 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmActions: [this.alarmTopic.topicArn],
    });
  }

  private widgets(props: MonitoringProps): GraphWidget[] {
    // A namespace with a dash is quoted in a SEARCH schema; `Journeys` stays as every earlier release wrote it.
    const ns = metricsNamespace(Stack.of(this).stackName);
    const schema = ns === METRICS_NAMESPACE ? ns : `"${ns}"`;
    // Every function publishes with its `service` dimension, and entries come from several
    // (ingest, segment entry, execution-status): one line, their sum.
    const custom = (metricName: string, label: string) =>
      new MathExpression({
        expression: `SUM(SEARCH('{${schema},service} MetricName="${metricName}"', 'Sum', ${PERIOD.toSeconds()}))`,
        label,
        period: PERIOD,
      });
    const byChannel = (metricName: string, label: string) =>
      new MathExpression({
        expression: `SEARCH('{${schema},channel,service} MetricName="${metricName}"', 'Sum', ${PERIOD.toSeconds()})`,
        label,
        period: PERIOD,
      });
    const states = (metricName: string) =>
      new MathExpression({
        expression: `SEARCH('{AWS/States,StateMachineArn} MetricName="${metricName}" ${stackJourneyPrefix(this)}', 'Sum', ${PERIOD.toSeconds()})`,
        label: metricName,
        period: PERIOD,
      });
    // One line per journey: journeys are deployed at run time, so the widgets search rather than list them.
    const byJourney = (metricName: string, dimensions: string, label: string, statistic = 'Sum') =>
      new MathExpression({
        expression: `SEARCH('{${schema},${dimensions},service} MetricName="${metricName}"', '${statistic}', ${PERIOD.toSeconds()})`,
        label,
        period: PERIOD,
      });
    const wide = { width: 12, height: 6 };
    return [
      new GraphWidget({
        ...wide,
        title: 'Customer events',
        left: [
          custom(JOURNEY_METRICS.eventsIngested, 'ingested'),
          custom(JOURNEY_METRICS.eventRejections, 'rejections'),
        ],
      }),
      new GraphWidget({
        ...wide,
        title: 'Enrollments',
        left: [custom(JOURNEY_METRICS.enrollments, 'enrollments')],
      }),
      new GraphWidget({
        ...wide,
        title: 'Messages by channel and outcome',
        left: [
          byChannel(JOURNEY_METRICS.messagesSent, 'sent'),
          byChannel(JOURNEY_METRICS.messagesSuppressed, 'suppressed'),
          byChannel(JOURNEY_METRICS.messagesFailed, 'failed'),
          byChannel(JOURNEY_METRICS.messagesUnknown, 'outcome unknown'),
        ],
      }),
      new GraphWidget({
        ...wide,
        title: 'Deferrals (quiet hours, caps)',
        left: [byChannel(JOURNEY_METRICS.messagesDeferred, 'deferred')],
      }),
      new GraphWidget({
        ...wide,
        title: 'Conversions and revenue per journey',
        left: [byJourney(JOURNEY_METRICS.conversions, 'journey', 'conversions')],
        right: [byJourney(JOURNEY_METRICS.revenue, 'journey', 'revenue')],
      }),
      new GraphWidget({
        ...wide,
        title: 'How enrollments ended, per journey',
        left: [byJourney(JOURNEY_METRICS.enrollmentsEnded, 'journey,outcome', 'ended')],
      }),
      new GraphWidget({
        ...wide,
        title: 'Journey executions',
        left: [states('ExecutionsStarted'), states('ExecutionsSucceeded')],
        right: [states('ExecutionsFailed'), states('ExecutionsTimedOut')],
      }),
      new GraphWidget({
        ...wide,
        title: 'Queues',
        left: [
          props.deadLetters.metricApproximateNumberOfMessagesVisible({
            label: 'dead letters',
            period: PERIOD,
          }),
          props.rejectedEvents.metricApproximateNumberOfMessagesVisible({
            label: 'rejected events',
            period: PERIOD,
          }),
          props.segmentDeadLetters.metricApproximateNumberOfMessagesVisible({
            label: 'segment dead letters',
            period: PERIOD,
          }),
        ],
      }),
    ];
  }
}
