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
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import * as z from 'zod';
import type { Item } from './expression-eval.ts';
import { type MemoryTables, Request } from './memory-tables.ts';

/**
 * Real AWS SDK clients whose requests are answered by in-memory tables: a
 * middleware at the front of the stack takes the command's input and returns
 * its output, so no request is serialised, signed or sent. The repositories
 * run unchanged on these clients; the contract suite proves them equivalent
 * to the same repositories on dynalite.
 */

/** The same marshalling the product's document client uses (functions/_lib/clients/dynamo.ts). */
const MARSHALL = { removeUndefinedValues: true, convertClassInstanceToMap: false };

const Input = z.record(z.string(), z.unknown());

type Mode = 'document' | 'attributes';

function toAttributes(value: unknown, mode: Mode): Item | undefined {
  if (value === undefined) return undefined;
  const record = Input.parse(value);
  if (mode === 'document') return marshall(record, { ...MARSHALL, convertTopLevelContainer: false });
  return attributeRecord(record);
}

const AttributeRecord = z.record(
  z.string(),
  z.custom<AttributeValue>((v) => typeof v === 'object' && v !== null),
);
function attributeRecord(value: unknown): Item {
  return AttributeRecord.parse(value);
}

function fromAttributes(item: Item | undefined, mode: Mode): unknown {
  if (item === undefined) return undefined;
  return mode === 'document' ? unmarshall(item) : item;
}

function convertInput(input: Record<string, unknown>, mode: Mode) {
  const out: Record<string, unknown> = { ...input };
  for (const field of ['Key', 'Item', 'ExclusiveStartKey', 'ExpressionAttributeValues'] as const)
    if (input[field] !== undefined) out[field] = toAttributes(input[field], mode);
  return out;
}

function convertOutput(
  output: { Item?: Item; Attributes?: Item; Items?: Item[]; LastEvaluatedKey?: Item },
  mode: Mode,
) {
  const out: Record<string, unknown> & { $metadata: object } = { ...output, $metadata: {} };
  if (output.Item !== undefined) out.Item = fromAttributes(output.Item, mode);
  if (output.Attributes !== undefined) out.Attributes = fromAttributes(output.Attributes, mode);
  if (output.LastEvaluatedKey !== undefined)
    out.LastEvaluatedKey = fromAttributes(output.LastEvaluatedKey, mode);
  if (output.Items !== undefined) out.Items = output.Items.map((i) => fromAttributes(i, mode));
  return out;
}

function answer(tables: MemoryTables, command: string, raw: Record<string, unknown>) {
  const input = Request.parse(raw);
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
      const input = convertInput(Input.parse(args.input), mode);
      // Typed by what every output has; the SDK hands the whole object to the caller.
      const output: { $metadata: object } = convertOutput(
        answer(tables, String(context.commandName), input),
        mode,
      );
      return { output, response: {} };
    },
    { step: 'initialize', priority: 'high', name: 'memoryDynamo' },
  );
  return client;
}

/** The low-level operation of each document command. */
const OPERATIONS = [
  [GetCommand, 'GetItemCommand'],
  [PutCommand, 'PutItemCommand'],
  [UpdateCommand, 'UpdateItemCommand'],
  [DeleteCommand, 'DeleteItemCommand'],
  [QueryCommand, 'QueryCommand'],
  [ScanCommand, 'ScanCommand'],
] as const;

/**
 * The document client the repositories take, on in-memory tables. Its `send`
 * answers a document command directly: resolving the SDK's middleware stack
 * costs more than the whole in-memory operation, and a simulation makes
 * millions of calls. Any other use goes through the stack as usual.
 */
export function memoryDocumentClient(tables: MemoryTables): DynamoDBDocumentClient {
  const client = DynamoDBDocumentClient.from(memoryClient(tables, 'document'), {
    // A copy: the document client writes its own defaults into the options it is given.
    marshallOptions: { ...MARSHALL },
  });
  const viaStack = client.send.bind(client);
  const direct = async (command: unknown, ...rest: unknown[]) => {
    const operation = OPERATIONS.find(([type]) => command instanceof type)?.[1];
    if (operation === undefined || rest.length > 0 || !(command instanceof Object) || !('input' in command))
      return Reflect.apply(viaStack, client, [command, ...rest]);
    const input = convertInput(Input.parse(command.input), 'document');
    return convertOutput(answer(tables, operation, input), 'document');
  };
  Reflect.set(client, 'send', direct);
  return client;
}

/** A low-level client (AttributeValue requests, as Step Functions' dynamodb:updateItem sends). */
export function memoryAttributeClient(tables: MemoryTables): DynamoDBClient {
  return memoryClient(tables, 'attributes');
}
