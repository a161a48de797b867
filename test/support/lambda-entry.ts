import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { setClients } from '#functions/_lib/clients.ts';
import type { LocalDynamo } from './dynalite.ts';
import { mockedClient } from './mocked-clients.ts';

/** The Lambda context a handler called through its entry point receives. */
export function lambdaContext(functionName: string): Context {
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: 'req-1',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 's',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Points the handlers' config and clients at the local tables (SDK clients of
 * the other services for the tests' mocks), the handlers' document client
 * failing each request `fails` picks, as if the invocation died there.
 */
export function handlersOn(
  db: LocalDynamo,
  fails: (command: string, input: { TableName?: unknown; UpdateExpression?: unknown }) => boolean,
): void {
  Object.assign(process.env, {
    PROFILES_TABLE_NAME: db.tables.profiles,
    ENROLLMENTS_TABLE_NAME: db.tables.enrollments,
    JOURNEYS_TABLE_NAME: db.tables.journeys,
    STATS_TABLE_NAME: db.tables.stats,
    REJECTED_QUEUE_URL: 'https://sqs.local/rejected',
    EVENT_BUS_NAME: 'journeys',
    SEGMENT_QUEUE_URL: 'https://sqs.local/segment',
  });
  db.doc.middlewareStack.add(
    (next, ctx) => async (args) => {
      if (fails(String(ctx.commandName), args.input as { TableName?: unknown }))
        throw Object.assign(new Error('died'), { name: 'Died' });
      return next(args);
    },
    { step: 'initialize', name: 'plannedFault' },
  );
  setClients({
    dynamo: db.doc,
    sfn: mockedClient(SFNClient),
    sqs: mockedClient(SQSClient),
    events: mockedClient(EventBridgeClient),
  });
}
