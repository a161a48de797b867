export { DEMO_START, type DemoOptions, playDemo, printReport } from './demo.ts';
export { PortInUseError, type ServiceName } from './listen.ts';
export { DEFAULT_PORTS, type LocalOptions } from './options.ts';
export { type OutboxEntry, readOutbox } from './outbox.ts';
export { type LocalRuntime, startLocal } from './runtime.ts';
export { runSegmentNow, type SegmentRunResult } from './segments.ts';
export { type JourneyStatus, journeyStatus } from './status.ts';
export { customerTimelines } from './timeline.ts';
