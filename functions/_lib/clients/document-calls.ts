import {
  DeleteCommand,
  type DeleteCommandInput,
  type DeleteCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  type GetCommandInput,
  type GetCommandOutput,
  PutCommand,
  type PutCommandInput,
  type PutCommandOutput,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
  UpdateCommand,
  type UpdateCommandInput,
  type UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';

/**
 * The single-item operations and queries the repositories make, as calls on
 * a document client. By default each is the SDK command sent through the
 * client. A client may instead answer them itself (`answerDocumentCalls`):
 * an in-memory store gives the same outputs and errors without building the
 * two middleware stacks every document command makes.
 */
export type DocumentCalls = {
  get(input: GetCommandInput): Promise<GetCommandOutput>;
  put(input: PutCommandInput): Promise<PutCommandOutput>;
  update(input: UpdateCommandInput): Promise<UpdateCommandOutput>;
  delete(input: DeleteCommandInput): Promise<DeleteCommandOutput>;
  query(input: QueryCommandInput): Promise<QueryCommandOutput>;
};

/** Clients that answer the calls themselves (weakly held: a client's life is its owner's). */
const answering = new WeakMap<DynamoDBDocumentClient, DocumentCalls>();

/** Makes `client` answer the repositories' calls with `calls` instead of commands. */
export function answerDocumentCalls(client: DynamoDBDocumentClient, calls: DocumentCalls): void {
  answering.set(client, calls);
}

export function getItem(db: DynamoDBDocumentClient, input: GetCommandInput): Promise<GetCommandOutput> {
  return answering.get(db)?.get(input) ?? db.send(new GetCommand(input));
}

export function putItem(db: DynamoDBDocumentClient, input: PutCommandInput): Promise<PutCommandOutput> {
  return answering.get(db)?.put(input) ?? db.send(new PutCommand(input));
}

export function updateItem(
  db: DynamoDBDocumentClient,
  input: UpdateCommandInput,
): Promise<UpdateCommandOutput> {
  return answering.get(db)?.update(input) ?? db.send(new UpdateCommand(input));
}

export function deleteItem(
  db: DynamoDBDocumentClient,
  input: DeleteCommandInput,
): Promise<DeleteCommandOutput> {
  return answering.get(db)?.delete(input) ?? db.send(new DeleteCommand(input));
}

export function queryItems(
  db: DynamoDBDocumentClient,
  input: QueryCommandInput,
): Promise<QueryCommandOutput> {
  return answering.get(db)?.query(input) ?? db.send(new QueryCommand(input));
}
