import { defineFunction } from '#functions/_lib/manifest.ts';

export const manifest = defineFunction({
  name: 'deploy-journey',
  description: 'Validate, compile and publish a journey from S3',
  bindings: {
    journeysBucket: 'readWrite',
    journeysTable: 'readWrite',
    statsTable: 'readWrite',
    eventBus: 'putEvents',
    journeyDeployment: 'deploy',
    schedules: 'manage',
  },
});
