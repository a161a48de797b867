import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { documentClient } from '#functions/_lib/clients/dynamo.ts';
import { localClientConfig } from '#infra/local/runtime/aws.ts';
import { reuseResolvedHandlers } from '#infra/local/services/dynamodb/handler-cache.ts';
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
