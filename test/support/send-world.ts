import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { sendingPinpointClient } from '#functions/_lib/clients/pinpoint.ts';
import { sendingSesClient } from '#functions/_lib/clients/ses.ts';
import { DeliveriesRepository, deliveryIdOf } from '#functions/_lib/deliveries.ts';
import { EnrollmentItems } from '#functions/_lib/enrollment-items.ts';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import type { FeedbackDeps } from '#functions/delivery-feedback/feedback.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import type { SendDeps } from '#functions/send-message/send.ts';
import { readOutbox } from '#infra/local/services/pinpoint/outbox.ts';
import { createPinpointServer } from '#infra/local/services/pinpoint/pinpoint.ts';
import type { Channel } from '#shared/channels.ts';
import type { SendMessageInput } from '#shared/tasks/send-message.ts';
import { CONTRACT_VERSION } from '#shared/tasks/version.ts';
import type { Template } from '#shared/templates.ts';
import { identify, ingestDeps } from '../integration/functions/harness.ts';
import { type LocalDynamo, startDynalite } from './dynalite.ts';
import { answerTimeouts, type FaultProxy, startFaultProxy } from './fault-proxy.ts';
import { faultyDynamo } from './faulty-dynamo.ts';
import { keepIdleConnections } from './idle-connections.ts';
import { type LocalSes, startSes } from './ses.ts';
import type { VirtualClock } from './task-retry.ts';

/**
 * Real parts for send-message under faults: dynalite, the SES v2 emulator
 * and the local Pinpoint endpoint, each provider behind a fault proxy, and
 * the production send clients (one attempt) pointed at the proxies. A
 * timeout is a fault the proxy answers (`answerTimeouts`), so the clients
 * get no timers of their own: however slow the machine, an answer that
 * comes is never taken for a timeout.
 */
export type { Channel } from '#shared/channels.ts';

export const TEMPLATES: Record<Channel, Template> = {
  email: { channel: 'email', subject: 'Hi {{ profile.firstName }}', html: '<p>Hi</p>', text: 'Hi' },
  sms: { channel: 'sms', body: 'Hi {{ profile.firstName }}' },
  push: { channel: 'push', title: 'Hi', body: 'Hi {{ profile.firstName }}' },
};

function channelOf(name: string): Channel {
  return name === 'sms' || name === 'push' ? name : 'email';
}

export type SendWorld = {
  db: LocalDynamo;
  ses: LocalSes;
  sesProxy: FaultProxy;
  pinpointProxy: FaultProxy;
  /** In front of dynalite for the send path's reads and writes (setup and assertions go straight to it). */
  dbProxy: FaultProxy;
  deps: (clock: VirtualClock) => SendDeps;
  /** A customer reachable on every channel. */
  customer: (userId: string) => Promise<void>;
  input: (userId: string, channel: Channel, extra?: Partial<SendMessageInput>) => SendMessageInput;
  /** Messages the providers hold, per recipient user id. */
  delivered: (channel: Channel) => Promise<Map<string, number>>;
  /** The provider's message ids, per recipient user id. */
  messages: (channel: Channel) => Promise<Map<string, string[]>>;
  /** The delivery record of a send. */
  record: (
    input: SendMessageInput,
  ) => Promise<{ status?: unknown; detail?: unknown; output?: unknown; countPending?: unknown }>;
  stop: () => Promise<void>;
};

const address = {
  // The SES emulator keeps one store for every server in the process (one per test worker, whose files
  // share it): an address names its world, so no other file's message to a same-named customer counts here.
  email: (userId: string, world: string) => `${userId}@${world}.example.com`,
  phone: (userId: string) => `+1555${userId.replace(/\D/g, '').padStart(7, '0').slice(-7)}`,
  token: (userId: string) => `token-${userId}`,
};

export async function startSendWorld(prefix: string): Promise<SendWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'journeys-faults-'));
  const [db, ses] = await Promise.all([startDynalite(prefix), startSes()]);
  const pinpoint: Server = keepIdleConnections(
    createPinpointServer(join(dir, 'outbox.jsonl'), () => undefined),
  );
  await new Promise<void>((resolve) => pinpoint.listen(0, '127.0.0.1', () => resolve()));
  const pinpointEndpoint = `http://127.0.0.1:${(pinpoint.address() as AddressInfo).port}`;
  const [sesProxy, pinpointProxy, { proxy: dbProxy, doc: faultyDoc }] = await Promise.all([
    startFaultProxy(ses.endpoint),
    startFaultProxy(pinpointEndpoint),
    faultyDynamo(db),
  ]);
  const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  // 0: no timer (the SDK's handler treats it as none).
  const noTimers = { connectionTimeoutMs: 0, requestTimeoutMs: 0 };
  const clients = {
    ses: sendingSesClient({ ...local, endpoint: sesProxy.endpoint }, noTimers),
    pinpoint: sendingPinpointClient({ ...local, endpoint: pinpointProxy.endpoint }, noTimers),
  };
  answerTimeouts(clients.ses);
  answerTimeouts(clients.pinpoint);
  const deliveries = new DeliveriesRepository(faultyDoc, db.tables.deliveries);
  const emailOwner = new Map<string, string>();
  const smsOwner = new Map<string, string>();
  const pushOwner = new Map<string, string>();

  const messages = async (channel: Channel) => {
    const ids = new Map<string, string[]>();
    const add = (owner: string | undefined, messageId: string) => {
      if (owner !== undefined) ids.set(owner, [...(ids.get(owner) ?? []), messageId]);
    };
    if (channel === 'email') {
      for (const email of await ses.emails())
        add(emailOwner.get(email.destination.to[0] ?? ''), email.messageId);
    } else {
      for (const entry of await readOutbox(dir)) {
        if (entry.channel === channel)
          add((channel === 'sms' ? smsOwner : pushOwner).get(entry.to), entry.messageId);
      }
    }
    return ids;
  };

  return {
    db,
    ses,
    sesProxy,
    pinpointProxy,
    dbProxy,
    deps: (clock) => ({
      profiles: new ProfilesRepository(faultyDoc, db.tables.profiles),
      deliveries,
      stats: new StatsRepository(faultyDoc, db.tables.stats),
      enrollments: new EnrollmentItems(faultyDoc, db.tables.enrollments),
      templates: { get: async (ref) => TEMPLATES[channelOf(ref.name)] },
      ...clients,
      config: {
        senderEmail: 'news@shop.example',
        configurationSet: 'journeys',
        pinpointApplicationId: 'app-1',
        unsubscribeBaseUrl: 'https://unsubscribe.example/',
      },
      unsubscribeKey: async () => 'faults-signing-key-of-at-least-32-characters',
      now: clock.now,
      leaseMs: 30_000,
    }),
    customer: async (userId) => {
      emailOwner.set(address.email(userId, prefix), userId);
      smsOwner.set(address.phone(userId), userId);
      pushOwner.set(address.token(userId), userId);
      const event = {
        ...identify(userId, {
          email: address.email(userId, prefix),
          phone: address.phone(userId),
          firstName: 'Ada',
        }),
        context: { device: { token: address.token(userId), type: 'android' } },
      };
      await ingestEvent(ingestDeps(db).deps, event);
    },
    input: (userId, channel, extra = {}) => ({
      v: CONTRACT_VERSION,
      journeyId: 'faults',
      journeyVersion: '1',
      enrollmentId: `e-${userId}`,
      userId,
      stepId: `send-${channel}`,
      channel,
      template: channel,
      trigger: {},
      defaultTimezone: 'UTC',
      transactional: true,
      options: {},
      ...extra,
    }),
    delivered: async (channel) => {
      const counts = new Map<string, number>();
      for (const [owner, ids] of await messages(channel)) counts.set(owner, ids.length);
      return counts;
    },
    messages,
    record: async (input) => {
      const out = await db.doc.send(
        new GetCommand({
          TableName: db.tables.deliveries,
          Key: { deliveryId: deliveryIdOf(input.enrollmentId, input.stepId) },
          ConsistentRead: true,
        }),
      );
      return out.Item ?? {};
    },
    stop: async () => {
      await Promise.all([sesProxy.stop(), pinpointProxy.stop(), dbProxy.stop()]);
      await new Promise<void>((resolve) => pinpoint.close(() => resolve()));
      await Promise.all([db.stop(), ses.stop()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Delivery feedback on the world's tables, at the time `now` gives. */
export function feedbackDepsOf(world: SendWorld, now: FeedbackDeps['now']): FeedbackDeps {
  const { db } = world;
  return {
    deliveries: new DeliveriesRepository(db.doc, db.tables.deliveries),
    profiles: new ProfilesRepository(db.doc, db.tables.profiles),
    stats: new StatsRepository(db.doc, db.tables.stats),
    now,
  };
}
