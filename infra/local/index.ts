// First: handler logging is set before any handler module loads.
import './runtime/quiet-handlers.ts';

export { DEMO_START, playDemo } from './demo/demo.ts';
export { journeyStatus } from './inspect/status.ts';
export { customerTimelines } from './inspect/timeline.ts';
export { readConnectionsFile } from './runtime/connections.ts';
export { PortInUseError, type ServiceName } from './runtime/listen.ts';
export { DEFAULT_PORTS, type LocalOptions } from './runtime/options.ts';
export { DataDirInUseError } from './runtime/running.ts';
export { type LocalRuntime, startLocal } from './runtime/runtime.ts';
export { runSegmentNow } from './runtime/segments.ts';
export { readOutbox } from './services/pinpoint/outbox.ts';
