import { SFNClient } from '@aws-sdk/client-sfn';
import { lazyClient } from '../clients.ts';

/** The Step Functions client of this process. */
export function sfnClient(): SFNClient {
  return lazyClient('sfn', (config) => new SFNClient(config));
}
