import {
  type DynamoDBClient,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import type { LocalBus } from '../eventbridge/bus.ts';

/** The service integrations compiled journeys use, by Task resource. */
export const UPDATE_ITEM_RESOURCE = 'arn:aws:states:::dynamodb:updateItem';
export const PUT_EVENTS_RESOURCE = 'arn:aws:states:::events:putEvents';

const UpdateItemShape = z.object({
  TableName: z.string(),
  Key: z.record(z.string(), z.record(z.string(), z.unknown())),
});
// The attribute values themselves are checked by DynamoDB, as in AWS.
const UpdateItemParameters = z.custom<UpdateItemCommandInput>(
  (value) => UpdateItemShape.safeParse(value).success,
  {
    message: 'dynamodb:updateItem needs TableName and Key',
  },
);

/** `dynamodb:updateItem`: the Task's Parameters are the UpdateItem request; the result is its response. */
export function updateItemIntegration(client: DynamoDBClient) {
  return async (input: unknown): Promise<unknown> => {
    const parameters: UpdateItemCommandInput = UpdateItemParameters.parse(input);
    try {
      const { $metadata: _metadata, ...output } = await client.send(new UpdateItemCommand(parameters));
      return output;
    } catch (error) {
      // Step Functions names integration errors DynamoDB.<Exception>.
      if (error instanceof Error) error.name = `DynamoDB.${error.name}`;
      throw error;
    }
  };
}

const PutEventsParameters = z.object({
  Entries: z
    .array(
      z.object({
        Source: z.string(),
        DetailType: z.string(),
        Detail: z.unknown(),
        EventBusName: z.string().optional(),
        Resources: z.array(z.string()).optional(),
      }),
    )
    .min(1),
});

/** `events:putEvents`: in Step Functions `Detail` is a JSON object; EventBridge receives it as a string. */
export function putEventsIntegration(bus: LocalBus) {
  return async (input: unknown): Promise<unknown> => {
    const { Entries } = PutEventsParameters.parse(input);
    const entries = Entries.map((e) => ({
      ...e,
      Detail: typeof e.Detail === 'string' ? e.Detail : JSON.stringify(e.Detail ?? {}),
    }));
    const result = await bus.put(entries);
    if (result.FailedEntryCount > 0) {
      const error = new Error(JSON.stringify(result.Entries));
      error.name = 'EventBridge.FailedEntry';
      throw error;
    }
    return result;
  };
}
