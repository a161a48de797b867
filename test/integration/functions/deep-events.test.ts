import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { ingestDeps } from './harness.ts';

/**
 * Events nested deeper than EventBridge takes in a Detail (1,000 levels),
 * as ingest invoked past the bus may be given them, some past what a
 * recursive reader can take (JSON.stringify gives up a few thousand levels
 * down, in a few KB): each is refused into the rejected queue with the field
 * and the depth limit named, never thrown out of ingest, where every retry
 * would throw again and the event would never be accounted for.
 */

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('deep-events');
});
afterAll(async () => db.stop());

/** `levels` arrays, one inside the other: 2 bytes of JSON a level. */
function nested(levels: number): unknown {
  return JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`);
}

const LEVELS = 20_000;
const base = { messageId: 'deep-1', timestamp: '2026-11-24T09:00:00Z' };

describe('deeply nested events', () => {
  it.each([
    {
      name: 'a track property',
      event: {
        ...base,
        type: 'track',
        userId: 'deep-a',
        event: 'Viewed',
        properties: { list: nested(LEVELS) },
      },
      field: 'properties.list',
    },
    {
      name: 'a trait',
      event: { ...base, type: 'identify', userId: 'deep-b', traits: { plan: 'gold', tree: nested(LEVELS) } },
      field: 'traits.tree',
    },
    {
      name: 'a trait a recursive reader could still take',
      event: { ...base, type: 'identify', userId: 'deep-e', traits: { plan: 'gold', tree: nested(2_000) } },
      field: 'traits.tree',
    },
    {
      name: 'an alias context',
      event: {
        ...base,
        type: 'alias',
        userId: 'deep-c',
        previousId: 'deep-d',
        context: { x: nested(LEVELS) },
      },
      field: 'context.x',
    },
  ])('refuses $name into the rejected queue, naming the field', async ({ event, field }) => {
    // arrange
    const { deps, sqs } = ingestDeps(db);
    // act
    const result = await ingestEvent(deps, event);
    // assert
    expect(result.status).toBe('rejected');
    const bodies = sqs.commandCalls(SendMessageCommand).map((c) => String(c.args[0].input.MessageBody));
    expect(bodies).toHaveLength(1);
    const body = JSON.parse(bodies[0] ?? '{}') as { problems: { field: string; message: string }[] };
    const problem = body.problems.find((p) => p.field.startsWith(field));
    expect(problem?.message).toContain('nests deeper than 16 levels');
    // The event's identity is kept to find it by.
    expect(bodies[0]).toContain('"messageId":"deep-1"');
  });
});
