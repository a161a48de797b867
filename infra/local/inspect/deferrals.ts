import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { documentOptions } from '#functions/_lib/clients/dynamo.ts';
import { deliveryIdOf } from '#functions/_lib/deliveries.ts';
import { ErrorName } from '#shared/errors.ts';
import { DELIVERIES_TABLE } from '#shared/tables.ts';
import { localTableName } from '../services/dynamodb/dynalite.ts';

const SendInput = z
  .object({ enrollmentId: z.string(), stepId: z.string(), visit: z.string().optional() })
  .loose();
const Delivery = z.object({ output: z.object({ reason: z.string() }).loose() }).loose();

/**
 * Why send-message deferred a message: the error carries only the time, the
 * delivery record the reason (quiet hours, frequency cap). Read right after
 * the deferral, before a later attempt overwrites the record.
 */
export function deferralReason(client: DynamoDBClient) {
  const db = DynamoDBDocumentClient.from(client, documentOptions());
  return async (input: unknown, error: unknown): Promise<string | undefined> => {
    if (!(error instanceof Error) || error.name !== ErrorName.Deferred) return undefined;
    const send = SendInput.safeParse(input).data;
    if (send === undefined) return undefined;
    const out = await db
      .send(
        new GetCommand({
          TableName: localTableName(DELIVERIES_TABLE),
          Key: { deliveryId: deliveryIdOf(send.enrollmentId, send.stepId, send.visit) },
          ConsistentRead: true,
        }),
      )
      .catch(() => undefined);
    return Delivery.safeParse(out?.Item).data?.output.reason;
  };
}
