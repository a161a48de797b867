import { PinpointClient, type PinpointClientConfig } from '@aws-sdk/client-pinpoint';
import { lazyClient } from '../clients.ts';
import { type SendClientTimeouts, sendClientConfig } from './send-config.ts';

/** A Pinpoint (End User Messaging) client for sending: one attempt per call (see send-config.ts). */
export function sendingPinpointClient(
  config: PinpointClientConfig = {},
  timeouts?: SendClientTimeouts,
): PinpointClient {
  return new PinpointClient({ ...config, ...sendClientConfig(timeouts) });
}

/** The Pinpoint (End User Messaging) client of this process. */
export function pinpointClient(): PinpointClient {
  return lazyClient('pinpoint', (config) => sendingPinpointClient(config));
}
