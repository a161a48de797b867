import { defineFunction } from '#functions/_lib/manifest.ts';

export const manifest = defineFunction({
  name: 'execution-status',
  description: 'Journey executions that ended: waiters and enrollments cleaned up, outcomes',
  bindings: { profilesTable: 'readWrite', enrollmentsTable: 'readWrite', statsTable: 'readWrite' },
});
