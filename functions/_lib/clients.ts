import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { PinpointClient } from '@aws-sdk/client-pinpoint';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

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
  sfn: SFNClient;
  events: EventBridgeClient;
  ses: SESv2Client;
  pinpoint: PinpointClient;
  s3: S3Client;
  sqs: SQSClient;
  scheduler: SchedulerClient;
  secrets: SecretsManagerClient;
};

const current: Partial<Clients> = {};

/** The client `name` of this process: an override, or the one `create` makes on first use. */
export function lazyClient<K extends keyof Clients>(name: K, create: () => Clients[K]): Clients[K] {
  const existing = current[name];
  if (existing !== undefined) return existing;
  const created = create();
  current[name] = created;
  return created;
}

/** Replaces clients (tests, the local runtime). Pass `undefined` to drop one so it is re-created. */
export function setClients(overrides: Partial<Clients>): void {
  Object.assign(current, overrides);
}

/** Forgets every client (tests). */
export function resetClients(): void {
  for (const key of Object.keys(current)) delete current[key as keyof Clients];
}
