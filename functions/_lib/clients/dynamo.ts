import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, type marshallOptions, type unmarshallOptions } from '@aws-sdk/lib-dynamodb';
import { integerText } from '#shared/number-text.ts';
import { lazyClient } from '../clients.ts';
import { storableCommandInput } from './dynamo-documents.ts';

/**
 * How documents are marshalled. Class instances are refused (a `Date` or a
 * repository object stored by mistake fails loudly); plain objects are maps
 * whatever their keys, which `storableCommandInput` ensures before the marshaller
 * looks at them. A number past 2^53 (an order id sent as a JSON number, 1e20)
 * is stored as the double the runtime holds, written as JavaScript writes it:
 * JSON.parse has already rounded it, and refusing it would fail the write on
 * every retry. Numbers DynamoDB cannot hold at all are refused at the edge
 * (shared/ingest/limits.ts).
 */
export const MARSHALL_OPTIONS: Readonly<marshallOptions> = {
  removeUndefinedValues: true,
  convertClassInstanceToMap: false,
  allowImpreciseNumbers: true,
};

/** Digits with an optional sign: an integer as DynamoDB returns it. */
const INTEGER_TEXT = /^-?\d+$/;

/**
 * A stored number as the runtime reads it. A number within 2^53, or one with
 * a fraction, is a JavaScript number. A larger integer is a number too when
 * its text is a double's, written out in full as DynamoDB returns it
 * (`integerText`): a value the product stored from an event reads back as
 * the same double, equal to the same literal in the next event. Any other
 * integer past 2^53 (a profile's packed event counters, profile-counter.ts)
 * is a BigInt, exact. The SDK's default reads the first kind as a BigInt too,
 * which no condition, template or JSON can use, and refuses a large number
 * with a fraction.
 */
export function storedNumber(text: string): number | bigint {
  const value = Number(text);
  if (Math.abs(value) <= Number.MAX_SAFE_INTEGER || !INTEGER_TEXT.test(text)) return value;
  return integerText(value) === text ? value : BigInt(text);
}

/** How items are read: numbers by `storedNumber`. */
export const UNMARSHALL_OPTIONS: Readonly<unmarshallOptions> = {
  wrapNumbers: storedNumber,
};

/**
 * The product's marshalling, for a document client on a low-level client
 * that others share (the local runtime's reads of its tables): a copy each
 * time, since the document client writes its own defaults into the options.
 */
export function documentOptions(): {
  marshallOptions: marshallOptions;
  unmarshallOptions: unmarshallOptions;
} {
  return { marshallOptions: { ...MARSHALL_OPTIONS }, unmarshallOptions: { ...UNMARSHALL_OPTIONS } };
}

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
    unmarshallOptions: { ...UNMARSHALL_OPTIONS },
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
