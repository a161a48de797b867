import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { EnrollmentItems } from '#functions/_lib/enrollment-items.ts';
import { ProfileIdentities } from '#functions/_lib/identity.ts';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { CachedRegistry, RegistryRepository } from '#functions/_lib/registry.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { type IngestDeps, ingestEvent } from '#functions/ingest/ingest.ts';
import { startDynalite } from '../support/dynalite.ts';

/**
 * What identity costs on the profiles table: DynamoDB requests and capacity
 * units (as dynalite computes them from item sizes) per event, before and
 * after an anonymous visitor is merged into a known customer.
 */

type Meter = { requests: number; units: number };

/** A document client that counts requests and the capacity DynamoDB reports for each. */
function metered(doc: DynamoDBDocumentClient, meter: Meter): DynamoDBDocumentClient {
  return new Proxy(doc, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return async (command: { input: Record<string, unknown> }) => {
        command.input.ReturnConsumedCapacity = 'TOTAL';
        meter.requests += 1;
        try {
          const out = await target.send(command as never);
          const consumed = (out as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity;
          meter.units += consumed?.CapacityUnits ?? 0;
          return out;
        } catch (error) {
          // A refused conditional write is billed as a write of the item.
          meter.units += 1;
          throw error;
        }
      };
    },
  });
}

let n = 0;
const event = (ids: object, rest: object) => ({
  ...ids,
  ...rest,
  timestamp: '2026-11-24T09:00:00Z',
  messageId: `bench-${++n}`,
});

export async function runIdentityBench(): Promise<void> {
  const db = await startDynalite('bench-identity');
  mockClient(SFNClient).onAnyCommand().resolves({});
  mockClient(SQSClient).onAnyCommand().resolves({});
  const meter: Meter = { requests: 0, units: 0 };
  const doc = metered(db.doc, meter);
  const now = () => new Date('2026-11-24T10:00:00Z');
  const enrollments = new EnrollmentItems(doc, db.tables.enrollments);
  const deps: IngestDeps = {
    profiles: new ProfilesRepository(doc, db.tables.profiles, enrollments),
    identities: new ProfileIdentities(doc, db.tables.profiles, now),
    enrollments,
    registry: new CachedRegistry(new RegistryRepository(db.doc, db.tables.journeys)),
    stats: new StatsRepository(db.doc, db.tables.stats),
    sfn: new SFNClient({ region: 'eu-west-1' }),
    sqs: new SQSClient({ region: 'eu-west-1' }),
    rejectedQueueUrl: 'q',
    now,
  };
  const measure = async (label: string, run: () => Promise<unknown>) => {
    meter.requests = 0;
    meter.units = 0;
    await run();
    console.log(
      `  ${label.padEnd(58)} ${String(meter.requests).padStart(3)} requests ${meter.units.toFixed(1).padStart(6)} units`,
    );
  };
  const track = (ids: object, name: string) => event(ids, { type: 'track', event: name, properties: {} });
  const visitor = { anonymousId: 'visitor-1' };
  await ingestEvent(deps, event({ userId: 'customer-1' }, { type: 'identify', traits: { plan: 'pro' } }));
  for (let i = 0; i < 30; i++) await ingestEvent(deps, track(visitor, `Page ${i % 10}`));
  await measure('anonymous track, before the merge', () => ingestEvent(deps, track(visitor, 'Page 1')));
  await measure('identify with both ids: the merge (30 events, 10 event names)', () =>
    ingestEvent(deps, event({ ...visitor, userId: 'customer-1' }, { type: 'identify', traits: {} })),
  );
  await measure('identify with both ids again (already merged)', () =>
    ingestEvent(deps, event({ ...visitor, userId: 'customer-1' }, { type: 'identify', traits: {} })),
  );
  await measure('anonymous track after the merge (forwarded)', () =>
    ingestEvent(deps, track(visitor, 'Page 1')),
  );
  await measure('track with the userId (and the anonymousId)', () =>
    ingestEvent(deps, track({ ...visitor, userId: 'customer-1' }, 'Page 1')),
  );
  await db.stop();
}
