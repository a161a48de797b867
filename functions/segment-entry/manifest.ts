import { defineFunction } from '#functions/_lib/manifest.ts';

export const manifest = defineFunction({
  name: 'segment-entry',
  description: 'Segment journeys: scheduled fan-out, paced profile scans and enrollments',
  bindings: {
    // Scans it, and reads its size (DescribeTable) to choose a run's Scan segments.
    profilesTable: 'readWrite',
    // Writes the decision of an experiment that ends on entry.
    journeysTable: 'readWrite',
    statsTable: 'readWrite',
    enrollmentsTable: 'readWrite',
    segmentQueue: 'send',
    journeyExecutions: 'start',
    eventBus: 'putEvents',
    segmentPacing: 'pace',
  },
  // A queue message is a Scan page or 25 enrollments.
  timeoutSeconds: 60,
});
