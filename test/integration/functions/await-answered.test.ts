import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awaitEvent } from '#functions/await-event/await.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import type { AwaitEventInput } from '#shared/tasks/await-event.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { awaitDepsOf, awaitInput, ingestDeps, registerJourney, track } from './harness.ts';

/**
 * An event answers one wait of an execution. A loop back to a wait (or a
 * second wait for the same event) begins at the instant of the answer on the
 * local runtime's journey time; the answer, passed as `previous`, must not
 * resume it again — that would loop without time passing — while a newer
 * event of that name still does.
 */

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('await-answered');
  await registerJourney(db, {
    id: 'nudge-loop',
    name: 'Nudge loop',
    trigger: { type: 'event', event: 'Signed Up' },
    start: 'later',
    steps: {
      later: {
        type: 'waitForEvent',
        event: 'Cart Updated',
        timeout: 'PT2H',
        onEvent: 'later',
        onTimeout: 'done',
      },
      done: { type: 'exit' },
    },
  });
});
afterAll(async () => db.stop());

function visit(userId: string, token: string, previous: string | null): AwaitEventInput {
  return awaitInput(userId, {
    journeyId: 'nudge-loop',
    stepId: 'later',
    event: 'Cart Updated',
    timeoutSeconds: 7_200,
    startedAt: '2026-11-24T10:00:00Z',
    trigger: track(userId, 'Signed Up', {}, '2026-11-24T09:00:00Z'),
    token,
    previous,
  });
}

describe('a wait that begins at the instant of the event that answered the last one', () => {
  it('keeps waiting for a newer event, and a newer one at the same instant answers it', async () => {
    // arrange: the event that answered the first visit, at the instant the second begins
    const { deps, sfn } = ingestDeps(db);
    const answer = track('u-loop', 'Cart Updated', {}, '2026-11-24T10:00:00Z');
    await ingestEvent(deps, answer);
    // act
    const again = await awaitEvent(awaitDepsOf(db, deps), visit('u-loop', 'token-2', answer.messageId));
    // assert
    expect(again.status).toBe('waiting');
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);

    // a first visit (no wait answered yet) takes an event of that instant
    await ingestEvent(deps, track('u-first', 'Cart Updated', {}, '2026-11-24T10:00:00Z'));
    const first = await awaitEvent(awaitDepsOf(db, deps), visit('u-first', 'token-1', null));
    expect(first.status).toBe('resumed');

    // a newer event of the name answers the loop's visit
    const newer = track('u-loop', 'Cart Updated', {}, '2026-11-24T10:00:00Z');
    await ingestEvent(deps, newer);
    const resumed = sfn.commandCalls(SendTaskSuccessCommand).map((c) => c.args[0].input.taskToken);
    expect(resumed).toContain('token-2');
  });
});
