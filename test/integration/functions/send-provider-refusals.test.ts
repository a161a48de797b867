import { type MessageResult, PinpointClient, SendMessagesCommand } from '@aws-sdk/client-pinpoint';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { sendMessage } from '#functions/send-message/send.ts';
import { ErrorName } from '#shared/errors.ts';
import { type Channel, type SendWorld, startSendWorld } from '../../support/send-world.ts';
import { compiledSendRetry, runWithRetry, virtualClock } from '../../support/task-retry.ts';

/**
 * What the providers answer that no local stand-in produces (the SES errors
 * of a suspended or paused account, per-address results of End User
 * Messaging), mocked with the shapes the AWS docs give; the records are real
 * (dynalite). Each ends failed with the provider's reason, counted once, not
 * retried — or "outcome unknown" when the answer cannot say, never resent.
 */

let world: SendWorld;
let n = 0;
const ses = mockClient(SESv2Client);
const pinpoint = mockClient(PinpointClient);

beforeAll(async () => {
  world = await startSendWorld('refusals');
});
afterAll(async () => {
  ses.restore();
  pinpoint.restore();
  await world.stop();
});
afterEach(() => {
  ses.reset();
  pinpoint.reset();
});

function sdkError(name: string, status: number, message: string) {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

/** A SendMessages answer with one result per address (the phone number, or each device token). */
function results(addresses: readonly string[], result: Omit<MessageResult, 'StatusCode'>) {
  return {
    MessageResponse: {
      ApplicationId: 'app-1',
      Result: Object.fromEntries(addresses.map((a) => [a, { StatusCode: 400, ...result }])),
    },
  };
}

async function sendWith(channel: Channel, answer: (addresses: string[]) => void) {
  n += 1;
  const userId = `r${n}`;
  await world.customer(userId);
  const clock = virtualClock('2026-11-24T10:00:00Z');
  const input = world.input(userId, channel, { stepId: `refused-${n}` });
  const { profile } = await world.deps(clock).profiles.get(userId);
  const addresses =
    channel === 'sms' ? [profile.phone ?? ''] : (profile.pushTokens ?? []).map((t) => t.token);
  answer(addresses);
  const result = await runWithRetry(
    () => sendMessage(world.deps(clock), input),
    compiledSendRetry(channel),
    clock,
  );
  const rows = await new StatsRepository(world.db.doc, world.db.tables.stats).funnel(input.journeyId);
  const counted = rows.filter((r) => r.stepId === input.stepId).map((r) => [r.metric, r.count]);
  return { result, record: await world.record(input), counted };
}

type Cell = { name: string; channel: Channel; answer: (addresses: string[]) => void; reason: RegExp };

const REFUSED: Cell[] = [
  ...(
    [
      ['MessageRejected', 400, 'Email address is not verified.'],
      ['AccountSuspendedException', 400, 'Your account has been suspended.'],
      ['SendingPausedException', 400, 'Sending is paused for this account.'],
      ['MailFromDomainNotVerifiedException', 400, 'MAIL FROM domain not verified.'],
      ['NotFoundException', 404, 'Configuration set journeys does not exist.'],
    ] as const
  ).map(([name, status, message]) => ({
    name: `SES ${name}`,
    channel: 'email' as const,
    answer: () => {
      ses.on(SendEmailCommand).rejects(sdkError(name, status, message));
    },
    reason: new RegExp(message.replace('.', '\\.')),
  })),
  {
    name: 'an invalid phone number',
    channel: 'sms',
    answer: (a) => {
      pinpoint
        .on(SendMessagesCommand)
        .resolves(results(a, { DeliveryStatus: 'PERMANENT_FAILURE', StatusMessage: 'Invalid phone number' }));
    },
    reason: /PERMANENT_FAILURE: Invalid phone number/,
  },
  {
    name: 'a number that opted out',
    channel: 'sms',
    answer: (a) => {
      pinpoint
        .on(SendMessagesCommand)
        .resolves(results(a, { DeliveryStatus: 'OPT_OUT', StatusMessage: 'Phone number is opted out' }));
    },
    reason: /OPT_OUT/,
  },
  {
    name: 'a push the service refuses for its payload',
    channel: 'push',
    answer: (a) => {
      pinpoint
        .on(SendMessagesCommand)
        .resolves(results(a, { DeliveryStatus: 'PERMANENT_FAILURE', StatusMessage: 'MessageTooBig' }));
    },
    reason: /MessageTooBig/,
  },
  {
    name: 'End User Messaging ForbiddenException',
    channel: 'sms',
    answer: () => {
      pinpoint.on(SendMessagesCommand).rejects(sdkError('ForbiddenException', 403, 'Access denied'));
    },
    reason: /Access denied/,
  },
];

describe('a provider refusing the message for good', () => {
  it.each(REFUSED)('$name: failed once with the reason, counted, not retried', async (cell) => {
    const { result, record, counted } = await sendWith(cell.channel, cell.answer);
    expect(result).toMatchObject({ ok: false, attempts: 1, error: { name: ErrorName.DeliveryFailed } });
    expect(record.status).toBe('failed');
    expect(String(record.detail)).toMatch(cell.reason);
    expect(counted).toEqual([['failed', 1]]);
  });
});

describe('a provider answer that cannot say whether the message went', () => {
  it.each<Cell>([
    {
      name: 'SES 503 after the request went out',
      channel: 'email',
      answer: () => {
        ses.on(SendEmailCommand).rejects(sdkError('ServiceUnavailable', 503, 'Service unavailable'));
      },
      reason: /Service unavailable/,
    },
    {
      name: 'an SMS result UNKNOWN_FAILURE',
      channel: 'sms',
      answer: (a) => {
        pinpoint
          .on(SendMessagesCommand)
          .resolves(results(a, { DeliveryStatus: 'UNKNOWN_FAILURE', StatusMessage: 'Unknown error' }));
      },
      reason: /UNKNOWN_FAILURE/,
    },
    {
      name: 'a push answered with no per-address result',
      channel: 'push',
      answer: () => {
        pinpoint
          .on(SendMessagesCommand)
          .resolves({ MessageResponse: { ApplicationId: 'app-1', Result: {} } });
      },
      reason: /no per-address result/,
    },
  ])('$name: outcome unknown with the reason, counted, never resent', async (cell) => {
    const { result, record, counted } = await sendWith(cell.channel, cell.answer);
    expect(result).toMatchObject({ ok: true, attempts: 1, value: { status: 'unknown' } });
    expect(record.status).toBe('unknown');
    expect(String(record.detail)).toMatch(cell.reason);
    expect(counted).toEqual([['unknown', 1]]);
  });
});

describe('a provider accepting a message without giving its id', () => {
  it.each<Channel>(['email', 'sms'])(
    '%s: sent, and no two such messages share a feedback link',
    async (channel) => {
      const answer = () => {
        ses.on(SendEmailCommand).resolves({});
        pinpoint.on(SendMessagesCommand).resolves({
          MessageResponse: {
            ApplicationId: 'app-1',
            Result: { any: { DeliveryStatus: 'SUCCESSFUL', StatusCode: 200 } },
          },
        });
      };
      const first = await sendWith(channel, answer);
      const second = await sendWith(channel, answer);
      expect([first.result, second.result]).toMatchObject([
        { ok: true, value: { status: 'sent', messageId: '' } },
        { ok: true, value: { status: 'sent', messageId: '' } },
      ]);
      expect(await world.deps(virtualClock('2026-11-24T10:00:00Z')).deliveries.byMessage('')).toBeUndefined();
    },
  );
});
