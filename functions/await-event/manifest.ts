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
    input: z.union([WaitTimedOutInput, AwaitOutcomeInput, OutcomeTimedOutInput, AwaitEventInput]),
    arnVariable: 'AWAIT_EVENT_FUNCTION_ARN',
  },
});
