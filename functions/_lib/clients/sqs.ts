import { SQSClient } from '@aws-sdk/client-sqs';
import { lazyClient } from '../clients.ts';

/** The SQS client of this process. */
export function sqsClient(): SQSClient {
  return lazyClient('sqs', (config) => new SQSClient(config));
}
