import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, type marshallOptions } from '@aws-sdk/lib-dynamodb';
import { lazyClient } from '../clients.ts';
import { storableCommandInput } from './dynamo-documents.ts';

/**
 * How documents are marshalled. Class instances are refused (a `Date` or a
 * repository object stored by mistake fails loudly); plain objects are maps
 * whatever their keys, which `storableCommandInput` ensures before the marshaller
 * looks at them.
 */
export const MARSHALL_OPTIONS: Readonly<marshallOptions> = {
  removeUndefinedValues: true,
  convertClassInstanceToMap: false,
};

/**
 * A document client with the product's marshalling, on a low-level client of
 * its own: the document client shares that client's middleware stack, and
 * the step added here sits next to the SDK's marshalling step, which
 * low-level commands lack (sent through it, they would fail).
 */
export function documentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  // A copy: the document client writes its own defaults into the options it is given.
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: { ...MARSHALL_OPTIONS },
  });
  doc.middlewareStack.addRelativeTo(storableStep, {
    name: 'storableDocuments',
    relation: 'before',
    toMiddleware: 'DocumentMarshall',
  });
  return doc;
}

/** The step that hands the SDK's marshalling storable documents. */
function storableStep<A extends { input: object }, R>(next: (args: A) => Promise<R>) {
  return (args: A): Promise<R> => next({ ...args, input: storableCommandInput(args.input) });
}

/** The DynamoDB document client of this process. */
export function dynamoClient(): DynamoDBDocumentClient {
  return lazyClient('dynamo', (config) => documentClient(config));
}

/** The low-level DynamoDB client of this process, for what the document client cannot send (DescribeTable). */
export function dynamoTablesClient(): DynamoDBClient {
  return lazyClient('dynamoTables', (config) => new DynamoDBClient(config));
}
