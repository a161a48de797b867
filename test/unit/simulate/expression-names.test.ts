import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { memoryDynamo } from '#infra/simulate/dynamo/memory-dynamo.ts';

/**
 * An attribute named in the expression itself (no `#` placeholder) is the
 * item's own attribute only, whatever its name: `constructor` or `valueOf`
 * are not found on an item that lacks them. (dynalite refuses these
 * expressions, which DynamoDB accepts, so this is not a contract case.)
 */

describe('attribute names written in an expression', () => {
  for (const hotItems of [undefined, 1]) {
    it(`reads only the item's own attributes, constructor and valueOf included (hot items: ${hotItems ?? 'default'})`, async () => {
      // arrange
      const db = memoryDynamo('direct', hotItems);
      const TableName = db.tables.profiles;
      const update = async (expression: string, condition: string, values: Record<string, unknown>) => {
        try {
          const out = await db.doc.send(
            new UpdateCommand({
              TableName,
              Key: { userId: 'direct' },
              UpdateExpression: expression,
              ConditionExpression: condition,
              ExpressionAttributeValues: values,
              ReturnValues: 'ALL_NEW',
            }),
          );
          return out.Attributes;
        } catch (error) {
          return error instanceof Error ? error.name : String(error);
        }
      };
      // act
      const outcomes: unknown[] = [
        await update(
          'SET valueOf = :v',
          'attribute_not_exists(constructor) AND attribute_not_exists(valueOf)',
          {
            ':v': 'v',
          },
        ),
        await update('SET constructor = :v', 'attribute_exists(constructor)', { ':v': 'v' }),
        await update('SET kept = :one', 'size(toString) = :one OR attribute_exists(valueOf)', { ':one': 1 }),
        await update('SET constructor = if_not_exists(constructor, :one)', 'valueOf = :v', {
          ':one': 1,
          ':v': 'v',
        }),
        await update('ADD isPrototypeOf :one REMOVE valueOf', 'attribute_type(hasOwnProperty, :s)', {
          ':one': 1,
          ':s': 'S',
        }),
      ];
      // assert
      const expected: unknown[] = [
        { userId: 'direct', valueOf: 'v' },
        'ConditionalCheckFailedException',
        { userId: 'direct', valueOf: 'v', kept: 1 },
        { userId: 'direct', valueOf: 'v', kept: 1, constructor: 1 },
        'ConditionalCheckFailedException',
      ];
      expect(outcomes).toEqual(expected);
    });
  }
});
