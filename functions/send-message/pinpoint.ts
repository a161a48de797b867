import { type ChannelType, type PinpointClient, SendMessagesCommand } from '@aws-sdk/client-pinpoint';
import { providerError } from '#functions/_lib/provider-errors.ts';
import { type PushResult, type TokenOutcome, tokenOutcomes } from '#shared/delivery/push-results.ts';
import {
  OptedOutError,
  OutcomeUnknownError,
  RecipientRefusedError,
  ThrottledError,
  TransientError,
} from '#shared/errors.ts';
import type { PushToken } from '#shared/profile/profile.ts';

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

type Result = PushResult;

/** Told the outcome of every token of a push before the send's own outcome is decided (it must not throw). */
export type TokenListener = (outcomes: TokenOutcome[]) => Promise<void>;

/** Turns per-address results into a message id, or the named error of what the results prove. */
function outcome(results: Record<string, Result>): string {
  const entries = Object.values(results);
  const ok = entries.find((r) => r.DeliveryStatus === 'SUCCESSFUL' || r.DeliveryStatus === 'DUPLICATE');
  if (ok !== undefined) return ok.MessageId ?? '';
  const has = (status: string) => entries.find((r) => r.DeliveryStatus === status);
  const describe = (r: Result | undefined) =>
    `Pinpoint ${r?.DeliveryStatus ?? 'NO_RESULT'}: ${r?.StatusMessage ?? 'no per-address result'}`;
  // No result, or one the provider itself calls unknown: the message may be on its way.
  const unknown = entries.length === 0 ? undefined : has('UNKNOWN_FAILURE');
  if (entries.length === 0 || unknown !== undefined) throw new OutcomeUnknownError(describe(unknown));
  const throttled = has('THROTTLED');
  if (throttled !== undefined) throw new ThrottledError(describe(throttled));
  const temporary = has('TEMPORARY_FAILURE');
  if (temporary !== undefined) throw new TransientError(describe(temporary));
  // The number is on the sender's opt-out list: every later message to it would be refused the same way.
  const optedOut = has('OPT_OUT');
  if (optedOut !== undefined) throw new OptedOutError(describe(optedOut));
  // A per-address refusal (PERMANENT_FAILURE: an unregistered token, an unreachable number).
  throw new RecipientRefusedError(describe(entries[0]));
}

async function send(
  pinpoint: PinpointClient,
  applicationId: string,
  addresses: Record<string, { ChannelType: ChannelType }>,
  configuration: NonNullable<
    ConstructorParameters<typeof SendMessagesCommand>[0]['MessageRequest']
  >['MessageConfiguration'],
  context: Record<string, string>,
  onResults?: (results: Record<string, Result>) => Promise<void>,
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
  // Before the outcome: a push whose every token is dead still cleans them up.
  await onResults?.(results);
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
  onTokens?: TokenListener,
) {
  const addresses = Object.fromEntries(request.tokens.map((t) => [t.token, { ChannelType: t.service }]));
  // A url that renders empty (`{% if %}` around it) is no deep link: the tap opens the app.
  const url = request.url === '' ? undefined : request.url;
  const message = {
    Title: request.title,
    Body: request.body,
    Action: url === undefined ? ('OPEN_APP' as const) : ('DEEP_LINK' as const),
    ...(url === undefined ? {} : { Url: url }),
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
    onTokens &&
      ((results) =>
        onTokens(
          tokenOutcomes(
            request.tokens.map((t) => t.token),
            results,
          ),
        )),
  );
}
