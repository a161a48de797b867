import { PinpointClient } from '@aws-sdk/client-pinpoint';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import {
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SegmentedMessage } from 'sms-segments-calculator';
import * as z from 'zod';
import type { Executions } from '../machine/executions.ts';

/**
 * Real AWS SDK clients answered in process: `send` hands the command's input
 * to the simulation and returns an output, so the product code calls them
 * exactly as in Lambda, with nothing serialised, signed or sent (resolving
 * the SDK's middleware stack would cost more than the answer).
 */

/**
 * A provider's message id, taken right after the message is counted: unique
 * across providers (feedback finds a delivery by it, so an email and an SMS
 * must not share one) and always the same length, so the items recording it
 * weigh (and bill) the same whichever shard of customers a message is in.
 */
function messageIdOf(counts: ProviderCounts): string {
  return `sim-${String(counts.emails + counts.sms + counts.push).padStart(12, '0')}`;
}

const REGION = { region: 'us-east-1', credentials: { accessKeyId: 'sim', secretAccessKey: 'sim' } };

type Answer = (command: string, input: unknown) => object;

function answered<C extends object>(client: C, answer: Answer): C {
  const direct = async (command: unknown) => {
    if (typeof command !== 'object' || command === null || !('input' in command))
      throw new Error('The simulation answers commands only');
    return { ...answer(command.constructor.name, command.input), $metadata: {} };
  };
  Reflect.set(client, 'send', direct);
  return client;
}

/** A field the product always sets on these commands (the SDK's types leave every one optional). */
function required(value: string | undefined, field: string): string {
  if (value === undefined) throw new Error(`The simulation needs ${field}`);
  return value;
}

/** Step Functions: StartExecution, SendTaskSuccess and StopExecution on the simulation's executions. */
export function simulatedSfn(executions: () => Executions): SFNClient {
  const client = new SFNClient(REGION);
  // The command's own typed input, without a second validation: a simulation starts and resumes executions by the million.
  const direct = async (command: unknown) => {
    if (command instanceof StartExecutionCommand) {
      const { stateMachineArn, name, input } = command.input;
      const arn = executions().start(
        required(stateMachineArn, 'stateMachineArn'),
        required(name, 'name'),
        required(input, 'input'),
      );
      return { executionArn: arn, $metadata: {} };
    }
    if (command instanceof SendTaskSuccessCommand) {
      executions().sendTaskSuccess(
        required(command.input.taskToken, 'taskToken'),
        required(command.input.output, 'output'),
      );
      return { $metadata: {} };
    }
    if (command instanceof StopExecutionCommand) {
      executions().stop(required(command.input.executionArn, 'executionArn'));
      return { $metadata: {} };
    }
    const name = typeof command === 'object' && command !== null ? command.constructor.name : typeof command;
    throw new Error(`The simulation does not implement Step Functions ${name}`);
  };
  Reflect.set(client, 'send', direct);
  return client;
}

/** What the providers were asked to send, counted (never kept). */
/** `smsParts`: the parts the SMS were sent in (End User Messaging bills each part of a long or Unicode text). */
export type ProviderCounts = {
  emails: number;
  sms: number;
  smsParts: number;
  push: number;
  events: number;
  rejected: number;
};

const Addresses = z.object({
  MessageRequest: z.object({
    Addresses: z.record(z.string(), z.object({ ChannelType: z.string().optional() })),
    MessageConfiguration: z
      .object({ SMSMessage: z.object({ Body: z.string().optional() }).optional() })
      .optional(),
  }),
});

/**
 * Printable ASCII that GSM-7 holds in one septet: every character but the
 * extension table's `[\]^{|}~` (two septets each) and the backtick, which
 * GSM-7 lacks. A text of only these (most SMS a journey renders) takes one
 * septet a character, so its parts follow from its length alone.
 */
const GSM7_BASIC_ASCII = /^[ !"#$%&'()*+,\-./0-9:;<=>?@A-Z_a-z]*$/;

/**
 * The parts an SMS text goes out in: 160 GSM-7 characters in one part (153 per part when longer),
 * 70 UCS-2 code units once a character is outside GSM-7, such as an emoji or Arabic (67 per part).
 * Any text but plain GSM-7 ASCII is counted by the calculator: its grapheme split and encoding of
 * every character took 3 % of a forecast's CPU when every text went through it.
 */
export function smsParts(body: string): number {
  if (GSM7_BASIC_ASCII.test(body)) return body.length <= 160 ? 1 : Math.ceil(body.length / 153);
  return new SegmentedMessage(body, 'auto').segmentsCount;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A SendEmail input's recipients (none when its Destination is not that shape). Read, not parsed by a
 * schema: the input carries the whole rendered email, and a schema would walk it for every email.
 */
function recipientsOf(input: unknown): readonly string[] {
  if (!isRecord(input) || (input.Destination !== undefined && !isRecord(input.Destination))) return [];
  const to = input.Destination?.ToAddresses;
  return Array.isArray(to) && to.every((address) => typeof address === 'string') ? to : [];
}

/** SES v2 SendEmail: every email is accepted; `onEmail` hears of each, as SES's event publishing would. */
export function countingSes(
  counts: ProviderCounts,
  onEmail: (email: { messageId: string; to: readonly string[] }) => void = () => {},
): SESv2Client {
  return answered(new SESv2Client(REGION), (_command, input) => {
    counts.emails += 1;
    const messageId = messageIdOf(counts);
    onEmail({ messageId, to: recipientsOf(input) });
    return { MessageId: messageId };
  });
}

/** Pinpoint / End User Messaging SendMessages: every address is accepted; `onSms` hears of each SMS. */
export function countingPinpoint(
  counts: ProviderCounts,
  onSms: (messageId: string, to: string) => void,
): PinpointClient {
  return answered(new PinpointClient(REGION), (_command, input) => {
    const { Addresses: addresses, MessageConfiguration: config } = Addresses.parse(input).MessageRequest;
    const parts = smsParts(config?.SMSMessage?.Body ?? '');
    // Addresses are customer data: no prototype to collide with.
    const result: Record<string, { DeliveryStatus: string; StatusCode: number; MessageId: string }> =
      Object.create(null);
    for (const [address, { ChannelType }] of Object.entries(addresses)) {
      if (ChannelType === 'SMS') {
        counts.sms += 1;
        counts.smsParts += parts;
      } else counts.push += 1;
      const messageId = messageIdOf(counts);
      result[address] = { DeliveryStatus: 'SUCCESSFUL', StatusCode: 200, MessageId: messageId };
      if (ChannelType === 'SMS') onSms(messageId, address);
    }
    return { MessageResponse: { Result: result } };
  });
}

/** SQS (the rejected-events queue): counted. */
export function countingSqs(counts: ProviderCounts): SQSClient {
  return answered(new SQSClient(REGION), () => {
    counts.rejected += 1;
    return { MessageId: 'sim' };
  });
}
