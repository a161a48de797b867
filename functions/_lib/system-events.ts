import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SYSTEM_EVENT_SOURCE } from '#shared/event-sources.ts';

/** Puts one of the product's own notifications (deploys, segment runs) on the bus; a refused entry is an error. */
export async function putSystemEvent(
  events: EventBridgeClient,
  eventBus: string,
  detailType: string,
  detail: Record<string, unknown>,
): Promise<void> {
  const out = await events.send(
    new PutEventsCommand({
      Entries: [
        {
          Source: SYSTEM_EVENT_SOURCE,
          DetailType: detailType,
          Detail: JSON.stringify(detail),
          EventBusName: eventBus,
        },
      ],
    }),
  );
  if ((out.FailedEntryCount ?? 0) > 0)
    throw new Error(`PutEvents failed for ${detailType}: ${JSON.stringify(out.Entries)}`);
}
