import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PinpointClient, SendMessagesCommand } from '@aws-sdk/client-pinpoint';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import {
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  UpdateStateMachineAliasCommand,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsole } from '#infra/local/console/start.ts';
import { localClientConfig } from '#infra/local/runtime/aws.ts';
import { listenOn, PortInUseError } from '#infra/local/runtime/listen.ts';
import { resolveOptions } from '#infra/local/runtime/options.ts';
import { type Services, startServices } from '#infra/local/runtime/services.ts';
import type { BusEvent } from '#infra/local/services/eventbridge/bus.ts';
import { readOutbox } from '#infra/local/services/pinpoint/outbox.ts';
import { AWS_CLI, awsCliAvailable } from './support/aws-cli.ts';

const run = promisify(execFile);

let services: Services;
let dataDir: string;
let journeysDir: string;
const delivered: BusEvent[] = [];
const config = () => localClientConfig(services.endpoints.dynamodb);

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'journeys-data-'));
  journeysDir = await mkdtemp(join(tmpdir(), 'journeys-folder-'));
  await writeFile(join(journeysDir, 'hello.json'), '{"id":"hello"}');
  const ports = { dynamodb: 0, eventbridge: 0, sfn: 0, ses: 0, pinpoint: 0, s3: 0, sqs: 0 };
  services = await startServices(resolveOptions({ dataDir, journeysDir, ports, log: () => {} }));
  services.bus.addTarget({
    name: 'probe',
    busName: 'customer-events',
    matches: (e) => e.source === 'journeys.customer',
    deliver: async (e) => {
      delivered.push(e);
    },
  });
});

afterAll(async () => {
  await services?.stop();
});

describe('local stand-ins', () => {
  it('creates every table of shared/tables.ts in dynalite', async () => {
    // act
    const { TableNames } = await services.dynamo.client.send(new ListTablesCommand({}));
    // assert
    expect(TableNames).toEqual([
      'journeys-deliveries',
      'journeys-enrollments',
      'journeys-journeys',
      'journeys-profiles',
      'journeys-stats',
    ]);
  });

  it('accepts PutEvents from the SDK and delivers matching events in EventBridge shape', async () => {
    // arrange
    const client = new EventBridgeClient(localClientConfig(services.endpoints.eventbridge));
    // act
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'journeys.customer',
            DetailType: 'track',
            Detail: '{"userId":"u1"}',
            EventBusName: 'customer-events',
          },
          {
            Source: 'journeys.customer',
            DetailType: 'track',
            Detail: '{not json',
            EventBusName: 'customer-events',
          },
          { Source: 'journeys.customer', DetailType: 'track', Detail: '{}', EventBusName: 'nope' },
        ],
      }),
    );
    await services.bus.idle();
    // assert
    expect(out.FailedEntryCount).toBe(2);
    expect(out.Entries?.map((e) => e.ErrorCode)).toEqual([
      undefined,
      'MalformedDetail',
      'ResourceNotFoundException',
    ]);
    expect(delivered.at(-1)).toMatchObject({
      'detail-type': 'track',
      source: 'journeys.customer',
      detail: { userId: 'u1' },
    });
  });

  it('accepts PutEvents from the AWS CLI v2', async () => {
    // arrange
    if (!awsCliAvailable('PutEvents from the AWS CLI v2')) return;
    const entries = JSON.stringify([
      {
        Source: 'journeys.customer',
        DetailType: 'identify',
        Detail: '{"userId":"cli"}',
        EventBusName: 'customer-events',
      },
    ]);
    // act
    const { stdout } = await run(
      AWS_CLI,
      ['events', 'put-events', '--endpoint-url', services.endpoints.eventbridge, '--entries', entries],
      {
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: 'x',
          AWS_SECRET_ACCESS_KEY: 'x',
          AWS_REGION: 'us-east-1',
          AWS_DEFAULT_REGION: 'us-east-1',
        },
      },
    );
    await services.bus.idle();
    // assert
    expect(JSON.parse(stdout)).toMatchObject({ FailedEntryCount: 0 });
    expect(delivered.at(-1)).toMatchObject({ 'detail-type': 'identify', detail: { userId: 'cli' } });
  });

  it('records Pinpoint SMS and push in the outbox', async () => {
    // arrange
    const client = new PinpointClient(localClientConfig(services.endpoints.pinpoint));
    // act
    const out = await client.send(
      new SendMessagesCommand({
        ApplicationId: 'app',
        MessageRequest: {
          Addresses: { '+15550100': { ChannelType: 'SMS' }, tok: { ChannelType: 'GCM' } },
          MessageConfiguration: {
            SMSMessage: { Body: 'Your cart misses you', MessageType: 'PROMOTIONAL' },
            GCMMessage: { Title: 'Cart', Body: 'Still there', Url: 'app://cart' },
          },
        },
      }),
    );
    // assert
    expect(out.MessageResponse?.Result?.['+15550100']?.DeliveryStatus).toBe('SUCCESSFUL');
    const outbox = await readOutbox(dataDir);
    expect(outbox.map((m) => [m.channel, m.to, m.title, m.body])).toEqual([
      ['sms', '+15550100', undefined, 'Your cart misses you'],
      ['push', 'tok', 'Cart', 'Still there'],
    ]);
  });

  it('keeps SQS messages in a file per queue', async () => {
    // arrange
    const client = new SQSClient(localClientConfig(services.endpoints.sqs));
    // act
    await client.send(
      new SendMessageCommand({
        QueueUrl: `${services.endpoints.sqs}/000000000000/journeys-rejected`,
        MessageBody: 'bad',
      }),
    );
    // assert
    const text = await readFile(join(dataDir, 'queues', 'journeys-rejected.jsonl'), 'utf8');
    // Stamped in journey time, which the runtime's clock decides (not the wall clock).
    expect(JSON.parse(text.trim())).toEqual({
      MessageId: expect.any(String),
      sentAt: services.clock.now().toISOString(),
      body: 'bad',
    });
  });

  it('serves the journeys folder as the bucket', async () => {
    // arrange
    const client = new S3Client({ ...config(), endpoint: services.endpoints.s3, forcePathStyle: true });
    // act
    const list = await client.send(
      new ListObjectsV2Command({ Bucket: 'journeys-local', Prefix: 'journeys/' }),
    );
    const object = await client.send(
      new GetObjectCommand({ Bucket: 'journeys-local', Key: 'journeys/hello.json' }),
    );
    // assert
    expect(list.Contents?.map((c) => c.Key)).toEqual(['journeys/hello.json']);
    expect(await object.Body?.transformToString()).toBe('{"id":"hello"}');
    expect(object.VersionId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('reports a port in use with the port and the option that moves it', async () => {
    // arrange
    const taken = createServer();
    const port = await listenOn(taken, 'eventbridge', 0);
    // act
    const error = await listenOn(createServer(), 'eventbridge', port).catch((e: unknown) => e);
    taken.close();
    // assert
    expect(error).toBeInstanceOf(PortInUseError);
    expect(String(error)).toContain(`Port ${port} (eventbridge) is already in use`);
    expect(String(error)).toContain('--eventbridge-port');
  });
});

/** The status of a request to `url` with these headers (a GET unless `method` says), as a browser sends it. */
function statusFor(
  url: string,
  host: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { host, ...headers } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('local endpoints answer loopback names only', () => {
  // A web page can have its own name resolve to 127.0.0.1 (DNS rebinding): its scripts then read and
  // write these endpoints as their own origin, customers' data and journeys among them. Such a request
  // names the page's host; a client of this machine names 127.0.0.1 or localhost.
  it('refuses a request that names another host, on every endpoint, and serves loopback names', async () => {
    // arrange
    const started = await startConsole(
      services,
      resolveOptions({ dataDir, journeysDir, ports: { console: 0 } }),
    );
    const urls = [...Object.values(services.endpoints), services.unsubscribe.url, started.url];
    try {
      for (const url of urls) {
        const { port } = new URL(url);
        // act
        const rebound = await statusFor(url, `rebound.example:${port}`);
        const bare = await statusFor(url, 'rebound.example');
        const served = await Promise.all(
          [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, 'app.localhost'].map((h) =>
            statusFor(url, h),
          ),
        );
        // assert
        expect({ url, rebound, bare }).toStrictEqual({ url, rebound: 403, bare: 403 });
        for (const status of served) expect({ url, status }).not.toStrictEqual({ url, status: 403 });
      }
    } finally {
      await started.serving.close();
    }
  });
});

describe('local endpoints answer pages of this machine only', () => {
  // A page on any site can send a request to 127.0.0.1 from its visitor's browser; dynalite answered
  // its CORS preflight for any origin, so the page could scan and write every table. Browsers name the
  // page's origin in every such request; the SDK and the AWS CLI send none.
  it('refuses a request from another origin, its preflight too, on every endpoint', async () => {
    // arrange
    const started = await startConsole(
      services,
      resolveOptions({ dataDir, journeysDir, ports: { console: 0 } }),
    );
    const urls = [...Object.values(services.endpoints), services.unsubscribe.url, started.url];
    const preflight = {
      origin: 'https://site.example',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'x-amz-target,content-type,authorization',
    };
    try {
      for (const url of urls) {
        const host = new URL(url).host;
        // act
        const asked = await statusFor(url, host, preflight, 'OPTIONS');
        const sent = await statusFor(url, host, { origin: 'https://site.example' }, 'POST');
        const framed = await statusFor(url, host, { origin: 'null' }, 'POST');
        const own = await statusFor(url, host, { origin: `http://${host}` });
        // assert
        expect({ url, asked, sent, framed }).toStrictEqual({ url, asked: 403, sent: 403, framed: 403 });
        expect({ url, own }).not.toStrictEqual({ url, own: 403 });
      }
    } finally {
      await started.serving.close();
    }
  });
});

describe('local Step Functions API', () => {
  const task = 'arn:aws:lambda:us-east-1:000000000000:function:probe';
  const definition = (label: string) =>
    JSON.stringify({
      StartAt: 'Wait',
      States: {
        Wait: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: { FunctionName: task, Payload: { 'token.$': '$$.Task.Token' } },
          ResultPath: '$.event',
          Next: 'Done',
        },
        Done: { Type: 'Pass', Result: label, ResultPath: '$.version', End: true },
      },
    });

  it('runs an execution to the end on the version it started on, through task tokens', async () => {
    // arrange
    const tokens: string[] = [];
    services.taskHandlers[task] = (input) => {
      tokens.push(String((input as { token: string }).token));
      return null;
    };
    const sfn = new SFNClient(localClientConfig(services.endpoints.sfn));
    const created = await sfn.send(
      new CreateStateMachineCommand({
        name: 'journey-demo',
        definition: definition('v1'),
        roleArn: 'r',
        publish: true,
      }),
    );
    const v1 = created.stateMachineVersionArn ?? '';
    const alias = await sfn.send(
      new CreateStateMachineAliasCommand({
        name: 'live',
        routingConfiguration: [{ stateMachineVersionArn: v1, weight: 100 }],
      }),
    );
    const aliasArn = alias.stateMachineAliasArn ?? '';
    // act: one enrollment on v1, then a new version goes live, then a second enrollment
    const first = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: aliasArn, name: 'e1', input: '{}' }),
    );
    const updated = await sfn.send(
      new UpdateStateMachineCommand({
        stateMachineArn: created.stateMachineArn,
        definition: definition('v2'),
        publish: true,
      }),
    );
    await sfn.send(
      new UpdateStateMachineAliasCommand({
        stateMachineAliasArn: aliasArn,
        routingConfiguration: [{ stateMachineVersionArn: updated.stateMachineVersionArn ?? '', weight: 100 }],
      }),
    );
    const second = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: aliasArn, name: 'e2', input: '{}' }),
    );
    const duplicate = await sfn
      .send(new StartExecutionCommand({ stateMachineArn: aliasArn, name: 'e1', input: '{"other":1}' }))
      .catch((e: unknown) => e);
    // Step Functions' 256 KiB limit on an input and on a task's output, refused as AWS refuses it
    const oversized = JSON.stringify({ note: 'x'.repeat(256 * 1024) });
    const tooLargeInput = await sfn
      .send(new StartExecutionCommand({ stateMachineArn: aliasArn, name: 'e3', input: oversized }))
      .catch((e: unknown) => e);
    await waitFor(() => tokens.length === 2);
    const tooLargeOutput = await sfn
      .send(new SendTaskSuccessCommand({ taskToken: tokens[0] ?? '', output: oversized }))
      .catch((e: unknown) => e);
    for (const token of tokens)
      await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"ok":true}' }));
    await services.sfn.idle();
    // assert
    const outputs = [];
    for (const e of [first, second]) {
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
      outputs.push([
        described.status,
        JSON.parse(described.output ?? '{}'),
        described.stateMachineVersionArn?.split(':').at(-1),
      ]);
    }
    expect(outputs).toEqual([
      ['SUCCEEDED', { event: { ok: true }, version: 'v1' }, '1'],
      ['SUCCEEDED', { event: { ok: true }, version: 'v2' }, '2'],
    ]);
    expect(duplicate).toMatchObject({ name: 'ExecutionAlreadyExists' });
    expect(tooLargeInput).toMatchObject({ name: 'ValidationException' });
    expect(tooLargeOutput).toMatchObject({ name: 'ValidationException' });
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 10));
}
