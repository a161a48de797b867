import { setTimeout as later } from 'node:timers/promises';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { describe, expect, it } from 'vitest';
import { documentClient } from '#functions/_lib/clients/dynamo.ts';
import { localClientConfig } from '#infra/local/runtime/aws.ts';
import {
  inProcessConfig,
  inProcessHandler,
  inProcessSigner,
} from '#infra/local/services/dynamodb/in-process.ts';

/**
 * The local runtime's handlers reach dynalite through its request listener,
 * in-process: the answers and errors are dynalite's own, as over HTTP.
 */
describe('dynalite in-process', () => {
  it('answers writes, reads and a failed condition without a socket', async () => {
    // arrange: a server that never listens, so any request over the network would fail
    const server = dynalite({ createTableMs: 0 });
    const config = { ...localClientConfig('http://127.0.0.1:9'), ...inProcessConfig(server) };
    const client = new DynamoDBClient(config);
    const doc = documentClient(config);
    await client.send(
      new CreateTableCommand({
        TableName: 'items',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    // dynalite makes a table ACTIVE on a timer of its own, after the creation's answer
    while (
      (await client.send(new DescribeTableCommand({ TableName: 'items' }))).Table?.TableStatus !== 'ACTIVE'
    )
      await later(0);
    const put = (n: number) =>
      doc.send(
        new PutCommand({
          TableName: 'items',
          Item: { id: 'a', n, text: '界😀' },
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );

    // act
    await put(1);
    const second = put(2);

    // assert
    await expect(second).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    const read = await doc.send(new GetCommand({ TableName: 'items', Key: { id: 'a' } }));
    expect(read.Item).toEqual({ id: 'a', n: 1, text: '界😀' });
    client.destroy();
    doc.destroy();
  });
});

/** Request bytes that refuse to be read as text, as the SDK's JSON body does (it warns, then converts). */
class BytesOnly extends Uint8Array {
  override valueOf(): never {
    throw new Error('the request body was read as text');
  }
  override toString(): never {
    throw new Error('the request body was read as text');
  }
}

describe('dynalite in-process request body', () => {
  it('hands the request bytes to dynalite as bytes, never through a string method', async () => {
    // arrange: the SDK's JSON protocol gives its body as a Uint8Array whose string methods print a warning
    const server = dynalite({ createTableMs: 0 });
    const handler = inProcessHandler(server) as unknown as {
      handle: (request: unknown) => Promise<{ response: { statusCode: number; body: Buffer } }>;
    };
    const body = new BytesOnly(new TextEncoder().encode('{}'));

    // act
    const { response } = await handler.handle({
      method: 'POST',
      path: '/',
      headers: {
        'Content-Type': 'application/x-amz-json-1.0',
        'X-Amz-Target': 'DynamoDB_20120810.ListTables',
        'X-Amz-Date': '20260302T070000Z',
        Authorization:
          'AWS4-HMAC-SHA256 Credential=local/20260302/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      },
      body,
    });

    // assert
    expect(JSON.parse(response.body.toString('utf8'))).toEqual({ TableNames: [] });
    expect(response.statusCode).toBe(200);
  });
});

describe('dynalite in-process signing', () => {
  it('stamps the Authorization header and date SigV4 would write, for the local credentials, without a signature', async () => {
    // arrange
    const request = {
      method: 'POST',
      path: '/',
      headers: { host: 'dynalite.local' } as Record<string, string>,
    };

    // act
    const stamped = await inProcessSigner.sign(request as never, {
      signingDate: new Date('2026-03-02T07:08:09.123Z'),
      signingRegion: 'eu-west-1',
      signingService: 'dynamodb',
    });

    // assert
    expect(stamped.headers).toEqual({
      host: 'dynalite.local',
      'x-amz-date': '20260302T070809Z',
      authorization:
        'AWS4-HMAC-SHA256 Credential=local/20260302/eu-west-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=in-process',
    });
  });
});
