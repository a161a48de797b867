import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { answerDocumentCalls } from '#functions/_lib/clients/document-calls.ts';
import { fromItem, MARSHALL, toItem } from './convert.ts';
import type { Item } from './expression-eval.ts';
import { type MemoryTables, Request } from './memory-tables.ts';

/**
 * Real AWS SDK clients whose requests are answered by in-memory tables: a
 * middleware at the front of the stack takes the command's input and returns
 * its output, so no request is serialised, signed or sent. The repositories
 * run unchanged on these clients; the contract suite proves them equivalent
 * to the same repositories on dynalite.
 */

const Input = z.record(z.string(), z.unknown());

type Mode = 'document' | 'attributes';
/** Every field the tables' operations answer (MemoryTables: get, put, update, delete, query, scan). */
type Output = { Item?: Item; Attributes?: Item; Items?: Item[]; Count?: number; LastEvaluatedKey?: Item };

/** The request fields of the document commands the tables answer, values in document shape. */
type DocumentInput = Omit<Request, 'TableName' | (typeof ITEM_FIELDS)[number]> & {
  TableName?: string | undefined;
} & { [F in (typeof ITEM_FIELDS)[number]]?: Record<string, unknown> | undefined };

const ITEM_FIELDS = ['Key', 'Item', 'ExclusiveStartKey', 'ExpressionAttributeValues'] as const;

/** A document request as the low-level request it becomes (values marshalled as the document client does). */
function documentRequest(input: DocumentInput): Request {
  // Field by field rather than by spreading (this runs for every call of a simulation); the type
  // requires every field of Request, so one added there cannot be forgotten here.
  const request: { [F in keyof Required<Request>]: Request[F] } = {
    TableName: input.TableName ?? '',
    Key: input.Key === undefined ? undefined : toItem(input.Key),
    Item: input.Item === undefined ? undefined : toItem(input.Item),
    ExclusiveStartKey: input.ExclusiveStartKey === undefined ? undefined : toItem(input.ExclusiveStartKey),
    ExpressionAttributeValues:
      input.ExpressionAttributeValues === undefined ? undefined : toItem(input.ExpressionAttributeValues),
    ExpressionAttributeNames: input.ExpressionAttributeNames,
    UpdateExpression: input.UpdateExpression,
    ConditionExpression: input.ConditionExpression,
    KeyConditionExpression: input.KeyConditionExpression,
    FilterExpression: input.FilterExpression,
    ProjectionExpression: input.ProjectionExpression,
    ReturnValues: input.ReturnValues,
    ReturnValuesOnConditionCheckFailure: input.ReturnValuesOnConditionCheckFailure,
    ConsistentRead: input.ConsistentRead,
    ScanIndexForward: input.ScanIndexForward,
    Limit: input.Limit,
    IndexName: input.IndexName,
  };
  return request;
}

/** What a document command answers: items as documents, and the operation's other fields. */
type DocumentOutput = {
  Item?: Record<string, unknown>;
  Attributes?: Record<string, unknown>;
  Items?: Record<string, unknown>[];
  Count?: number;
  LastEvaluatedKey?: Record<string, unknown>;
  $metadata: object;
};

function documentOutput(output: Output): DocumentOutput {
  // Field by field rather than a spread of the output (every call of a simulation comes through here,
  // and the outputs of the operations differ in shape); Output names every field an operation answers.
  const out: DocumentOutput = { $metadata: {} };
  if (output.Item !== undefined) out.Item = fromItem(output.Item);
  if (output.Attributes !== undefined) out.Attributes = fromItem(output.Attributes);
  if (output.Items !== undefined) out.Items = output.Items.map(fromItem);
  if (output.Count !== undefined) out.Count = output.Count;
  if (output.LastEvaluatedKey !== undefined) out.LastEvaluatedKey = fromItem(output.LastEvaluatedKey);
  return out;
}

function answer(tables: MemoryTables, command: string, input: Request): Output {
  switch (command) {
    case 'GetItemCommand':
      return tables.get(input);
    case 'PutItemCommand':
      return tables.put(input);
    case 'UpdateItemCommand':
      return tables.update(input);
    case 'DeleteItemCommand':
      return tables.delete(input);
    case 'QueryCommand':
      return tables.query(input);
    case 'ScanCommand':
      return tables.scan(input);
    default:
      throw new Error(`The in-memory DynamoDB does not implement ${command}`);
  }
}

function memoryClient(tables: MemoryTables, mode: Mode): DynamoDBClient {
  const client = new DynamoDBClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'memory', secretAccessKey: 'memory' },
  });
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const command = String(context.commandName);
      const output =
        mode === 'document'
          ? documentOutput(answer(tables, command, documentRequest(DocumentRequest.parse(args.input))))
          : { ...answer(tables, command, Request.parse(args.input)), $metadata: {} };
      return { output, response: {} };
    },
    { step: 'initialize', priority: 'high', name: 'memoryDynamo' },
  );
  return client;
}

/** What a document command given through the middleware stack carries (checked: it is typed only at compile time there). */
const DocumentRequest = Request.extend({
  TableName: z.string().optional(),
  Key: Input.optional(),
  Item: Input.optional(),
  ExclusiveStartKey: Input.optional(),
  ExpressionAttributeValues: Input.optional(),
});

/** The document commands answered directly, with their low-level operation and typed input. */
function directRequest(command: unknown): { operation: string; input: DocumentInput } | undefined {
  if (command instanceof GetCommand) return { operation: 'GetItemCommand', input: command.input };
  if (command instanceof PutCommand) return { operation: 'PutItemCommand', input: command.input };
  if (command instanceof UpdateCommand) return { operation: 'UpdateItemCommand', input: command.input };
  if (command instanceof DeleteCommand) return { operation: 'DeleteItemCommand', input: command.input };
  if (command instanceof QueryCommand) return { operation: 'QueryCommand', input: command.input };
  if (command instanceof ScanCommand) return { operation: 'ScanCommand', input: command.input };
  return undefined;
}

/**
 * The document client the repositories take, on in-memory tables. It
 * answers the repositories' calls (`answerDocumentCalls`) and any document
 * command given to `send` directly: resolving the SDK's middleware stack,
 * building the two each document command makes, and validating a request
 * the SDK's types already describe cost more than the whole in-memory
 * operation, and a simulation makes millions of calls. Any other use goes
 * through the stack as usual.
 */
export function memoryDocumentClient(tables: MemoryTables): DynamoDBDocumentClient {
  const client = DynamoDBDocumentClient.from(memoryClient(tables, 'document'), {
    // A copy: the document client writes its own defaults into the options it is given.
    marshallOptions: { ...MARSHALL },
  });
  const viaStack = client.send.bind(client);
  const direct = async (command: unknown, ...rest: unknown[]) => {
    const request = rest.length === 0 ? directRequest(command) : undefined;
    if (request === undefined) return Reflect.apply(viaStack, client, [command, ...rest]);
    return documentOutput(answer(tables, request.operation, documentRequest(request.input)));
  };
  Reflect.set(client, 'send', direct);
  const call = (operation: string, input: DocumentInput) =>
    documentOutput(answer(tables, operation, documentRequest(input)));
  answerDocumentCalls(client, {
    get: async (input) => call('GetItemCommand', input),
    put: async (input) => call('PutItemCommand', input),
    update: async (input) => call('UpdateItemCommand', input),
    delete: async (input) => call('DeleteItemCommand', input),
    query: async (input) => call('QueryCommand', input),
  });
  return client;
}

/** A low-level client (AttributeValue requests, as Step Functions' dynamodb:updateItem sends). */
export function memoryAttributeClient(tables: MemoryTables): DynamoDBClient {
  return memoryClient(tables, 'attributes');
}
