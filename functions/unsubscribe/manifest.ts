import { defineFunction } from '#functions/_lib/manifest.ts';

export const manifest = defineFunction({
  name: 'unsubscribe',
  description: 'Unsubscribe links: preference page and one-click opt-out',
  bindings: { profilesTable: 'readWrite', signingKey: 'read' },
});
