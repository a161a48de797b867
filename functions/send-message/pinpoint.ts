import { type ChannelType, type PinpointClient, SendMessagesCommand } from '@aws-sdk/client-pinpoint';
import { providerError } from '#functions/_lib/provider-errors.ts';
import { DeliveryFailedError, ThrottledError, TransientError } from '#shared/errors.ts';
import type { PushToken } from '#shared/profile.ts';

/**
 * SMS and push through Pinpoint SendMessages (AWS End User Messaging) to
 * direct addresses — phone numbers and device tokens — never endpoints or
 * segments, which reached end of support.
 */

export type SmsRequest = {
  phone: string;
  body: string;
  messageType: 'PROMOTIONAL' | 'TRANSACTIONAL';
  originationNumber?: string;
};
export type PushRequest = {
  tokens: PushToken[];
  title: string;
  body: string;
  url?: string;
  priority: 'normal' | 'high';
  timeToLiveSeconds?: number;
};

type Result = { DeliveryStatus?: string; StatusMessage?: string; MessageId?: string };

/** Turns per-address results into a message id, or the named error of the first failure. */
function outcome(results: Record<string, Result>): string {
  const entries = Object.values(results);
  const ok = entries.find((r) => r.DeliveryStatus === 'SUCCESSFUL' || r.DeliveryStatus === 'DUPLICATE');
  if (ok !== undefined) return ok.MessageId ?? '';
  const first = entries[0];
  const detail = `${first?.DeliveryStatus ?? 'NO_RESULT'}: ${first?.StatusMessage ?? ''}`;
  if (first?.DeliveryStatus === 'THROTTLED') throw new ThrottledError(`Pinpoint ${detail}`);
  if (first?.DeliveryStatus === 'TEMPORARY_FAILURE') throw new TransientError(`Pinpoint ${detail}`);
  throw new DeliveryFailedError(`Pinpoint ${detail}`);
}

async function send(
  pinpoint: PinpointClient,
  applicationId: string,
  addresses: Record<string, { ChannelType: ChannelType }>,
  configuration: NonNullable<
    ConstructorParameters<typeof SendMessagesCommand>[0]['MessageRequest']
  >['MessageConfiguration'],
  context: Record<string, string>,
): Promise<string> {
  let results: Record<string, Result>;
  try {
    const out = await pinpoint.send(
      new SendMessagesCommand({
        ApplicationId: applicationId,
        MessageRequest: { Addresses: addresses, MessageConfiguration: configuration, Context: context },
      }),
    );
    results = out.MessageResponse?.Result ?? {};
  } catch (error) {
    throw providerError(error, 'Pinpoint');
  }
  return outcome(results);
}

export function sendSms(
  pinpoint: PinpointClient,
  applicationId: string,
  request: SmsRequest,
  context: Record<string, string>,
) {
  return send(
    pinpoint,
    applicationId,
    { [request.phone]: { ChannelType: 'SMS' } },
    {
      SMSMessage: {
        Body: request.body,
        MessageType: request.messageType,
        ...(request.originationNumber === undefined ? {} : { OriginationNumber: request.originationNumber }),
      },
    },
    context,
  );
}

export function sendPush(
  pinpoint: PinpointClient,
  applicationId: string,
  request: PushRequest,
  context: Record<string, string>,
) {
  const addresses = Object.fromEntries(request.tokens.map((t) => [t.token, { ChannelType: t.service }]));
  const message = {
    Title: request.title,
    Body: request.body,
    Action: request.url === undefined ? ('OPEN_APP' as const) : ('DEEP_LINK' as const),
    ...(request.url === undefined ? {} : { Url: request.url }),
    ...(request.timeToLiveSeconds === undefined ? {} : { TimeToLive: request.timeToLiveSeconds }),
  };
  return send(
    pinpoint,
    applicationId,
    addresses,
    {
      APNSMessage: { ...message, Priority: request.priority === 'high' ? '10' : '5' },
      GCMMessage: { ...message, Priority: request.priority },
      ADMMessage: message,
      BaiduMessage: message,
    },
    context,
  );
}
