import { putSystemEvent } from '#functions/_lib/system-events.ts';
import type { SegmentDeps } from './deps.ts';

export const RUN_EVENTS = {
  started: 'Segment Run Started',
  completed: 'Segment Run Completed',
} as const;

/** Puts a run notification on the bus, for people and integrations that follow entry. */
export function emitRunEvent(
  deps: Pick<SegmentDeps, 'events' | 'eventBus'>,
  detailType: (typeof RUN_EVENTS)[keyof typeof RUN_EVENTS],
  detail: Record<string, unknown>,
): Promise<void> {
  return putSystemEvent(deps.events, deps.eventBus, detailType, detail);
}
