import { defineFunction } from '#functions/_lib/manifest.ts';

export const manifest = defineFunction({
  name: 'delivery-feedback',
  description: 'SES and SMS delivery events: statuses, bounces, complaints',
  bindings: { profilesTable: 'readWrite', statsTable: 'readWrite', deliveriesTable: 'readWrite' },
});
