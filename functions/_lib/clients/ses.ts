import { SESv2Client } from '@aws-sdk/client-sesv2';
import { lazyClient } from '../clients.ts';

/** The SES v2 client of this process. */
export function sesClient(): SESv2Client {
  return lazyClient('ses', () => new SESv2Client({}));
}
