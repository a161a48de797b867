import { defineFunction } from '#functions/_lib/manifest.ts';

export const manifest = defineFunction({
  name: 'execution-status',
  description: 'Journey executions that ended: waiters and enrollments cleaned up, outcomes',
  bindings: {
    profilesTable: 'readWrite',
    enrollmentsTable: 'readWrite',
    statsTable: 'readWrite',
    // An end whose event left the input and output out (past 248 KB together) reads them from the execution.
    journeyExecutions: 'describe',
  },
});
