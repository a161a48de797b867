import { Duration, Stack } from 'aws-cdk-lib';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { timeoutSecondsOf } from '#functions/_lib/manifest.ts';
import { manifest as segmentEntryManifest } from '#functions/segment-entry/manifest.ts';
import { DEFAULT_SEGMENT_WORKERS } from '#shared/segment/pace.ts';
import { ENROLL_BATCH, type HeadroomCheck } from '#shared/segment/work.ts';
import { ASYNC_RETRY, secureQueue } from './event-routing.ts';
import { JourneysFunction, type JourneysFunctionProps } from './journeys-function.ts';

/** Worker invocations at once: each paces its share of the start rate (rate ÷ workers). */
export const SEGMENT_WORKER_CONCURRENCY = DEFAULT_SEGMENT_WORKERS;
/** Queue messages per worker invocation (each a Scan page or a batch of enrollments: ~9 s at 28/s). */
export const SEGMENT_BATCH_SIZE = 2;
/** The queue's visibility timeout in function timeouts, as Lambda recommends for an SQS event source. */
export const SEGMENT_VISIBILITY_TIMEOUTS = 6;
/** Receives of one message before it goes to the dead-letter queue. */
export const SEGMENT_MAX_RECEIVES = 5;
/**
 * The lowest `segmentStartRate` a worker keeps up with: one receive
 * (SEGMENT_BATCH_SIZE batches of ENROLL_BATCH customers) paced at its share
 * of the rate must end within half the function's timeout. Below it every
 * receive times out midway, is received again, and after SEGMENT_MAX_RECEIVES
 * lands in the segment dead-letter queue: its customers are never entered.
 */
export function minimumStartRate(timeoutSeconds: number = timeoutSecondsOf(segmentEntryManifest)): number {
  const startsPerReceive = SEGMENT_BATCH_SIZE * ENROLL_BATCH;
  return Math.ceil((startsPerReceive * SEGMENT_WORKER_CONCURRENCY) / (timeoutSeconds / 2));
}

/** How often the open executions are published: the open-executions alarm's period. */
export const HEADROOM_CHECK_EVERY = Duration.minutes(5);

/**
 * Scheduled segment entry: the segment-entry function (built from its
 * manifest, which also binds its tables and the queue), a schedule group for
 * the journeys' schedules, the role Scheduler invokes segment-entry with, and
 * the segment queue (encrypted, with a dead-letter queue) between the fan-out
 * and the paced worker, which is the same function. A scheduled run that
 * fails at every attempt — Scheduler could not invoke the function, or the
 * function failed on it through Lambda's retries — lands in `failedRuns`
 * (the stack's alarmed dead-letter queue) instead of being dropped. A rule
 * invokes the function every five minutes to publish the open executions, so
 * that their alarm has data whether or not a segment run is at work.
 */
export class SegmentEntry extends Construct {
  readonly fn: JourneysFunction;
  readonly queue: Queue;
  readonly deadLetters: Queue;
  readonly scheduleGroup: CfnScheduleGroup;
  readonly schedulerRole: Role;

  constructor(
    scope: Construct,
    id: string,
    props: { readonly function: JourneysFunctionProps; readonly failedRuns: IQueue },
  ) {
    super(scope, id);
    const stack = Stack.of(this);
    this.fn = new JourneysFunction(this, 'Function', props.function);
    this.deadLetters = secureQueue(
      this,
      'DeadLetters',
      'This queue is itself the dead-letter queue of the segment queue; its messages are kept for inspection.',
    );
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(this.fn.timeout.toSeconds() * SEGMENT_VISIBILITY_TIMEOUTS),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: SEGMENT_MAX_RECEIVES },
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
    // Scheduler invokes asynchronously: Lambda retries a failed run, then hands it to the queue.
    this.fn.function.configureAsyncInvoke({
      ...ASYNC_RETRY,
      onFailure: new SqsDestination(props.failedRuns),
    });
    // A run Scheduler could not invoke the function with, after its own retries, is sent under this role.
    this.schedulerRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [props.failedRuns.queueArn] }),
    );
    const check: HeadroomCheck = { kind: 'headroom' };
    new Rule(this, 'HeadroomCheck', {
      description: 'Publish the open journey executions for their alarm',
      schedule: Schedule.rate(HEADROOM_CHECK_EVERY),
      // A missed check is replaced by the next one five minutes later: no retries, no dead letter.
      targets: [
        new LambdaFunction(this.fn.function, {
          event: RuleTargetInput.fromObject(check),
          retryAttempts: 0,
          maxEventAge: Duration.minutes(5),
        }),
      ],
    });
    this.fn.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: SEGMENT_BATCH_SIZE,
        maxConcurrency: SEGMENT_WORKER_CONCURRENCY,
        reportBatchItemFailures: true,
      }),
    );
  }
}
