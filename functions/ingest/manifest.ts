import { defineFunction } from '#functions/_lib/manifest.ts';

export const manifest = defineFunction({
  name: 'ingest',
  description: 'Customer events: profiles, enrollments, waiting steps, goals',
  bindings: {
    profilesTable: 'readWrite',
    enrollmentsTable: 'readWrite',
    journeysTable: 'read',
    statsTable: 'readWrite',
    rejectedQueue: 'send',
    journeyExecutions: 'startAndStop',
    taskCallbacks: ['success', 'failure'],
  },
});
