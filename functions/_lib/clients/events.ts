import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { lazyClient } from '../clients.ts';

/** The EventBridge client of this process. */
export function eventsClient(): EventBridgeClient {
  return lazyClient('events', (config) => new EventBridgeClient(config));
}
