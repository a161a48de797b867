import { SESv2Client, type SESv2ClientConfig } from '@aws-sdk/client-sesv2';
import { lazyClient } from '../clients.ts';
import { type SendClientTimeouts, sendClientConfig } from './send-config.ts';

/** An SES v2 client for sending: one attempt per call (see send-config.ts). */
export function sendingSesClient(config: SESv2ClientConfig = {}, timeouts?: SendClientTimeouts): SESv2Client {
  return new SESv2Client({ ...config, ...sendClientConfig(timeouts) });
}

/** The SES v2 client of this process. */
export function sesClient(): SESv2Client {
  return lazyClient('ses', (config) => sendingSesClient(config));
}
