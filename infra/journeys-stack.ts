import { join } from 'node:path';
import { CfnOutput, type CfnResource, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { type FunctionName, MANIFESTS, manifestOf } from '#functions/manifests.ts';
import { CUSTOMER_EVENT_SOURCE } from '#shared/events.ts';
import { hex128 } from '#shared/hash.ts';
import { bindManifest } from './constructs/bindings.ts';
import { DataTables } from './constructs/data-tables.ts';
import { EventRouting, secureQueue } from './constructs/event-routing.ts';
import { JOURNEY_PREFIX_CONTEXT, stackJourneyPrefix } from './constructs/journey-arns.ts';
import { JourneyExecutionRole } from './constructs/journey-execution-role.ts';
import {
  DEFAULT_STACK_NAME,
  defaultEventBusName,
  JOURNEY_STATE_MACHINE_PREFIX,
} from './constructs/journey-names.ts';
import { JourneysBucket } from './constructs/journeys-bucket.ts';
import { JourneysFunction, type JourneysFunctionProps } from './constructs/journeys-function.ts';
import { logSettings } from './constructs/log-settings.ts';
import { Messaging } from './constructs/messaging.ts';
import { Monitoring } from './constructs/monitoring.ts';
import { SEGMENT_WORKER_CONCURRENCY, SegmentEntry } from './constructs/segment-entry.ts';
import type { StackSettings } from './constructs/settings.ts';
import { UnsubscribeEndpoint } from './constructs/unsubscribe-endpoint.ts';
import { WebhookConnections } from './constructs/webhook-connections.ts';
import {
  cdpEventsPattern,
  customerEventsPattern,
  eventSourceBus,
  executionStatusPattern,
  journeyObjectPattern,
  sesDeliveryPattern,
  smsDeliveryPattern,
} from './routes.ts';

/** The project root: functions/, journeys/ and package-lock.json live there. */
export const PROJECT_ROOT = join(import.meta.dirname, '..');

export type { FunctionName } from '#functions/manifests.ts';

export interface JourneysStackProps extends StackProps {
  readonly settings: StackSettings;
  /** Where the sources live (functions/, journeys/); the repository by default. */
  readonly projectRoot?: string;
}

/** Journeys on AWS: customer events in, journeys as state machines, messages out. */
export class JourneysStack extends Stack {
  /** Every function of functions/, built from its manifest. */
  readonly functions: Readonly<Record<FunctionName, JourneysFunction>>;
  readonly tables: DataTables;
  readonly routing: EventRouting;
  readonly journeys: JourneysBucket;
  readonly rejectedEvents: Queue;
  readonly messaging: Messaging;
  readonly journeyExecution: JourneyExecutionRole;
  readonly monitoring: Monitoring;
  readonly segmentEntry: SegmentEntry;
  readonly unsubscribe: UnsubscribeEndpoint;
  readonly webhookConnections: WebhookConnections;

  constructor(scope: Construct, id: string, props: JourneysStackProps) {
    super(scope, id, props);
    checkStackName(this.stackName);
    const { settings } = props;
    // Set before any construct: the grants, rules and deploy-journey read it (journey-arns.ts).
    if (settings.journeyNamePrefix !== undefined)
      this.node.setContext(JOURNEY_PREFIX_CONTEXT, settings.journeyNamePrefix);
    const root = props.projectRoot ?? PROJECT_ROOT;
    // On every resource that takes tags, the stack itself and the journey state machines created at run time.
    for (const [key, value] of settings.tags) Tags.of(this).add(key, value);
    const logs = logSettings(this, {
      retentionDays: settings.logRetentionDays,
      retain: settings.retainData,
      encrypt: settings.encryptLogs,
    });
    const functionProps = (name: FunctionName): JourneysFunctionProps => ({
      manifest: manifestOf(name),
      projectRoot: root,
      logLevel: settings.logLevel,
      logs,
    });
    this.tables = new DataTables(this, 'Tables', { retainData: settings.retainData });
    this.routing = new EventRouting(this, 'Routing', {
      eventBusName: settings.eventBusName ?? defaultEventBusName(this.stackName),
    });
    this.journeys = new JourneysBucket(this, 'Journeys', {
      sourceFolder: join(root, 'journeys'),
      uploadExamples: settings.exampleJourneys,
      retainData: settings.retainData,
      logs,
    });
    this.rejectedEvents = secureQueue(
      this,
      'RejectedEvents',
      'Invalid customer events are kept here for people to inspect; nothing consumes them automatically.',
    );
    this.messaging = new Messaging(this, 'Messaging', {
      defaultBus: this.routing.defaultBus,
      configurationSetName: settings.sesConfigurationSet,
      pinpointApplicationId: settings.pinpointApplicationId,
    });
    // These two functions come with resources only they use, built in their own constructs.
    this.unsubscribe = new UnsubscribeEndpoint(this, 'Unsubscribe', {
      function: functionProps('unsubscribe'),
      signingSecret: settings.unsubscribeSigningSecret,
      reservedConcurrency: settings.unsubscribeReservedConcurrency,
      retainData: settings.retainData,
    });
    this.segmentEntry = new SegmentEntry(this, 'SegmentEntry', {
      function: functionProps('segment-entry'),
      failedRuns: this.routing.deadLetters,
    });
    const inConstructs = new Map<FunctionName, JourneysFunction>([
      ['unsubscribe', this.unsubscribe.fn],
      ['segment-entry', this.segmentEntry.fn],
    ]);
    this.functions = byName(
      (name) => inConstructs.get(name) ?? new JourneysFunction(this, pascal(name), functionProps(name)),
    );
    const taskFunctions = MANIFESTS.flatMap((m) =>
      m.task === undefined ? [] : [{ ...m.task, name: m.name }],
    );
    this.journeyExecution = new JourneyExecutionRole(this, 'JourneyExecution', {
      taskFunctions: taskFunctions.map((task) => this.functions[task.name].function),
      profiles: this.tables.profiles,
      bus: this.routing.customerBus,
      logs,
    });
    this.webhookConnections = new WebhookConnections(this, 'WebhookConnections', {
      connections: settings.webhookConnections,
      role: this.journeyExecution.role,
    });
    const targets = {
      tables: this.tables,
      journeysBucket: this.journeys.bucket,
      customerBus: this.routing.customerBus,
      rejectedQueue: this.rejectedEvents,
      segmentQueue: this.segmentEntry.queue,
      email: {
        configurationSetName: this.messaging.configurationSet.configurationSetName,
        identityName: settings.senderIdentity,
        senderEmail: settings.senderEmail,
      },
      pinpointApplicationId: this.messaging.pinpointApplicationId,
      // Links go to the stack's own endpoint unless a front end of yours forwards to it.
      unsubscribeBaseUrl: settings.unsubscribeBaseUrl ?? this.unsubscribe.url,
      signingKey: this.unsubscribe.signingKey,
      journeyDeployment: {
        role: this.journeyExecution.role,
        logGroupArn: this.journeyExecution.logGroup.logGroupArn,
        profilesTableName: this.tables.profiles.tableName,
        eventBusName: this.routing.customerBus.eventBusName,
        taskFunctionArns: new Map(
          taskFunctions.map((task) => [task.arnVariable, this.functions[task.name].functionArn]),
        ),
        webhookConnections: this.webhookConnections.connections,
        versionsKept: settings.stateMachineVersionsKept,
        tags: settings.tags,
      },
      schedules: {
        groupName: this.segmentEntry.scheduleGroup.ref,
        schedulerRole: this.segmentEntry.schedulerRole,
        targetArn: this.segmentEntry.fn.functionArn,
        deadLetterArn: this.routing.deadLetters.queueArn,
      },
      segmentPacing: { startRate: settings.segmentStartRate, workers: SEGMENT_WORKER_CONCURRENCY },
      aliasTrustedSources: settings.aliasTrustedSources,
    };
    for (const fn of Object.values(this.functions)) bindManifest(fn, targets);
    this.signAfterVerifying();
    this.routeEvents(settings.eventSources);
    this.monitoring = new Monitoring(this, 'Monitoring', {
      deadLetters: this.routing.deadLetters,
      segmentDeadLetters: this.segmentEntry.deadLetters,
      rejectedEvents: this.rejectedEvents,
      unsubscribe: this.unsubscribe.fn.function,
      alarmEmail: settings.alarmEmail,
    });
    this.addOutputs();
  }

  /**
   * Every function that signs unsubscribe links is updated after the endpoint
   * that verifies them: a new token format is accepted before any email
   * carries it (a front end of yours leaves no reference to order by).
   */
  private signAfterVerifying(): void {
    const verifier = this.unsubscribe.fn.function.node.defaultChild as CfnResource;
    for (const manifest of MANIFESTS) {
      if (manifest.bindings.unsubscribeLinks === undefined || manifest.name === 'unsubscribe') continue;
      (this.functions[manifest.name].function.node.defaultChild as CfnResource).addResourceDependency(
        verifier,
      );
    }
  }

  /** The rules of `routes.ts`: customer events on our bus, AWS service events on the default bus. */
  private routeEvents(eventSources: readonly string[]): void {
    const { routing, functions: fns } = this;
    const configurationSet = this.messaging.configurationSet.configurationSetName;
    for (const source of new Set(eventSources)) this.routeCustomerEvents(source);
    routing.route(
      'EmailFeedback',
      routing.defaultBus,
      sesDeliveryPattern(configurationSet),
      fns['delivery-feedback'].function,
      'SES sending events of the journeys configuration set',
    );
    routing.route(
      'SmsFeedback',
      routing.defaultBus,
      smsDeliveryPattern(configurationSet),
      fns['delivery-feedback'].function,
      'SMS delivery receipts',
    );
    routing.route(
      'ExecutionStatus',
      routing.defaultBus,
      executionStatusPattern(stackJourneyPrefix(this)),
      fns['execution-status'].function,
      'Journey executions that ended (Step Functions status changes)',
    );
    const deployRule = routing.route(
      'DeployJourneys',
      routing.defaultBus,
      journeyObjectPattern(this.journeys.bucket.bucketName),
      fns['deploy-journey'].function,
      'Journey definitions and templates changed in S3',
    );
    // The example journeys are uploaded once deploy-journey listens, so they go live on the first deploy.
    this.journeys.uploadAfter(deployRule, fns['deploy-journey'].function);
  }

  /** One source of customer events → ingest: the apps' own on our bus, a CDP on its bus. */
  private routeCustomerEvents(source: string): void {
    const { routing, functions: fns } = this;
    if (source === CUSTOMER_EVENT_SOURCE) {
      routing.route(
        'IngestCustomerEvents',
        routing.customerBus,
        customerEventsPattern,
        fns.ingest.function,
        'Customer events to ingest',
      );
      return;
    }
    // A stable construct id per source, whatever its characters and position in the list.
    const id = hex128(source).slice(0, 10);
    const bus =
      eventSourceBus(source) === 'partner'
        ? routing.partnerBus(`PartnerBus${id}`, source)
        : routing.customerBus;
    routing.route(
      `IngestSource${id}`,
      bus,
      cdpEventsPattern(source),
      fns.ingest.function,
      `Customer events from ${source}`.slice(0, 512),
    );
  }

  private addOutputs(): void {
    const { routing, tables, messaging, journeyExecution, monitoring } = this;
    const outputs: Record<string, string> = {
      EventBusName: routing.customerBus.eventBusName,
      EventBusArn: routing.customerBus.eventBusArn,
      JourneysBucketName: this.journeys.bucket.bucketName,
      ProfilesTableName: tables.profiles.tableName,
      JourneysTableName: tables.journeys.tableName,
      DeliveriesTableName: tables.deliveries.tableName,
      StatsTableName: tables.stats.tableName,
      EnrollmentsTableName: tables.enrollments.tableName,
      RejectedEventsQueueUrl: this.rejectedEvents.queueUrl,
      DeadLetterQueueUrl: routing.deadLetters.queueUrl,
      SegmentDeadLetterQueueArn: this.segmentEntry.deadLetters.queueArn,
      SesConfigurationSet: messaging.configurationSet.configurationSetName,
      PinpointApplicationId: messaging.pinpointApplicationId,
      JourneyRoleArn: journeyExecution.role.roleArn,
      JourneyLogGroupName: journeyExecution.logGroup.logGroupName,
      AlarmTopicArn: monitoring.alarmTopic.topicArn,
      UnsubscribeUrl: this.unsubscribe.url,
      UnsubscribeSigningKeyArn:
        this.unsubscribe.signingKey.secretFullArn ?? this.unsubscribe.signingKey.secretArn,
      DashboardUrl: `https://console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards:name=${monitoring.dashboard.dashboardName}`,
    };
    for (const [name, fn] of Object.entries(this.functions)) {
      outputs[`${pascal(name)}LogGroupName`] = fn.logGroup.logGroupName;
    }
    for (const [name, value] of Object.entries(outputs)) new CfnOutput(this, name, { value });
  }
}

/**
 * The stack's name also names its configuration set, schedule group and
 * dashboard (`<stackName>-journeys`, 64 characters at most for SES and
 * Scheduler) and prefixes its journey state machines: a name too long for
 * them would deploy half a stack, or fail every journey's deploy.
 */
export const MAX_STACK_NAME = 64 - '-journeys'.length;

function checkStackName(stackName: string): void {
  if (stackName.length > MAX_STACK_NAME)
    throw new Error(
      `Invalid context values:\n  -c stackName: must be at most ${MAX_STACK_NAME} characters (it names the SES configuration set and the schedule group, <stackName>-journeys, which allow 64)`,
    );
  if (stackName !== DEFAULT_STACK_NAME && stackName.startsWith(JOURNEY_STATE_MACHINE_PREFIX))
    throw new Error(
      `Invalid context values:\n  -c stackName: must not start with ${JOURNEY_STATE_MACHINE_PREFIX}: the journeys of the stack ${DEFAULT_STACK_NAME} are named ${JOURNEY_STATE_MACHINE_PREFIX}<id>, and would share names and grants with this stack's`,
    );
}

/** One value per function, in manifest order. */
function byName<T>(make: (name: FunctionName) => T): Record<FunctionName, T> {
  const entries = MANIFESTS.map((manifest) => [manifest.name, make(manifest.name)] as const);
  // MANIFESTS holds every FunctionName, so every key is present.
  return Object.fromEntries(entries) as Record<FunctionName, T>;
}

function pascal(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
