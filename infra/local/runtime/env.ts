import { VARIABLES, type VariableName, variablesOf } from '#functions/_lib/manifest.ts';
import { MANIFESTS } from '#functions/manifests.ts';
import {
  DELIVERIES_TABLE,
  ENROLLMENTS_TABLE,
  JOURNEYS_TABLE,
  PROFILES_TABLE,
  STATS_TABLE,
} from '#shared/tables.ts';
import { localTableName } from '../services/dynamodb/dynalite.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './aws.ts';
import { connectionsVariable, type LocalConnectionConfig } from './connections.ts';
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

/** The local tables, by what they hold. */
export const LOCAL_TABLES = {
  profiles: localTableName(PROFILES_TABLE),
  journeys: localTableName(JOURNEYS_TABLE),
  deliveries: localTableName(DELIVERIES_TABLE),
  stats: localTableName(STATS_TABLE),
  enrollments: localTableName(ENROLLMENTS_TABLE),
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

/** The manifest variables the local runtime sets: all but those only the stack sets in AWS. */
type LocalVariable = {
  [V in VariableName]: (typeof VARIABLES)[V]['setBy'] extends 'aws' ? never : V;
}[VariableName];

/**
 * A value for every variable the local runtime sets: a variable added to the
 * manifests without a local value is a type error here.
 */
function localValues(
  endpoints: Endpoints,
  unsubscribe: LocalUnsubscribe,
  connections: ReadonlyMap<string, LocalConnectionConfig>,
  aliasTrustedSources: readonly string[],
): Record<LocalVariable, string> {
  const queueUrl = (name: string) => `${endpoints.sqs}/000000000000/${name}`;
  return {
    PROFILES_TABLE_NAME: LOCAL_TABLES.profiles,
    JOURNEYS_TABLE_NAME: LOCAL_TABLES.journeys,
    DELIVERIES_TABLE_NAME: LOCAL_TABLES.deliveries,
    STATS_TABLE_NAME: LOCAL_TABLES.stats,
    ENROLLMENTS_TABLE_NAME: LOCAL_TABLES.enrollments,
    EVENT_BUS_NAME: LOCAL_NAMES.eventBus,
    JOURNEYS_BUCKET_NAME: LOCAL_NAMES.bucket,
    S3_FORCE_PATH_STYLE: 'true',
    SES_CONFIGURATION_SET: LOCAL_NAMES.configurationSet,
    SENDER_EMAIL: LOCAL_NAMES.sender,
    PINPOINT_APPLICATION_ID: LOCAL_NAMES.pinpointApp,
    UNSUBSCRIBE_BASE_URL: unsubscribe.baseUrl,
    UNSUBSCRIBE_SIGNING_KEY: unsubscribe.signingKey,
    REJECTED_QUEUE_URL: queueUrl(LOCAL_NAMES.rejectedQueue),
    SEGMENT_QUEUE_URL: queueUrl(LOCAL_NAMES.segmentQueue),
    JOURNEY_ROLE_ARN: LOCAL_NAMES.roleArn,
    SEND_MESSAGE_FUNCTION_ARN: functionArn('send-message'),
    EVALUATE_FUNCTION_ARN: functionArn('evaluate'),
    AWAIT_EVENT_FUNCTION_ARN: functionArn('await-event'),
    WEBHOOK_CONNECTIONS: connectionsVariable(connections),
    ALIAS_TRUSTED_SOURCES: JSON.stringify(aliasTrustedSources),
  };
}

/** The local unsubscribe endpoint and the key its links are signed with. */
export type LocalUnsubscribe = { baseUrl: string; signingKey: string };

function isLocalVariable(name: VariableName): name is LocalVariable {
  return VARIABLES[name].setBy !== 'aws';
}

/**
 * The environment the handlers get: the variables the manifests of
 * `functions/` bind (but those only the stack sets), plus the SDK's standard
 * endpoint overrides and dummy credentials. No scheduler settings: deploy-journey
 * manages no schedules; the local scheduler reads the registry.
 */
export function handlerEnvironment(
  endpoints: Endpoints,
  unsubscribe: LocalUnsubscribe,
  connections: ReadonlyMap<string, LocalConnectionConfig> = new Map(),
  aliasTrustedSources: readonly string[] = [],
): Record<string, string> {
  const values = localValues(endpoints, unsubscribe, connections, aliasTrustedSources);
  const variables = new Set(MANIFESTS.flatMap((manifest) => variablesOf(manifest.bindings)));
  const manifestEnv = Object.fromEntries(
    [...variables].filter(isLocalVariable).map((name) => [name, values[name]]),
  );
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
    ...manifestEnv,
  };
}

/** Handler logs: warnings and errors unless asked for all; the runtime prints its own readable progress. */
export function loggingEnvironment(verbose: boolean): Record<string, string> {
  return {
    POWERTOOLS_LOG_LEVEL: verbose ? 'DEBUG' : 'WARN',
    POWERTOOLS_METRICS_DISABLED: verbose ? 'false' : 'true',
    POWERTOOLS_SERVICE_NAME: 'journeys-local',
    POWERTOOLS_METRICS_NAMESPACE: 'Journeys',
  };
}
