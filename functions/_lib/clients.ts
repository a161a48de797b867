import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PinpointClient } from '@aws-sdk/client-pinpoint';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { lazyConfig } from './config.ts';

const s3Config = lazyConfig(['S3_FORCE_PATH_STYLE']);

/**
 * AWS clients, created once per cold start on first use. Plain constructors
 * honour the SDK's standard endpoint variables (AWS_ENDPOINT_URL_DYNAMODB,
 * AWS_ENDPOINT_URL_SFN...), which is how the local runtime points them at
 * loopback emulators. Tests and the local runtime may replace any of them
 * with `setClients` before the first invocation.
 */
export type Clients = {
  dynamo: DynamoDBDocumentClient;
  sfn: SFNClient;
  events: EventBridgeClient;
  ses: SESv2Client;
  pinpoint: PinpointClient;
  s3: S3Client;
  sqs: SQSClient;
};

const factories: { [K in keyof Clients]: () => Clients[K] } = {
  dynamo: () =>
    DynamoDBDocumentClient.from(new DynamoDBClient({}), {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    }),
  sfn: () => new SFNClient({}),
  events: () => new EventBridgeClient({}),
  ses: () => new SESv2Client({}),
  pinpoint: () => new PinpointClient({}),
  s3: () =>
    new S3Client({
      // Path-style addressing for local S3 stand-ins (S3_FORCE_PATH_STYLE=true).
      forcePathStyle: s3Config().S3_FORCE_PATH_STYLE ?? false,
      requestChecksumCalculation: 'WHEN_REQUIRED',
    }),
  sqs: () => new SQSClient({}),
};

const current: Partial<Clients> = {};

/** The client for `name`, created on first use. */
export function client<K extends keyof Clients>(name: K): Clients[K] {
  const existing = current[name];
  if (existing !== undefined) return existing;
  const created = factories[name]();
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
