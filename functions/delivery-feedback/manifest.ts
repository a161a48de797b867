import { defineFunction } from '#functions/_lib/manifest.ts';

export const manifest = defineFunction({
  name: 'delivery-feedback',
  description: 'SES and SMS delivery events: statuses, bounces, complaints, message outcomes',
  bindings: {
    profilesTable: 'readWrite',
    statsTable: 'readWrite',
    deliveriesTable: 'readWrite',
    // Resumes message steps waiting for their outcome.
    enrollmentsTable: 'readWrite',
    taskCallbacks: ['success'],
  },
});
