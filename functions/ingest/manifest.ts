import { defineFunction } from '#functions/_lib/manifest.ts';

export const manifest = defineFunction({
  name: 'ingest',
  description: 'Customer events: profiles, enrollments, waiting steps, goals',
  bindings: {
    profilesTable: 'readWrite',
    enrollmentsTable: 'readWrite',
    // Writes the decision of an experiment that ends on entry.
    journeysTable: 'readWrite',
    statsTable: 'readWrite',
    rejectedQueue: 'send',
    journeyExecutions: 'startAndStop',
    taskCallbacks: ['success'],
    aliasTrust: 'merge',
  },
});
