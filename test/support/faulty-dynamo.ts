import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#functions/_lib/clients/dynamo.ts';
import type { LocalDynamo } from './dynalite.ts';
import { answerTimeouts, type FaultProxy, startFaultProxy } from './fault-proxy.ts';

/**
 * A document client reaching dynalite through a fault proxy, one attempt per
 * call: a fault the proxy injects is what the SDK's own retries would end
 * with. Setup and assertions go straight to dynalite (`db.doc`).
 */
export async function faultyDynamo(
  db: LocalDynamo,
): Promise<{ proxy: FaultProxy; doc: DynamoDBDocumentClient }> {
  const proxy = await startFaultProxy(db.endpoint);
  const doc = documentClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    endpoint: proxy.endpoint,
    maxAttempts: 1,
  });
  answerTimeouts(doc);
  return { proxy, doc };
}
