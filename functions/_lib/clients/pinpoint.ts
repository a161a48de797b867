import { PinpointClient } from '@aws-sdk/client-pinpoint';
import { lazyClient } from '../clients.ts';

/** The Pinpoint (End User Messaging) client of this process. */
export function pinpointClient(): PinpointClient {
  return lazyClient('pinpoint', () => new PinpointClient({}));
}
