import { join } from 'node:path';
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { DataTables } from './constructs/data-tables.ts';
import { EventRouting, secureQueue } from './constructs/event-routing.ts';
import { JourneyExecutionRole } from './constructs/journey-execution-role.ts';
import { JourneysBucket } from './constructs/journeys-bucket.ts';
import { JourneysFunction } from './constructs/journeys-function.ts';
import { Messaging } from './constructs/messaging.ts';
import { Monitoring } from './constructs/monitoring.ts';
import type { StackSettings } from './constructs/settings.ts';
import {
  customerEventsPattern,
  journeyObjectPattern,
  sesDeliveryPattern,
  smsDeliveryPattern,
} from './routes.ts';

/** The project root: functions/, journeys/ and package-lock.json live there. */
export const PROJECT_ROOT = join(import.meta.dirname, '..');

export const FUNCTION_NAMES = [
  'ingest',
  'send-message',
  'evaluate',
  'await-event',
  'deploy-journey',
  'delivery-feedback',
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export interface JourneysStackProps extends StackProps {
  readonly settings: StackSettings;
  /** Where the sources live (functions/, journeys/); the repository by default. */
  readonly projectRoot?: string;
}

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

  constructor(scope: Construct, id: string, props: JourneysStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const root = props.projectRoot ?? PROJECT_ROOT;
    const tables = new DataTables(this, 'Tables', { retainData: settings.retainData });
    const routing = new EventRouting(this, 'Routing', { eventBusName: settings.eventBusName });
    const journeys = new JourneysBucket(this, 'Journeys', {
      sourceFolder: join(root, 'journeys'),
      retainData: settings.retainData,
    });
    const rejected = secureQueue(
      this,
      'RejectedEvents',
      'Invalid customer events are kept here for people to inspect; nothing consumes them automatically.',
    );
    const messaging = new Messaging(this, 'Messaging', {
      defaultBus: routing.defaultBus,
      pinpointApplicationId: settings.pinpointApplicationId,
    });

    const fn = (name: FunctionName, description: string) =>
      new JourneysFunction(this, pascal(name), {
        name,
        description,
        entry: join(root, 'functions', name, 'handler.ts'),
        projectRoot: root,
        depsLockFilePath: join(root, 'package-lock.json'),
        logLevel: settings.logLevel,
        logRetention: retention(settings.logRetentionDays),
      });
    const ingest = fn('ingest', 'Customer events: profiles, enrollments, waiting steps, goals');
    const sendMessage = fn('send-message', 'Journey task: send one email, SMS or push');
    const evaluate = fn('evaluate', 'Journey task: branch decisions and computed waits');
    const awaitEvent = fn('await-event', 'Journey task: register a wait-for-event token');
    const deployJourney = fn('deploy-journey', 'Validate, compile and publish a journey from S3');
    const deliveryFeedback = fn(
      'delivery-feedback',
      'SES and SMS delivery events: statuses, bounces, complaints',
    );
    this.functions = {
      ingest,
      'send-message': sendMessage,
      evaluate,
      'await-event': awaitEvent,
      'deploy-journey': deployJourney,
      'delivery-feedback': deliveryFeedback,
    };

    const journeyRole = new JourneyExecutionRole(this, 'JourneyExecution', {
      taskFunctions: [sendMessage.function, evaluate.function, awaitEvent.function],
      profiles: tables.profiles,
      bus: routing.customerBus,
      logRetention: retention(settings.logRetentionDays),
    });

    ingest
      .bindProfiles(tables.profiles, 'readWrite')
      .bindJourneysTable(tables.journeys, 'read')
      .bindStats(tables.stats, 'readWrite')
      .bindRejectedQueue(rejected)
      .bindJourneyExecutions()
      .allowTaskCallbacks(['states:SendTaskSuccess', 'states:SendTaskFailure']);
    sendMessage
      .bindProfiles(tables.profiles, 'readWrite')
      .bindDeliveries(tables.deliveries, 'readWrite')
      .bindStats(tables.stats, 'readWrite')
      .bindJourneysBucket(journeys.bucket, 'read')
      .bindEmailSending({
        configurationSetName: messaging.configurationSet.configurationSetName,
        identityName: settings.senderIdentity,
        senderEmail: settings.senderEmail,
      })
      .bindMobileMessaging(messaging.pinpointApplicationId);
    if (settings.unsubscribeBaseUrl) sendMessage.setEnv('UNSUBSCRIBE_BASE_URL', settings.unsubscribeBaseUrl);
    evaluate.bindProfiles(tables.profiles, 'read');
    awaitEvent.bindProfiles(tables.profiles, 'readWrite').allowTaskCallbacks(['states:SendTaskSuccess']);
    deployJourney
      .bindJourneysBucket(journeys.bucket, 'readWrite')
      .bindJourneysTable(tables.journeys, 'readWrite')
      .bindEventBus(routing.customerBus)
      .bindJourneyDeployment({
        role: journeyRole.role,
        logGroupArn: journeyRole.logGroup.logGroupArn,
        taskFunctions: {
          SEND_MESSAGE_FUNCTION_ARN: sendMessage.functionArn,
          EVALUATE_FUNCTION_ARN: evaluate.functionArn,
          AWAIT_EVENT_FUNCTION_ARN: awaitEvent.functionArn,
        },
      });
    deliveryFeedback
      .bindProfiles(tables.profiles, 'readWrite')
      .bindStats(tables.stats, 'readWrite')
      .bindDeliveries(tables.deliveries, 'readWrite');

    routing.route(
      'IngestCustomerEvents',
      routing.customerBus,
      customerEventsPattern,
      ingest.function,
      'Customer events to ingest',
    );
    routing.route(
      'EmailFeedback',
      routing.defaultBus,
      sesDeliveryPattern(messaging.configurationSet.configurationSetName),
      deliveryFeedback.function,
      'SES sending events of the journeys configuration set',
    );
    routing.route(
      'SmsFeedback',
      routing.defaultBus,
      smsDeliveryPattern,
      deliveryFeedback.function,
      'SMS delivery receipts',
    );
    const deployRule = routing.route(
      'DeployJourneys',
      routing.defaultBus,
      journeyObjectPattern(journeys.bucket.bucketName),
      deployJourney.function,
      'Journey definitions and templates changed in S3',
    );
    // The example journeys are uploaded once deploy-journey listens, so they go live on the first deploy.
    journeys.uploadAfter(deployRule, deployJourney.function);

    const monitoring = new Monitoring(this, 'Monitoring', {
      deadLetters: routing.deadLetters,
      rejectedEvents: rejected,
      alarmEmail: settings.alarmEmail,
    });
    this.tables = tables;
    this.routing = routing;
    this.journeys = journeys;
    this.rejectedEvents = rejected;
    this.messaging = messaging;
    this.journeyExecution = journeyRole;
    this.monitoring = monitoring;

    const outputs: Record<string, string> = {
      EventBusName: routing.customerBus.eventBusName,
      EventBusArn: routing.customerBus.eventBusArn,
      JourneysBucketName: journeys.bucket.bucketName,
      ProfilesTableName: tables.profiles.tableName,
      JourneysTableName: tables.journeys.tableName,
      DeliveriesTableName: tables.deliveries.tableName,
      StatsTableName: tables.stats.tableName,
      RejectedEventsQueueUrl: rejected.queueUrl,
      DeadLetterQueueUrl: routing.deadLetters.queueUrl,
      SesConfigurationSet: messaging.configurationSet.configurationSetName,
      PinpointApplicationId: messaging.pinpointApplicationId,
      JourneyRoleArn: journeyRole.role.roleArn,
      JourneyLogGroupName: journeyRole.logGroup.logGroupName,
      AlarmTopicArn: monitoring.alarmTopic.topicArn,
      DashboardUrl: `https://console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards:name=${monitoring.dashboard.dashboardName}`,
    };
    for (const [name, value] of Object.entries(outputs)) new CfnOutput(this, name, { value });
  }
}

function pascal(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** CloudWatch Logs accepts only certain retention periods: take the nearest one at least as long. */
function retention(days: number): RetentionDays {
  const allowed = Object.values(RetentionDays)
    .filter((value): value is RetentionDays => typeof value === 'number' && value > 0)
    .sort((a, b) => a - b);
  return allowed.find((value) => value >= days) ?? RetentionDays.INFINITE;
}
