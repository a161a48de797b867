import { type AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
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
import { fromItem, MARSHALL, toItem, UNMARSHALL } from './convert.ts';
import {
  type Doc,
  frozen,
  readable,
  storedRequestItem,
  storedRequestKey,
  storedRequestValues,
} from './documents.ts';
import type { MemoryTables, Request } from './memory-tables.ts';

/**
 * Real AWS SDK clients whose requests are answered by in-memory tables: a
 * middleware at the front of the stack takes the command's input and returns
 * its output, so no request is serialised, signed or sent. The repositories
 * run unchanged on these clients; the contract suite proves them equivalent
 * to the same repositories on dynalite.
 *
 * The tables hold documents: a document request's items and values are only
 * brought to their stored form (documents.ts), and what comes back is the
 * stored item itself, frozen (a copy when it holds a set or binary);
 * a low-level request's AttributeValues are converted to documents and its
 * answer back.
 */

type Mode = 'document' | 'attributes';
/** Every field the tables' operations answer (MemoryTables: get, put, update, delete, query, scan). */
type Output = { Item?: Doc; Attributes?: Doc; Items?: Doc[]; Count?: number; LastEvaluatedKey?: Doc };

const ITEM_FIELDS = ['Key', 'Item', 'ExclusiveStartKey', 'ExpressionAttributeValues'] as const;

/** The request fields of the commands the tables answer, items in the caller's shape. */
type CallerInput<V> = Omit<Request, (typeof ITEM_FIELDS)[number]> & {
  [F in (typeof ITEM_FIELDS)[number]]?: V | undefined;
};

/** A request's items, keys and values, in their stored form. */
type StoredFields = Pick<Request, (typeof ITEM_FIELDS)[number]>;

/** A request with its items, keys and values replaced by `stored`. */
function tableRequest<V>(input: CallerInput<V>, stored: StoredFields): Request {
  // Field by field rather than by spreading (this runs for every call of a simulation); the type
  // requires every field of Request, so one added there cannot be forgotten here.
  const request: { [F in keyof Required<Request>]: Request[F] } = {
    TableName: input.TableName,
    Key: stored.Key,
    Item: stored.Item,
    ExclusiveStartKey: stored.ExclusiveStartKey,
    ExpressionAttributeValues: stored.ExpressionAttributeValues,
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

/**
 * A document request as the tables take it. A request with no item to store
 * whose key and values are already their stored form (a Get, Update, Delete
 * or Query of the product's: strings and safe numbers) is handed over as it
 * is: the tables only read it during the call.
 */
function documentRequest(input: DocumentInput): Request {
  const key = input.Key === undefined ? undefined : storedRequestKey(input.Key);
  const values =
    input.ExpressionAttributeValues === undefined
      ? undefined
      : storedRequestValues(input.ExpressionAttributeValues);
  if (
    input.Item === undefined &&
    input.ExclusiveStartKey === undefined &&
    key === input.Key &&
    values === input.ExpressionAttributeValues
  )
    return input;
  return tableRequest(input, {
    Key: key,
    Item: input.Item === undefined ? undefined : storedRequestItem(input.Item),
    ExclusiveStartKey:
      input.ExclusiveStartKey === undefined ? undefined : storedRequestKey(input.ExclusiveStartKey),
    ExpressionAttributeValues: values,
  });
}

/** A low-level request as the tables take it: AttributeValues as documents. */
function attributeRequest(input: AttributeInput): Request {
  const convert = (item: Record<string, AttributeValue> | undefined) =>
    item === undefined ? undefined : frozen(fromItem(item));
  return tableRequest(input, {
    Key: convert(input.Key),
    Item: convert(input.Item),
    ExclusiveStartKey: convert(input.ExclusiveStartKey),
    ExpressionAttributeValues: convert(input.ExpressionAttributeValues),
  });
}

/** What a command answers: items made into the caller's shape by `convert`, and the operation's other fields. */
type CallerOutput<V> = {
  Item?: V;
  Attributes?: V;
  Items?: V[];
  Count?: number;
  LastEvaluatedKey?: V;
  $metadata: object;
};

function callerOutput<V>(output: Output, convert: (item: Doc) => V): CallerOutput<V> {
  // Field by field rather than a spread of the output (every call of a simulation comes through here,
  // and the outputs of the operations differ in shape); Output names every field an operation answers.
  const out: CallerOutput<V> = { $metadata: {} };
  if (output.Item !== undefined) out.Item = convert(output.Item);
  if (output.Attributes !== undefined) out.Attributes = convert(output.Attributes);
  if (output.Items !== undefined) out.Items = output.Items.map(convert);
  if (output.Count !== undefined) out.Count = output.Count;
  if (output.LastEvaluatedKey !== undefined) out.LastEvaluatedKey = convert(output.LastEvaluatedKey);
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

/** A document call answered: values stored as the document client would marshall them, answers read-only (documents.ts: readable). */
function documentCall(tables: MemoryTables, command: string, input: DocumentInput) {
  return callerOutput(answer(tables, command, documentRequest(input)), readable);
}

/** A low-level call answered: AttributeValues as documents, answers as AttributeValues. */
function attributeCall(tables: MemoryTables, command: string, input: AttributeInput) {
  return callerOutput(answer(tables, command, attributeRequest(input)), toItem);
}

const Names = z.record(z.string(), z.string());
/** The fields every request may carry, checked (a request through the stack is typed only at compile time). */
const Fields = {
  TableName: z.string().optional(),
  ExpressionAttributeNames: Names.optional(),
  UpdateExpression: z.string().optional(),
  ConditionExpression: z.string().optional(),
  KeyConditionExpression: z.string().optional(),
  FilterExpression: z.string().optional(),
  ProjectionExpression: z.string().optional(),
  ReturnValues: z.string().optional(),
  ReturnValuesOnConditionCheckFailure: z.string().optional(),
  ConsistentRead: z.boolean().optional(),
  ScanIndexForward: z.boolean().optional(),
  Limit: z.number().optional(),
  IndexName: z.string().optional(),
};
const Document = z.record(z.string(), z.unknown());
const AttributeRecord = z.record(
  z.string(),
  z.custom<AttributeValue>((v) => typeof v === 'object' && v !== null),
);
const DocumentRequest = z.object({
  ...Fields,
  Key: Document.optional(),
  Item: Document.optional(),
  ExclusiveStartKey: Document.optional(),
  ExpressionAttributeValues: Document.optional(),
});
const AttributeRequest = z.object({
  ...Fields,
  Key: AttributeRecord.optional(),
  Item: AttributeRecord.optional(),
  ExclusiveStartKey: AttributeRecord.optional(),
  ExpressionAttributeValues: AttributeRecord.optional(),
});
type DocumentInput = CallerInput<Record<string, unknown>>;
type AttributeInput = CallerInput<Record<string, AttributeValue>>;

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
          ? documentCall(tables, command, DocumentRequest.parse(args.input))
          : attributeCall(tables, command, AttributeRequest.parse(args.input));
      return { output, response: {} };
    },
    { step: 'initialize', priority: 'high', name: 'memoryDynamo' },
  );
  return client;
}

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
    unmarshallOptions: { ...UNMARSHALL },
  });
  const viaStack = client.send.bind(client);
  const direct = async (command: unknown, ...rest: unknown[]) => {
    const request = rest.length === 0 ? directRequest(command) : undefined;
    if (request === undefined) return Reflect.apply(viaStack, client, [command, ...rest]);
    return documentCall(tables, request.operation, request.input);
  };
  Reflect.set(client, 'send', direct);
  answerDocumentCalls(client, {
    get: async (input) => documentCall(tables, 'GetItemCommand', input),
    put: async (input) => documentCall(tables, 'PutItemCommand', input),
    update: async (input) => documentCall(tables, 'UpdateItemCommand', input),
    delete: async (input) => documentCall(tables, 'DeleteItemCommand', input),
    query: async (input) => documentCall(tables, 'QueryCommand', input),
  });
  return client;
}

/** A low-level client (AttributeValue requests, as Step Functions' dynamodb:updateItem sends). */
export function memoryAttributeClient(tables: MemoryTables): DynamoDBClient {
  return memoryClient(tables, 'attributes');
}
