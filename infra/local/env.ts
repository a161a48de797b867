import {
  DELIVERIES_TABLE,
  ENROLLMENTS_TABLE,
  JOURNEYS_TABLE,
  PROFILES_TABLE,
  STATS_TABLE,
} from '#shared/tables.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './aws.ts';
import { localTableName } from './dynamodb.ts';
import { functionArn } from './lambdas.ts';

/** Names the local runtime gives the resources the stack would create. */
export const LOCAL_NAMES = {
  eventBus: 'customer-events',
  bucket: 'journeys-local',
  configurationSet: 'journeys-local',
  sender: 'journeys@example.com',
  pinpointApp: 'journeys-local',
  rejectedQueue: 'journeys-rejected',
  segmentQueue: 'journeys-segment-entry',
  roleArn: 'arn:aws:iam::000000000000:role/journeys-state-machine',
} as const;

export type Endpoints = {
  dynamodb: string;
  eventbridge: string;
  sfn: string;
  ses: string;
  pinpoint: string;
  s3: string;
  sqs: string;
};

/**
 * The environment the handlers get, exactly the variables the stack sets in
 * AWS plus the SDK's standard endpoint overrides and dummy credentials.
 */
export function handlerEnvironment(endpoints: Endpoints, unsubscribeBaseUrl: string): Record<string, string> {
  return {
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SFN: endpoints.sfn,
    AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.eventbridge,
    AWS_ENDPOINT_URL_SESV2: endpoints.ses,
    AWS_ENDPOINT_URL_PINPOINT: endpoints.pinpoint,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    PROFILES_TABLE_NAME: localTableName(PROFILES_TABLE),
    JOURNEYS_TABLE_NAME: localTableName(JOURNEYS_TABLE),
    DELIVERIES_TABLE_NAME: localTableName(DELIVERIES_TABLE),
    STATS_TABLE_NAME: localTableName(STATS_TABLE),
    ENROLLMENTS_TABLE_NAME: localTableName(ENROLLMENTS_TABLE),
    EVENT_BUS_NAME: LOCAL_NAMES.eventBus,
    JOURNEYS_BUCKET_NAME: LOCAL_NAMES.bucket,
    SES_CONFIGURATION_SET: LOCAL_NAMES.configurationSet,
    SENDER_EMAIL: LOCAL_NAMES.sender,
    PINPOINT_APPLICATION_ID: LOCAL_NAMES.pinpointApp,
    UNSUBSCRIBE_BASE_URL: unsubscribeBaseUrl,
    REJECTED_QUEUE_URL: `${endpoints.sqs}/000000000000/${LOCAL_NAMES.rejectedQueue}`,
    // No scheduler settings: deploy-journey manages no schedules; the local scheduler reads the registry.
    SEGMENT_QUEUE_URL: `${endpoints.sqs}/000000000000/${LOCAL_NAMES.segmentQueue}`,
    JOURNEY_ROLE_ARN: LOCAL_NAMES.roleArn,
    SEND_MESSAGE_FUNCTION_ARN: functionArn('send-message'),
    EVALUATE_FUNCTION_ARN: functionArn('evaluate'),
    AWAIT_EVENT_FUNCTION_ARN: functionArn('await-event'),
    S3_FORCE_PATH_STYLE: 'true',
  };
}

/** Quiet handler logs unless asked: the runtime prints its own readable progress. */
export function loggingEnvironment(verbose: boolean): Record<string, string> {
  return {
    POWERTOOLS_LOG_LEVEL: verbose ? 'DEBUG' : 'ERROR',
    POWERTOOLS_METRICS_DISABLED: verbose ? 'false' : 'true',
    POWERTOOLS_SERVICE_NAME: 'journeys-local',
    POWERTOOLS_METRICS_NAMESPACE: 'Journeys',
  };
}
