import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { documentClient } from '#functions/_lib/clients/dynamo.ts';
import { localClientConfig } from '#infra/local/runtime/aws.ts';
import { reuseResolvedHandlers } from '#infra/local/services/dynamodb/handler-cache.ts';
import { localDocumentClient } from '#infra/local/services/dynamodb/local-document-client.ts';
import { startDynalite } from '../../support/dynalite.ts';

/**
 * The local runtime's and the tests' document clients build each kind of
 * command's middleware once: every call still sends its own input and reads
 * its own answer, and the client's middleware as it is at the call.
 */
const db = await startDynalite('handler-cache');
afterAll(() => db.stop());
const table = db.tables.profiles;

function client() {
  return reuseResolvedHandlers(documentClient({ ...localClientConfig(db.endpoint), ...db.inProcess }));
}

describe('a document client reusing its resolved middleware', () => {
  it('sends each call its own input and answers it with its own output, calls of one kind at once', async () => {
    // arrange
    const doc = client();
    const ids = ['hc-a', 'hc-b', 'hc-c', 'hc-d'];

    // act
    await Promise.all(
      ids.map((userId, n) =>
        doc.send(new PutCommand({ TableName: table, Item: { userId, n, big: 2n ** 60n } })),
      ),
    );
    const updates = await Promise.all(
      ids.map((userId) =>
        doc.send(
          new UpdateCommand({
            TableName: table,
            Key: { userId },
            UpdateExpression: 'SET n = n + :one',
            ExpressionAttributeValues: { ':one': 10 },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      ),
    );
    const refused = await doc
      .send(
        new PutCommand({
          TableName: table,
          Item: { userId: 'hc-a' },
          ConditionExpression: 'attribute_not_exists(userId)',
        }),
      )
      .catch((error: unknown) => error);
    const reads = await Promise.all(
      ids.map((userId) => doc.send(new GetCommand({ TableName: table, Key: { userId } }))),
    );

    // assert
    expect(refused).toBeInstanceOf(ConditionalCheckFailedException);
    expect(updates.map((u) => u.Attributes)).toEqual(
      ids.map((userId, n) => ({ userId, n: n + 10, big: 2n ** 60n })),
    );
    expect(reads.map((r) => r.Item)).toEqual(ids.map((userId, n) => ({ userId, n: n + 10, big: 2n ** 60n })));
  });

  it('goes through a middleware added after its first call, and no longer through one removed', async () => {
    // arrange
    const doc = client();
    const read = () => doc.send(new GetCommand({ TableName: table, Key: { userId: 'hc-none' } }));
    await read();
    const seen: string[] = [];

    // act
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        seen.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'seenCalls' },
    );
    await read();
    doc.middlewareStack.remove('seenCalls');
    await read();

    // assert
    expect(seen).toEqual(['GetItemCommand']);
  });
});

type Sent = { hostname: string; port: number | undefined; path: string; headers: Record<string, string> };
type Make = typeof localDocumentClient;

/** A document client made by `make` on this dynalite, its requests recorded, the first `failures` answered 500. */
function recordingClient(make: Make, endpoint: string, failures: number) {
  const inner = db.inProcess.requestHandler as unknown as {
    handle: (request: Sent, options?: unknown) => Promise<unknown>;
  };
  const sent: Sent[] = [];
  let left = failures;
  const requestHandler = {
    updateHttpClientConfig: () => {},
    httpHandlerConfigs: () => ({}),
    handle: (request: Sent, options?: unknown) => {
      sent.push({ ...request, headers: { ...request.headers } });
      if (left-- > 0)
        return Promise.resolve({ response: { statusCode: 500, headers: {}, body: Buffer.from('{}') } });
      return inner.handle(request, options);
    },
  } as unknown as typeof db.inProcess.requestHandler;
  const doc = make({ ...localClientConfig(endpoint), ...db.inProcess, requestHandler });
  return { doc, sent };
}

async function putThenGet(doc: ReturnType<Make>, userId: string) {
  await doc.send(new PutCommand({ TableName: table, Item: { userId, n: 1 } }));
  return (await doc.send(new GetCommand({ TableName: table, Key: { userId } }))).Item;
}

describe('the local document client', () => {
  it('sends every call to its endpoint, without a user agent, its failed attempts retried as by the product client', async () => {
    // arrange
    const local = recordingClient(localDocumentClient, 'http://127.0.0.1:4599', 1);
    const product = recordingClient(documentClient, 'http://127.0.0.1:4599', 1);

    // act
    const read = await putThenGet(local.doc, 'hc-local');
    await putThenGet(product.doc, 'hc-product');

    // assert
    expect(read).toEqual({ userId: 'hc-local', n: 1 });
    expect(local.sent.map((r) => [r.hostname, r.port, r.path, r.headers['x-amz-target']])).toEqual([
      ['127.0.0.1', 4599, '/', 'DynamoDB_20120810.PutItem'],
      ['127.0.0.1', 4599, '/', 'DynamoDB_20120810.PutItem'],
      ['127.0.0.1', 4599, '/', 'DynamoDB_20120810.GetItem'],
    ]);
    const attempts = (sent: Sent[]) => sent.map((r) => r.headers['amz-sdk-request']);
    expect(attempts(local.sent)).toEqual(attempts(product.sent));
    expect(attempts(local.sent)[1]).toMatch(/^attempt=2; /);
    expect(product.sent[0]?.headers['x-amz-user-agent']).toBeDefined();
    for (const request of local.sent) {
      expect(request.headers['x-amz-user-agent']).toBeUndefined();
      expect(request.headers['user-agent']).toBeUndefined();
    }
  });
});
