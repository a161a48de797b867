import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { PinpointClient } from '@aws-sdk/client-pinpoint';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PerRuntime, runtimeScope } from './runtime-scope.ts';

/**
 * AWS clients, created once per cold start on first use. Each service has its
 * own module under `clients/` so a function bundles only the SDK clients it
 * uses. Plain constructors honour the SDK's standard endpoint variables
 * (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SFN...), which is how the local
 * runtime points them at loopback emulators. Tests and the local runtime may
 * replace any of them with `setClients` before the first invocation.
 */
export type Clients = {
  dynamo: DynamoDBDocumentClient;
  /** For the control plane (DescribeTable): low-level commands cannot go through the document client. */
  dynamoTables: DynamoDBClient;
  sfn: SFNClient;
  events: EventBridgeClient;
  ses: SESv2Client;
  pinpoint: PinpointClient;
  s3: S3Client;
  sqs: SQSClient;
  scheduler: SchedulerClient;
  secrets: SecretsManagerClient;
};

/** The clients of the process, or of the runtime scope an invocation runs in (runtime-scope.ts). */
const kept = new PerRuntime<Partial<Clients>>();

function current(): Partial<Clients> {
  kept.value ??= {};
  return kept.value;
}

/** The SDK's endpoint variable of each client's service (as the SDK reads it from `process.env`). */
const ENDPOINT_VARIABLES: Record<keyof Clients, string> = {
  dynamo: 'AWS_ENDPOINT_URL_DYNAMODB',
  dynamoTables: 'AWS_ENDPOINT_URL_DYNAMODB',
  sfn: 'AWS_ENDPOINT_URL_SFN',
  events: 'AWS_ENDPOINT_URL_EVENTBRIDGE',
  ses: 'AWS_ENDPOINT_URL_SESV2',
  pinpoint: 'AWS_ENDPOINT_URL_PINPOINT',
  s3: 'AWS_ENDPOINT_URL_S3',
  sqs: 'AWS_ENDPOINT_URL_SQS',
  scheduler: 'AWS_ENDPOINT_URL_SCHEDULER',
  secrets: 'AWS_ENDPOINT_URL_SECRETS_MANAGER',
};

/** What a client is built with beside its own options. */
export type ScopedClientConfig = {
  endpoint?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
};

/**
 * Nothing on Lambda (the SDK reads the process's environment, as ever);
 * within a runtime scope, the endpoint, Region and credentials of that
 * runtime's environment, which the SDK would not see.
 */
function scopedConfig(name: keyof Clients): ScopedClientConfig {
  const scope = runtimeScope();
  if (scope === undefined) return {};
  const { env } = scope;
  const endpoint = env[ENDPOINT_VARIABLES[name]];
  const region = env.AWS_REGION;
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  return {
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(region === undefined ? {} : { region }),
    ...(accessKeyId === undefined || secretAccessKey === undefined
      ? {}
      : { credentials: { accessKeyId, secretAccessKey } }),
  };
}

/**
 * The client `name` of this process (or runtime scope): an override, or the
 * one `create` makes on first use with the scope's endpoint, if any.
 */
export function lazyClient<K extends keyof Clients>(
  name: K,
  create: (config: ScopedClientConfig) => Clients[K],
): Clients[K] {
  const clients = current();
  const existing = clients[name];
  if (existing !== undefined) return existing;
  const created = create(scopedConfig(name));
  clients[name] = created;
  return created;
}

/** Replaces clients (tests, the local runtime). Pass `undefined` to drop one so it is re-created. */
export function setClients(overrides: Partial<Clients>): void {
  Object.assign(current(), overrides);
}

/** Forgets every client (tests). */
export function resetClients(): void {
  kept.value = undefined;
}
