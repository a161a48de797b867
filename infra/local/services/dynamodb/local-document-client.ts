import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#functions/_lib/clients/dynamo.ts';
import { reuseResolvedHandlers } from './handler-cache.ts';

/**
 * The document client of the local runtime's handlers and of the tests, on a
 * dynalite at a fixed `endpoint` (in this process, with `inProcessConfig`):
 * the product's client (its marshalling, retries, serialization and
 * signature), each kind of command's middleware built once
 * (handler-cache.ts), and without two steps that only describe a call to
 * AWS, each a few percent of a call's CPU: the endpoint rules, evaluated per
 * call for an endpoint that never changes, and the user-agent header, which
 * dynalite never reads.
 */
export function localDocumentClient(
  config: DynamoDBClientConfig & { endpoint: string },
): DynamoDBDocumentClient {
  const doc = documentClient(config);
  if (!doc.middlewareStack.remove(USER_AGENT_STEP))
    throw new Error(`the SDK's DynamoDB client has no ${USER_AGENT_STEP} step to leave out`);
  return reuseResolvedHandlers(doc, { fixedEndpoint: true });
}

const USER_AGENT_STEP = 'getUserAgentMiddleware';
