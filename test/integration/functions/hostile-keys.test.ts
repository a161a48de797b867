import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { canonical, hostileBag } from '../../support/hostile-keys.ts';
import { identify, ingestDeps, registerJourney, track } from './harness.ts';

/**
 * Ingest on dynalite with keys named like prototype members at any depth of
 * an event's properties, traits and context: the event is recorded, its
 * traits read back exactly, and the trigger a journey starts with carries
 * its properties exactly. `__proto__` as a key, at any depth, rejects the
 * event with the field named, and the event is kept in the rejected queue
 * as it came, never retried.
 */

/** Names a reserved trait or the identify's own fields: not what this test is about. */
const RESERVED_TRAITS = new Set(['email', 'phone', 'timezone', 'locale', 'consent']);

/** `{"a": {"a": … {"__proto__": 1}}}` with `depth` levels above the key, as JSON.parse makes it (an own key). */
function protoAt(depth: number): { value: Record<string, unknown>; path: string } {
  const json = `${'{"a": '.repeat(depth)}{"__proto__": 1}${'}'.repeat(depth)}`;
  return { value: JSON.parse(json), path: [...Array(depth).fill('a'), '__proto__'].join('.') };
}

let db: LocalDynamo;
let customer = 0;
beforeAll(async () => {
  db = await startDynalite('hostile');
  await registerJourney(db, {
    id: 'on-hostile',
    name: 'On hostile',
    trigger: { type: 'event', event: 'Hostile Event' },
    reentry: { mode: 'always' },
    start: 'constructor',
    // `as const`: TypeScript gives a property named constructor no contextual type.
    steps: { constructor: { type: 'exit' as const } },
  });
});
afterAll(async () => db.stop());

describe('ingest of keys named like prototype members', () => {
  it('records traits, properties and context at any depth and reads them back exactly', async () => {
    await fc.assert(
      fc.asyncProperty(hostileBag(), hostileBag(), hostileBag(), async (traits, properties, context) => {
        const { deps, sfn } = ingestDeps(db);
        const userId = `hostile-${++customer}`;
        const kept = Object.fromEntries(Object.entries(traits).filter(([k]) => !RESERVED_TRAITS.has(k)));

        const identified = await ingestEvent(deps, { ...identify(userId, kept), context });
        const tracked = await ingestEvent(deps, { ...track(userId, 'Hostile Event', properties), context });

        expect(identified.status).toBe('recorded');
        expect(tracked).toMatchObject({ status: 'recorded', enrolled: [expect.anything()] });
        const { profile } = await deps.profiles.get(userId);
        expect(canonical(profile.traits)).toBe(canonical(kept));
        const [start] = sfn.commandCalls(StartExecutionCommand);
        const input: unknown = JSON.parse(start?.args[0].input.input ?? 'null');
        expect(canonical(input)).toContain(`"properties":${canonical(properties)}`);
      }),
      { numRuns: 25, seed: 20261201 },
    );
  });

  it.each([
    ['properties', 1],
    ['properties', 4],
    ['traits', 1],
    ['traits', 3],
    ['context', 2],
  ] as const)(
    'rejects __proto__ as a key in %s at depth %i, naming the field, and keeps the event',
    async (field, depth) => {
      const { deps, sqs, sfn } = ingestDeps(db);
      const userId = `proto-${++customer}`;
      const { value, path } = protoAt(depth);
      const base =
        field === 'traits' ? identify(userId, { plan: 'pro' }) : track(userId, 'Hostile Event', {});
      const event = { ...base, [field]: { ...(field === 'traits' ? { plan: 'pro' } : {}), ...value } };

      const result = await ingestEvent(deps, event);

      expect(result).toMatchObject({ status: 'rejected', problems: [{ field: `${field}.${path}` }] });
      const [kept] = sqs.commandCalls(SendMessageCommand);
      const body = String(kept?.args[0].input.MessageBody);
      expect(body).toContain('"__proto__":1');
      expect(JSON.parse(body)).toMatchObject({ problems: [{ field: `${field}.${path}` }] });
      expect(sfn.commandCalls(StartExecutionCommand)).toEqual([]);
      expect((await deps.profiles.get(userId)).profile.traits).toEqual({});
    },
  );
});
