import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SYSTEM_EVENT_SOURCE } from '#shared/events.ts';
import type { SegmentDeps } from './deps.ts';

export const RUN_EVENTS = {
  started: 'Segment Run Started',
  completed: 'Segment Run Completed',
} as const;

/** Puts a run notification on the bus, for people and integrations that follow entry. */
export async function emitRunEvent(
  deps: Pick<SegmentDeps, 'events' | 'eventBus'>,
  detailType: (typeof RUN_EVENTS)[keyof typeof RUN_EVENTS],
  detail: Record<string, unknown>,
): Promise<void> {
  const out = await deps.events.send(
    new PutEventsCommand({
      Entries: [
        {
          Source: SYSTEM_EVENT_SOURCE,
          DetailType: detailType,
          Detail: JSON.stringify(detail),
          EventBusName: deps.eventBus,
        },
      ],
    }),
  );
  if ((out.FailedEntryCount ?? 0) > 0)
    throw new Error(`PutEvents failed for ${detailType}: ${JSON.stringify(out.Entries)}`);
}
