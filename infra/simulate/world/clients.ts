import { PinpointClient } from '@aws-sdk/client-pinpoint';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import type { Executions } from '../machine/executions.ts';

/**
 * Real AWS SDK clients answered in process: a middleware at the front of each
 * stack takes the command's input and returns an output, so the product code
 * calls them exactly as in Lambda, with nothing serialised or sent.
 */

const REGION = { region: 'us-east-1', credentials: { accessKeyId: 'sim', secretAccessKey: 'sim' } };

const StartExecution = z.object({ stateMachineArn: z.string(), name: z.string(), input: z.string() });
const TaskSuccess = z.object({ taskToken: z.string(), output: z.string() });
const StopExecution = z.object({ executionArn: z.string() });

/** Step Functions: StartExecution, SendTaskSuccess and StopExecution on the simulation's executions. */
export function simulatedSfn(executions: () => Executions): SFNClient {
  const client = new SFNClient(REGION);
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const input = args.input;
      let output: { $metadata: object; executionArn?: string } = { $metadata: {} };
      switch (context.commandName) {
        case 'StartExecutionCommand': {
          const { stateMachineArn, name, input: body } = StartExecution.parse(input);
          output = { ...output, executionArn: executions().start(stateMachineArn, name, body) };
          break;
        }
        case 'SendTaskSuccessCommand': {
          const { taskToken, output: body } = TaskSuccess.parse(input);
          executions().sendTaskSuccess(taskToken, body);
          break;
        }
        case 'StopExecutionCommand':
          executions().stop(StopExecution.parse(input).executionArn);
          break;
        default:
          throw new Error(`The simulation does not implement Step Functions ${String(context.commandName)}`);
      }
      return { output, response: {} };
    },
    { step: 'initialize', priority: 'high', name: 'simulated' },
  );
  return client;
}

/** What the providers were asked to send, counted (never kept). */
export type ProviderCounts = { emails: number; sms: number; push: number; events: number; rejected: number };

const Addresses = z.object({
  MessageRequest: z.object({
    Addresses: z.record(z.string(), z.object({ ChannelType: z.string().optional() })),
  }),
});

/** SES v2: every SendEmail is accepted. */
export function countingSes(counts: ProviderCounts): SESv2Client {
  const client = new SESv2Client(REGION);
  client.middlewareStack.add(
    () => async () => {
      counts.emails += 1;
      const output: { $metadata: object; MessageId: string } = {
        $metadata: {},
        MessageId: `sim-${counts.emails}`,
      };
      return { output, response: {} };
    },
    { step: 'initialize', priority: 'high', name: 'simulated' },
  );
  return client;
}

/** Pinpoint / End User Messaging SendMessages: every address is delivered. */
export function countingPinpoint(counts: ProviderCounts): PinpointClient {
  const client = new PinpointClient(REGION);
  client.middlewareStack.add(
    () => async (args) => {
      const { Addresses: addresses } = Addresses.parse(args.input).MessageRequest;
      const result: Record<string, { DeliveryStatus: string; StatusCode: number; MessageId: string }> = {};
      for (const [address, { ChannelType }] of Object.entries(addresses)) {
        if (ChannelType === 'SMS') counts.sms += 1;
        else counts.push += 1;
        result[address] = {
          DeliveryStatus: 'SUCCESSFUL',
          StatusCode: 200,
          MessageId: `sim-${counts.sms + counts.push}`,
        };
      }
      const output: { $metadata: object; MessageResponse: object } = {
        $metadata: {},
        MessageResponse: { Result: result },
      };
      return { output, response: {} };
    },
    { step: 'initialize', priority: 'high', name: 'simulated' },
  );
  return client;
}

/** SQS (the rejected-events queue): counted. */
export function countingSqs(counts: ProviderCounts): SQSClient {
  const client = new SQSClient(REGION);
  client.middlewareStack.add(
    () => async () => {
      counts.rejected += 1;
      const output: { $metadata: object; MessageId: string } = { $metadata: {}, MessageId: 'sim' };
      return { output, response: {} };
    },
    { step: 'initialize', priority: 'high', name: 'simulated' },
  );
  return client;
}
