import { join } from 'node:path';
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { DataTables } from './constructs/data-tables.ts';
import { EventRouting, secureQueue } from './constructs/event-routing.ts';
import { JourneyExecutionRole } from './constructs/journey-execution-role.ts';
import { JourneysBucket } from './constructs/journeys-bucket.ts';
import { JourneysFunction } from './constructs/journeys-function.ts';
import { type LogSettings, logSettings } from './constructs/log-settings.ts';
import { Messaging } from './constructs/messaging.ts';
import { Monitoring } from './constructs/monitoring.ts';
import { SegmentEntry } from './constructs/segment-entry.ts';
import type { StackSettings } from './constructs/settings.ts';
import { UnsubscribeEndpoint } from './constructs/unsubscribe-endpoint.ts';
import type { FunctionName } from './function-names.ts';
import {
  customerEventsPattern,
  executionStatusPattern,
  journeyObjectPattern,
  sesDeliveryPattern,
  smsDeliveryPattern,
} from './routes.ts';

/** The project root: functions/, journeys/ and package-lock.json live there. */
export const PROJECT_ROOT = join(import.meta.dirname, '..');

export { FUNCTION_NAMES, type FunctionName } from './function-names.ts';

export interface JourneysStackProps extends StackProps {
  readonly settings: StackSettings;
  /** Where the sources live (functions/, journeys/); the repository by default. */
  readonly projectRoot?: string;
}

const DESCRIPTIONS: Record<FunctionName, string> = {
  ingest: 'Customer events: profiles, enrollments, waiting steps, goals',
  'send-message': 'Journey task: send one email, SMS or push',
  evaluate: 'Journey task: branch decisions, computed waits and profile updates',
  'await-event': 'Journey task: register a wait-for-event token',
  'deploy-journey': 'Validate, compile and publish a journey from S3',
  'delivery-feedback': 'SES and SMS delivery events: statuses, bounces, complaints',
  'execution-status': 'Journey executions that ended: waiters and enrollments cleaned up, outcomes',
};

/** Journeys on AWS: customer events in, journeys as state machines, messages out. */
export class JourneysStack extends Stack {
  readonly functions: Record<FunctionName, JourneysFunction>;
  readonly tables: DataTables;
  readonly routing: EventRouting;
  readonly journeys: JourneysBucket;
  readonly rejectedEvents: Queue;
  readonly messaging: Messaging;
  readonly journeyExecution: JourneyExecutionRole;
  readonly monitoring: Monitoring;
  readonly segmentEntry: SegmentEntry;
  readonly unsubscribe: UnsubscribeEndpoint;

  constructor(scope: Construct, id: string, props: JourneysStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const root = props.projectRoot ?? PROJECT_ROOT;
    const logs = logSettings(this, {
      retentionDays: settings.logRetentionDays,
      retain: settings.retainData,
      encrypt: settings.encryptLogs,
    });
    this.tables = new DataTables(this, 'Tables', { retainData: settings.retainData });
    this.routing = new EventRouting(this, 'Routing', { eventBusName: settings.eventBusName });
    this.journeys = new JourneysBucket(this, 'Journeys', {
      sourceFolder: join(root, 'journeys'),
      retainData: settings.retainData,
    });
    this.rejectedEvents = secureQueue(
      this,
      'RejectedEvents',
      'Invalid customer events are kept here for people to inspect; nothing consumes them automatically.',
    );
    this.messaging = new Messaging(this, 'Messaging', {
      defaultBus: this.routing.defaultBus,
      pinpointApplicationId: settings.pinpointApplicationId,
    });
    this.functions = this.createFunctions(root, settings, logs);
    const tasks = this.functions;
    this.journeyExecution = new JourneyExecutionRole(this, 'JourneyExecution', {
      taskFunctions: [tasks['send-message'].function, tasks.evaluate.function, tasks['await-event'].function],
      profiles: this.tables.profiles,
      bus: this.routing.customerBus,
      logs,
    });
    this.unsubscribe = new UnsubscribeEndpoint(this, 'Unsubscribe', {
      projectRoot: root,
      entry: join(root, 'functions', 'unsubscribe', 'handler.ts'),
      depsLockFilePath: join(root, 'package-lock.json'),
      logLevel: settings.logLevel,
      logs,
      profiles: this.tables.profiles,
    });
    this.bindFunctions(settings);
    this.segmentEntry = new SegmentEntry(this, 'SegmentEntry', {
      projectRoot: root,
      entry: join(root, 'functions', 'segment-entry', 'handler.ts'),
      depsLockFilePath: join(root, 'package-lock.json'),
      logLevel: settings.logLevel,
      logs,
      profiles: this.tables.profiles,
      journeys: this.tables.journeys,
      stats: this.tables.stats,
      enrollments: this.tables.enrollments,
      deployer: this.functions['deploy-journey'],
    });
    this.routeEvents();
    this.monitoring = new Monitoring(this, 'Monitoring', {
      deadLetters: this.routing.deadLetters,
      rejectedEvents: this.rejectedEvents,
      alarmEmail: settings.alarmEmail,
    });
    this.addOutputs();
  }

  private createFunctions(
    root: string,
    settings: StackSettings,
    logs: LogSettings,
  ): Record<FunctionName, JourneysFunction> {
    const create = (name: FunctionName) =>
      new JourneysFunction(this, pascal(name), {
        name,
        description: DESCRIPTIONS[name],
        entry: join(root, 'functions', name, 'handler.ts'),
        projectRoot: root,
        depsLockFilePath: join(root, 'package-lock.json'),
        logLevel: settings.logLevel,
        logs,
      });
    return {
      ingest: create('ingest'),
      'send-message': create('send-message'),
      evaluate: create('evaluate'),
      'await-event': create('await-event'),
      'deploy-journey': create('deploy-journey'),
      'delivery-feedback': create('delivery-feedback'),
      'execution-status': create('execution-status'),
    };
  }

  /** What each function reads, writes and calls (see the handlers' config). */
  private bindFunctions(settings: StackSettings): void {
    const { profiles, journeys, deliveries, stats, enrollments } = this.tables;
    const fns = this.functions;
    fns.ingest
      .bindProfiles(profiles, 'readWrite')
      .bindEnrollments(enrollments, 'readWrite')
      // Writes the decision of an experiment that ends on entry.
      .bindJourneysTable(journeys, 'readWrite')
      .bindStats(stats, 'readWrite')
      .bindRejectedQueue(this.rejectedEvents)
      .bindJourneyExecutions()
      .allowTaskCallbacks(['states:SendTaskSuccess', 'states:SendTaskFailure']);
    fns['send-message']
      .bindProfiles(profiles, 'readWrite')
      .bindEnrollments(enrollments, 'readWrite')
      .bindDeliveries(deliveries, 'readWrite')
      .bindStats(stats, 'readWrite')
      // Templates pinned to journey versions live in the registry: sending reads no S3.
      .bindJourneysTable(journeys, 'read')
      .bindEmailSending({
        configurationSetName: this.messaging.configurationSet.configurationSetName,
        identityName: settings.senderIdentity,
        senderEmail: settings.senderEmail,
      })
      .bindMobileMessaging(this.messaging.pinpointApplicationId);
    // Links go to the stack's own endpoint unless a front end of yours forwards to it.
    fns['send-message'].setEnv('UNSUBSCRIBE_BASE_URL', settings.unsubscribeBaseUrl ?? this.unsubscribe.url);
    this.unsubscribe.bindSigningKey(fns['send-message']);
    fns.evaluate.bindProfiles(profiles, 'readWrite').bindStats(stats, 'readWrite');
    fns['await-event']
      .bindProfiles(profiles, 'readWrite')
      .bindEnrollments(enrollments, 'readWrite')
      .bindJourneysTable(journeys, 'read')
      // A message step's wait for its outcome looks for feedback that came first.
      .bindDeliveries(deliveries, 'read')
      .allowTaskCallbacks(['states:SendTaskSuccess']);
    fns['execution-status']
      .bindProfiles(profiles, 'readWrite')
      .bindEnrollments(enrollments, 'readWrite')
      .bindStats(stats, 'readWrite');
    fns['deploy-journey']
      .bindJourneysBucket(this.journeys.bucket, 'readWrite')
      .bindJourneysTable(journeys, 'readWrite')
      .bindEventBus(this.routing.customerBus)
      .bindJourneyDeployment({
        role: this.journeyExecution.role,
        logGroupArn: this.journeyExecution.logGroup.logGroupArn,
        taskFunctions: {
          SEND_MESSAGE_FUNCTION_ARN: fns['send-message'].functionArn,
          EVALUATE_FUNCTION_ARN: fns.evaluate.functionArn,
          AWAIT_EVENT_FUNCTION_ARN: fns['await-event'].functionArn,
        },
      });
    fns['delivery-feedback']
      .bindProfiles(profiles, 'readWrite')
      .bindStats(stats, 'readWrite')
      .bindDeliveries(deliveries, 'readWrite')
      // Resumes message steps waiting for their outcome.
      .bindEnrollments(enrollments, 'readWrite')
      .allowTaskCallbacks(['states:SendTaskSuccess']);
  }

  /** The rules of `routes.ts`: customer events on our bus, AWS service events on the default bus. */
  private routeEvents(): void {
    const { routing, functions: fns } = this;
    const configurationSet = this.messaging.configurationSet.configurationSetName;
    routing.route(
      'IngestCustomerEvents',
      routing.customerBus,
      customerEventsPattern,
      fns.ingest.function,
      'Customer events to ingest',
    );
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
      smsDeliveryPattern,
      fns['delivery-feedback'].function,
      'SMS delivery receipts',
    );
    routing.route(
      'ExecutionStatus',
      routing.defaultBus,
      executionStatusPattern,
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
      SesConfigurationSet: messaging.configurationSet.configurationSetName,
      PinpointApplicationId: messaging.pinpointApplicationId,
      JourneyRoleArn: journeyExecution.role.roleArn,
      JourneyLogGroupName: journeyExecution.logGroup.logGroupName,
      AlarmTopicArn: monitoring.alarmTopic.topicArn,
      UnsubscribeUrl: this.unsubscribe.url,
      DashboardUrl: `https://console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards:name=${monitoring.dashboard.dashboardName}`,
    };
    for (const [name, fn] of Object.entries(this.functions)) {
      outputs[`${pascal(name)}LogGroupName`] = fn.logGroup.logGroupName;
    }
    for (const [name, value] of Object.entries(outputs)) new CfnOutput(this, name, { value });
  }
}

function pascal(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
