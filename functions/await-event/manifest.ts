import * as z from 'zod';
import { defineFunction } from '#functions/_lib/manifest.ts';
import { AwaitEventInput, WaitTimedOutInput } from '#shared/tasks.ts';

export const manifest = defineFunction({
  name: 'await-event',
  description: 'Journey task: register a wait-for-event token',
  bindings: {
    profilesTable: 'readWrite',
    enrollmentsTable: 'readWrite',
    journeysTable: 'read',
    taskCallbacks: ['success'],
  },
  // The waitForEvent step registers its token; its timeout path removes the waiter.
  task: { input: z.union([WaitTimedOutInput, AwaitEventInput]), arnVariable: 'AWAIT_EVENT_FUNCTION_ARN' },
});
