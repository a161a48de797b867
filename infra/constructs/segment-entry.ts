import { Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { secureQueue } from './event-routing.ts';
import { journeyStateMachinesArn } from './journey-arns.ts';
import { JourneysFunction } from './journeys-function.ts';
import type { LogSettings } from './log-settings.ts';
import { acknowledgeWildcardResource } from './nag.ts';
import { JOURNEYS_AT_RUN_TIME } from './permissions.ts';

/** Worker invocations at once: with ~25 starts/s each, segment entry stays well under StartExecution's 300/s refill. */
export const SEGMENT_WORKER_CONCURRENCY = 5;
/** Queue messages per worker invocation (each a Scan page or 25 enrollments). */
export const SEGMENT_BATCH_SIZE = 5;
const FUNCTION_TIMEOUT = Duration.seconds(60);

/** The schedule actions deploy-journey needs on the schedules of segment journeys. */
export const SCHEDULE_ACTIONS = [
  'scheduler:CreateSchedule',
  'scheduler:UpdateSchedule',
  'scheduler:DeleteSchedule',
] as const;

export interface SegmentEntryProps {
  readonly projectRoot: string;
  readonly entry: string;
  readonly depsLockFilePath: string;
  readonly logLevel: string;
  readonly logs: LogSettings;
  readonly profiles: ITable;
  readonly journeys: ITable;
  readonly stats: ITable;
  /** Re-entry records and enrollments, written when a run enrolls a customer. */
  readonly enrollments: ITable;
  /** The function that deploys journeys, and with them their schedules. */
  readonly deployer: JourneysFunction;
}

/**
 * Scheduled segment entry: a schedule group for the journeys' schedules, the
 * role Scheduler invokes segment-entry with, the segment queue (encrypted,
 * with a dead-letter queue) between the fan-out and the paced worker, and the
 * segment-entry function that is both.
 */
export class SegmentEntry extends Construct {
  readonly fn: JourneysFunction;
  readonly queue: Queue;
  readonly deadLetters: Queue;
  readonly scheduleGroup: CfnScheduleGroup;
  readonly schedulerRole: Role;

  constructor(scope: Construct, id: string, props: SegmentEntryProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.fn = new JourneysFunction(this, 'Function', {
      name: 'segment-entry',
      description: 'Segment journeys: scheduled fan-out, paced profile scans and enrollments',
      entry: props.entry,
      projectRoot: props.projectRoot,
      depsLockFilePath: props.depsLockFilePath,
      logLevel: props.logLevel,
      logs: props.logs,
      timeout: FUNCTION_TIMEOUT,
    });
    this.deadLetters = secureQueue(
      this,
      'DeadLetters',
      'This queue is itself the dead-letter queue of the segment queue; its messages are kept for inspection.',
    );
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Six times the function timeout, as Lambda recommends for an SQS event source.
      visibilityTimeout: Duration.seconds(FUNCTION_TIMEOUT.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: 5 },
    });
    this.scheduleGroup = new CfnScheduleGroup(this, 'Schedules', { name: `${stack.stackName}-journeys` });
    this.schedulerRole = new Role(this, 'SchedulerRole', {
      description: 'EventBridge Scheduler: start segment journey runs',
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
      }),
    });
    this.schedulerRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.fn.functionArn] }),
    );
    this.bindWorker(props);
    this.bindDeployer(props.deployer);
  }

  private bindWorker(props: SegmentEntryProps): void {
    const fn = this.fn;
    // The journeys table is written when an experiment ends on entry.
    fn.bindProfiles(props.profiles, 'readWrite').bindJourneysTable(props.journeys, 'readWrite');
    fn.bindStats(props.stats, 'readWrite');
    fn.bindEnrollments(props.enrollments, 'readWrite');
    this.queue.grantSendMessages(fn.role);
    fn.setEnv('SEGMENT_QUEUE_URL', this.queue.queueUrl);
    fn.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: SEGMENT_BATCH_SIZE,
        maxConcurrency: SEGMENT_WORKER_CONCURRENCY,
        reportBatchItemFailures: true,
      }),
    );
    const stateMachines = journeyStateMachinesArn(this);
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachines] }),
    );
    acknowledgeWildcardResource(fn.role, stateMachines, JOURNEYS_AT_RUN_TIME);
  }

  /** deploy-journey manages the `journey-*` schedules of the group and passes them the scheduler role. */
  private bindDeployer(deployer: JourneysFunction): void {
    const schedules = Stack.of(this).formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${this.scheduleGroup.ref}/journey-*`,
    });
    deployer.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: [...SCHEDULE_ACTIONS], resources: [schedules] }),
    );
    acknowledgeWildcardResource(
      deployer.role,
      schedules,
      'Journey schedules are created at run time by deploy-journey, so access is scoped to the journey- name prefix.',
    );
    deployer.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.schedulerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    deployer.setEnv('SEGMENT_ENTRY_FUNCTION_ARN', this.fn.functionArn);
    deployer.setEnv('SCHEDULER_ROLE_ARN', this.schedulerRole.roleArn);
    deployer.setEnv('SCHEDULE_GROUP_NAME', this.scheduleGroup.ref);
  }
}
