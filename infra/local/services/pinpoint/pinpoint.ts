import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import * as z from 'zod';
import { CappedLog } from '../../runtime/capped-log.ts';
import {
  BodyTooLargeError,
  decodedSegment,
  MAX_JSON_REQUEST_BYTES,
  readBody,
  sendJson,
} from '../../runtime/http.ts';
import { DEFAULT_RETENTION } from '../../runtime/options.ts';
import type { OutboxEntry } from './outbox.ts';
import { optedOut } from './sms-receipts.ts';

const Push = z.object({
  Title: z.string().optional(),
  Body: z.string().optional(),
  Url: z.string().optional(),
});
const MessageRequest = z.object({
  Addresses: z.record(
    z.string(),
    z.object({
      ChannelType: z.string(),
      BodyOverride: z.string().optional(),
      TitleOverride: z.string().optional(),
    }),
  ),
  Context: z.record(z.string(), z.string()).optional(),
  TraceId: z.string().optional(),
  MessageConfiguration: z
    .object({
      SMSMessage: z
        .object({
          Body: z.string().optional(),
          MessageType: z.string().optional(),
          OriginationNumber: z.string().optional(),
        })
        .optional(),
      GCMMessage: Push.optional(),
      APNSMessage: Push.optional(),
      DefaultPushNotificationMessage: Push.optional(),
      DefaultMessage: z.object({ Body: z.string().optional() }).optional(),
    })
    .default({}),
});
type MessageRequest = z.infer<typeof MessageRequest>;

/**
 * A device token starting with this is answered as APNs answers an
 * uninstalled app (PERMANENT_FAILURE, 410) and is not delivered: how a local
 * run or test plays a dead token.
 */
const DEAD_TOKEN_PREFIX = 'dead-';
const UNREGISTERED = {
  DeliveryStatus: 'PERMANENT_FAILURE',
  StatusCode: 410,
  StatusMessage: 'Unregistered: the device token is no longer active for the topic',
};

/** Pinpoint's answer for a number on the sender's opt-out list (it replied STOP): nothing is sent. */
const OPTED_OUT = {
  DeliveryStatus: 'OPT_OUT',
  StatusCode: 400,
  StatusMessage: 'The destination phone number has opted out of receiving messages',
};

const PATH = /^\/v1\/apps\/([^/]+)\/messages$/;
const PUSH_CHANNELS = ['GCM', 'APNS', 'APNS_SANDBOX', 'APNS_VOIP', 'APNS_VOIP_SANDBOX', 'BAIDU', 'ADM'];

/**
 * Pinpoint `SendMessages` (REST JSON `POST /v1/apps/{ApplicationId}/messages`)
 * on loopback: SMS and push to direct addresses land in the outbox file.
 */
export function createPinpointServer(
  outboxFile: string,
  onMessage: (entry: OutboxEntry) => void,
  /** Stamps outbox entries (the runtime's journey time). */
  clock: () => Date = () => new Date(),
  /** The outbox keeps its newest entries within this many bytes. */
  maxBytes: number = DEFAULT_RETENTION.logBytes,
): Server {
  const outbox = new CappedLog(outboxFile, maxBytes);
  return createServer((req, res) => {
    handle(req, res, { outbox, onMessage, clock }).catch((error: unknown) => {
      // A request that fails here is answered, never left to end the whole local runtime.
      if (res.headersSent) res.destroy();
      else if (error instanceof BodyTooLargeError) sendJson(res, 413, { Message: error.message });
      else sendJson(res, 500, { Message: error instanceof Error ? error.message : String(error) });
    });
  });
}

type Outbox = { outbox: CappedLog; onMessage: (entry: OutboxEntry) => void; clock: () => Date };

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  { outbox, onMessage, clock }: Outbox,
): Promise<void> {
  const applicationId = PATH.exec(req.url ?? '')?.[1];
  const raw = await readBody(req, MAX_JSON_REQUEST_BYTES);
  if (req.method !== 'POST' || applicationId === undefined) {
    sendJson(res, 404, { Message: `Not found: ${req.method} ${req.url}` });
    return;
  }
  const application = decodedSegment(applicationId);
  if (application === undefined) {
    sendJson(res, 400, { Message: `Malformed escape in the application id ${applicationId}` });
    return;
  }
  const request = MessageRequest.safeParse(safeJson(raw.toString('utf8')));
  if (!request.success) {
    sendJson(res, 400, { Message: `Invalid MessageRequest: ${request.error.issues[0]?.message ?? ''}` });
    return;
  }
  // Addresses are data: a Map, turned into own properties only when the reply is written.
  const Result = new Map<string, unknown>();
  for (const entry of toEntries(application, request.data, clock())) {
    if (entry.channel === 'push' && entry.to.startsWith(DEAD_TOKEN_PREFIX)) {
      Result.set(entry.to, UNREGISTERED);
      continue;
    }
    if (entry.channel === 'sms' && optedOut(entry.to)) {
      Result.set(entry.to, OPTED_OUT);
      continue;
    }
    await outbox.append(entry);
    onMessage(entry);
    Result.set(entry.to, {
      DeliveryStatus: 'SUCCESSFUL',
      StatusCode: 200,
      StatusMessage: 'Recorded in the local outbox',
      MessageId: entry.messageId,
    });
  }
  sendJson(res, 200, {
    ApplicationId: applicationId,
    RequestId: randomUUID(),
    Result: Object.fromEntries(Result),
  });
}

function toEntries(applicationId: string, request: MessageRequest, now: Date): OutboxEntry[] {
  const config = request.MessageConfiguration;
  const at = now.toISOString();
  return Object.entries(request.Addresses).map(([to, address]) => {
    const base = { at, messageId: randomUUID(), applicationId, to, channelType: address.ChannelType };
    const extra = { context: request.Context, traceId: request.TraceId };
    if (PUSH_CHANNELS.includes(address.ChannelType)) {
      const push = config.GCMMessage ?? config.APNSMessage ?? config.DefaultPushNotificationMessage ?? {};
      const title = address.TitleOverride ?? push.Title;
      const body = address.BodyOverride ?? push.Body ?? config.DefaultMessage?.Body ?? '';
      return { ...base, channel: 'push', title, body, url: push.Url, ...extra };
    }
    const sms = config.SMSMessage;
    const body = address.BodyOverride ?? sms?.Body ?? config.DefaultMessage?.Body ?? '';
    return {
      ...base,
      channel: 'sms',
      body,
      messageType: sms?.MessageType,
      originationNumber: sms?.OriginationNumber,
      ...extra,
    };
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
