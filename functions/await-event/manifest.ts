import { defineFunction } from '#functions/_lib/manifest.ts';
import { AwaitEventInput, WaitTimedOutInput } from '#shared/tasks/await-event.ts';
import { AwaitOutcomeInput, OutcomeTimedOutInput } from '#shared/tasks/await-outcome.ts';
import * as z from '#shared/zod.ts';

export const manifest = defineFunction({
  name: 'await-event',
  description: 'Journey task: register a wait-for-event token',
  bindings: {
    profilesTable: 'readWrite',
    enrollmentsTable: 'readWrite',
    journeysTable: 'read',
    // A message step's wait for its outcome looks for feedback that came first.
    deliveriesTable: 'read',
    // Counts the event a step finds already there (eventReceived).
    statsTable: 'readWrite',
    taskCallbacks: ['success'],
  },
  // A waitForEvent step, or a message step waiting for its outcome, registers its token; the timeout path removes the waiter.
  task: {
    // The forms a step's timeout path or a message step sends are told apart by their `op` at once; the
    // plain wait, the most frequent, has none. A plain union would try every form in turn, building the
    // issues of each it rejects (three quarters of this input's parse).
    input: z.union([
      z.discriminatedUnion('op', [WaitTimedOutInput, AwaitOutcomeInput, OutcomeTimedOutInput]),
      AwaitEventInput,
    ]),
    arnVariable: 'AWAIT_EVENT_FUNCTION_ARN',
  },
});
