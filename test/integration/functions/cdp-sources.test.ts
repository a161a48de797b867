import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgeEvent } from '#functions/_lib/eventbridge-event.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { cdpEventsPattern, customerEventsPattern, eventSourceBus, matchesPattern } from '#infra/routes.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { ingestDeps } from './harness.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures/cdp');
/** A recorded-shape EventBridge event as the rule delivers it to ingest. */
function fixture(name: string): EventBridgeEvent {
  return EventBridgeEvent.parse(JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')));
}

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('cdp');
});
afterAll(async () => db.stop());

describe('CDP sources: routing', () => {
  it.each([
    'segment-track',
    'segment-identify',
    'segment-alias',
    'rudderstack-identify',
    'rudderstack-track',
  ])('%s matches the rule of its source only', (name) => {
    const event = fixture(name);
    expect(matchesPattern(cdpEventsPattern(event.source), event)).toBe(true);
    expect(matchesPattern(cdpEventsPattern('other.cdp'), event)).toBe(false);
    expect(matchesPattern(customerEventsPattern, event)).toBe(false);
  });

  it('ignores calls ingest does not use (page, screen, group)', () => {
    const page = { ...fixture('segment-track'), 'detail-type': 'page' };
    const event = { ...page, detail: { ...(page.detail as object), type: 'page' } };
    expect(matchesPattern(cdpEventsPattern(event.source), event)).toBe(false);
  });

  it.each([
    { source: 'aws.partner/segment.com/Kp2XyZ9aBc', bus: 'partner' },
    { source: 'aws.partner/rudderstack.com/workspace/source', bus: 'partner' },
    { source: 'rudderstack', bus: 'customer' },
  ])('$source arrives on the $bus bus', ({ source, bus }) => {
    expect(eventSourceBus(source)).toBe(bus);
  });
});

describe('CDP sources: ingest', () => {
  it('takes a Segment visitor from anonymous track to identify to alias', async () => {
    // arrange: the alias (sent by analytics-node, a server) merges two known ids: its source is trusted to
    const segment = fixture('segment-alias').source;
    const { deps } = ingestDeps(db);
    const trusting = { ...deps, aliasTrustedSources: new Set([segment]) };
    // act
    const results = [];
    for (const name of ['segment-track', 'segment-identify', 'segment-alias']) {
      const event = fixture(name);
      results.push(await ingestEvent(trusting, event.detail, event.source));
    }
    // assert
    expect(results.map((r) => r.status)).toEqual(['recorded', 'recorded', 'recorded']);
    const { profile } = await deps.profiles.get('acct-55-grace');
    expect(profile).toMatchObject({ email: 'grace@example.com', timezone: 'Europe/London', locale: 'en-GB' });
    expect(profile.traits).toMatchObject({ firstName: 'Grace', plan: 'starter' });
    expect(profile.events['Cart Updated']?.count).toBe(1);
  });

  it('reads RudderStack identify traits from context.traits', async () => {
    // arrange
    const { deps } = ingestDeps(db);
    // act
    const identify = await ingestEvent(deps, fixture('rudderstack-identify').detail);
    const track = await ingestEvent(deps, fixture('rudderstack-track').detail);
    // assert
    expect([identify.status, track.status]).toEqual(['recorded', 'recorded']);
    const { profile } = await deps.profiles.get('cust-2044');
    expect(profile.email).toBe('lin@example.com');
    expect(profile.traits).toMatchObject({ name: 'Lin Rossi', logins: 2 });
    // A context timezone that is not an IANA name is left out, not a reason to reject.
    expect(profile.timezone).toBeUndefined();
    expect(profile.events['Order Completed']?.count).toBe(1);
  });
});
