import { SendTaskSuccessCommand, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_MERGED_KEYS } from '#functions/_lib/profile-compaction.ts';
import { RegistryRepository } from '#functions/_lib/registry.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { awaitEvent } from '#functions/await-event/await.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { enrollmentName } from '#shared/journey/enrollment.ts';
import { profileKeys } from '#shared/tables.ts';
import { CONTRACT_VERSION } from '#shared/tasks/version.ts';
import { caseId } from '../../support/case-ids.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { AB_SPLIT_THEN_EXIT } from '../../support/journey-steps.ts';
import { awaitDepsOf, ingestDeps, registerJourney } from './harness.ts';

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('merged-enrollments');
  await registerJourney(db, {
    id: 'basket',
    name: 'Basket',
    trigger: { type: 'event', event: 'Cart Updated' },
    reentry: { mode: 'always' },
    goal: { event: 'Order Completed', within: 'P7D' },
    exitOn: [{ event: 'Unsubscribed' }],
    ...AB_SPLIT_THEN_EXIT,
  });
  await registerJourney(db, {
    id: 'basket-once',
    name: 'Basket, once per cart',
    trigger: { type: 'event', event: 'Basket Changed', correlationKey: 'event.properties.cartId' },
    reentry: { mode: 'once' },
    ...AB_SPLIT_THEN_EXIT,
  });
  await registerJourney(db, {
    id: 'basket-cooldown',
    name: 'Basket, once a week',
    trigger: { type: 'event', event: 'Basket Changed' },
    reentry: { mode: 'after', cooldown: 'P7D' },
    ...AB_SPLIT_THEN_EXIT,
  });
  await registerJourney(db, {
    id: 'shipping',
    name: 'Shipping',
    trigger: { type: 'event', event: 'Checkout Started' },
    start: 'wait',
    steps: {
      wait: {
        type: 'waitForEvent',
        event: 'Order Shipped',
        timeout: 'P1D',
        onEvent: 'done',
        onTimeout: 'done',
      },
      done: { type: 'exit' },
    },
  });
});
afterAll(async () => db.stop());

type Ids = { userId?: string; anonymousId?: string };
function event(ids: Ids, name: string, timestamp: string, properties: Record<string, unknown> = {}) {
  return { type: 'track', ...ids, event: name, properties, timestamp, messageId: caseId('me') };
}
function identify(ids: Ids, timestamp: string) {
  return { type: 'identify', ...ids, traits: {}, timestamp, messageId: caseId('me') };
}
function alias(previousId: string, userId: string, timestamp: string) {
  return { type: 'alias', previousId, userId, timestamp, messageId: caseId('me') };
}

const clockAt = (iso: string) => {
  let now = new Date(iso);
  return { now: () => now, set: (at: string) => (now = new Date(at)) };
};

describe('ingest: enrollments entered under an id merged into another', () => {
  it("a visitor's enrollment converts and stops on the known customer's goal event, once", async () => {
    // arrange: an anonymous cart, then the visitor signs in
    const clock = clockAt('2026-11-24T09:00:05Z');
    const { deps, sfn } = ingestDeps(db, clock.now);
    // Other tests' customers convert in the journey too: this order's conversions are what it adds.
    const stats = new StatsRepository(db.doc, db.tables.stats);
    const converted = async () =>
      (await stats.funnel('basket')).find((r) => r.metric === 'converted')?.count ?? 0;
    const before = await converted();
    const cart = event({ anonymousId: 'v-1' }, 'Cart Updated', '2026-11-24T09:00:00Z');
    await ingestEvent(deps, cart);
    clock.set('2026-11-24T09:10:05Z');
    await ingestEvent(deps, identify({ userId: 'c-1', anonymousId: 'v-1' }, '2026-11-24T09:10:00Z'));
    // act: the order, under the known id, and its redelivery
    clock.set('2026-11-24T09:20:05Z');
    const order = event({ userId: 'c-1' }, 'Order Completed', '2026-11-24T09:20:00Z');
    const first = await ingestEvent(deps, order);
    const again = await ingestEvent(deps, order);
    // assert
    const anon = profileKeys.anonymous('v-1');
    const name = enrollmentName({ journeyId: 'basket', customerId: anon, triggerId: cart.messageId });
    expect(first).toMatchObject({ converted: [name], finished: [name] });
    expect(again).toMatchObject({ converted: [] });
    const stops = sfn.commandCalls(StopExecutionCommand).map((c) => c.args[0].input.executionArn);
    expect(stops).toContain(`arn:aws:states:eu-west-1:123456789012:execution:journey-basket:${name}`);
    expect(await deps.enrollments.enrollment(anon, name)).toMatchObject({
      converted: true,
      stoppedBy: 'goal',
    });
    expect((await converted()) - before).toBe(1);
  });

  it('two customers both in the journey, merged by an alias (A into B into C): one order is one conversion, every entry ends', async () => {
    // arrange: three profiles, each entered the journey
    const clock = clockAt('2026-11-24T10:00:05Z');
    const { deps, sfn } = ingestDeps(db, clock.now);
    const carts = [
      event({ anonymousId: 'v-2' }, 'Cart Updated', '2026-11-24T10:00:00Z'),
      event({ userId: 'c-2b' }, 'Cart Updated', '2026-11-24T10:01:00Z'),
      event({ userId: 'c-2c' }, 'Cart Updated', '2026-11-24T10:02:00Z'),
    ];
    // Each entered as its cart arrives, so the last cart's entry is the latest.
    for (const [i, cart] of carts.entries()) {
      clock.set(`2026-11-24T10:0${i}:05Z`);
      await ingestEvent(deps, cart);
    }
    clock.set('2026-11-24T10:10:05Z');
    await ingestEvent(deps, identify({ userId: 'c-2b', anonymousId: 'v-2' }, '2026-11-24T10:10:00Z'));
    // From a source trusted to merge two known customers (aliasTrustedSources).
    await ingestEvent(
      { ...deps, aliasTrustedSources: new Set(['acme.backend']) },
      alias('c-2b', 'c-2c', '2026-11-24T10:11:00Z'),
      'acme.backend',
    );
    // act
    clock.set('2026-11-24T10:20:05Z');
    const order = event({ userId: 'c-2c' }, 'Order Completed', '2026-11-24T10:20:00Z');
    const first = await ingestEvent(deps, order);
    // assert: the latest entry is credited, the other two are stopped without credit
    const owners = [profileKeys.anonymous('v-2'), 'c-2b', 'c-2c'];
    const names = carts.map((cart, i) =>
      enrollmentName({ journeyId: 'basket', customerId: owners[i] ?? '', triggerId: cart.messageId }),
    );
    expect(first).toMatchObject({ converted: [names[2]] });
    expect([...((first as { finished: string[] }).finished ?? [])].sort()).toEqual([...names].sort());
    const stops = sfn.commandCalls(StopExecutionCommand).map((c) => c.args[0].input.executionArn);
    for (const name of names) expect(stops.some((arn) => arn?.endsWith(`:${name}`))).toBe(true);
    const items = await Promise.all(names.map((n, i) => deps.enrollments.enrollment(owners[i] ?? '', n)));
    expect(items.map((e) => e?.stoppedBy)).toEqual(['goal', 'goal', 'goal']);
  });

  it("resumes a visitor's waiting step with the known customer's event", async () => {
    // arrange: a step of the visitor's enrollment waits for an order
    const clock = clockAt('2026-11-24T11:00:05Z');
    const { deps, sfn } = ingestDeps(db, clock.now);
    const anon = profileKeys.anonymous('v-3');
    await ingestEvent(deps, event({ anonymousId: 'v-3' }, 'Page Viewed', '2026-11-24T11:00:00Z'));
    await awaitEvent(awaitDepsOf(db, deps), {
      v: CONTRACT_VERSION,
      journeyId: 'shipping',
      journeyVersion: '1',
      enrollmentId: 'e-v3',
      userId: anon,
      stepId: 'wait',
      token: 'token-v3',
      event: 'Order Shipped',
      match: [],
      timeoutSeconds: 86400,
      startedAt: '2026-11-24T11:00:00Z',
      trigger: {},
    });
    clock.set('2026-11-24T11:10:05Z');
    await ingestEvent(deps, identify({ userId: 'c-3', anonymousId: 'v-3' }, '2026-11-24T11:10:00Z'));
    // act
    clock.set('2026-11-24T11:20:05Z');
    const shipped = event({ userId: 'c-3' }, 'Order Shipped', '2026-11-24T11:20:00Z');
    const first = await ingestEvent(deps, shipped);
    await ingestEvent(deps, shipped);
    // assert: resumed once, its waiter and its count gone
    expect(first).toMatchObject({ resumed: ['e-v3'] });
    const tokens = sfn.commandCalls(SendTaskSuccessCommand).map((c) => c.args[0].input.taskToken);
    expect(tokens).toEqual(['token-v3']);
    expect(await deps.enrollments.waitersOf(anon, 'e-v3')).toEqual([]);
  });
});

describe('ingest: a waiting step of a visitor, in a journey archived or edited since', () => {
  it.each([
    { change: 'archived', event: 'Parcel Collected' },
    { change: 'edited to wait for another event', event: 'Parcel Returned' },
  ])(
    "resumes with the known customer's event when the journey was $change",
    async ({ change, event: name }) => {
      // arrange: version 1 of a journey waits for the event; the visitor's step waits, then the visitor signs in
      const id = change === 'archived' ? 'parcel-archived' : 'parcel-edited';
      const journey = {
        id,
        name: 'Parcel',
        trigger: { type: 'event' as const, event: 'Parcel Sent' },
        start: 'wait',
        steps: {
          wait: {
            type: 'waitForEvent' as const,
            event: name,
            timeout: 'P1D',
            onEvent: 'done',
            onTimeout: 'done',
          },
          done: { type: 'exit' as const },
        },
      };
      await registerJourney(db, journey);
      const clock = clockAt('2026-11-24T12:00:05Z');
      const { deps } = ingestDeps(db, clock.now);
      const anon = profileKeys.anonymous(`v-${id}`);
      await ingestEvent(deps, event({ anonymousId: `v-${id}` }, 'Page Viewed', '2026-11-24T12:00:00Z'));
      await awaitEvent(awaitDepsOf(db, deps), {
        v: CONTRACT_VERSION,
        journeyId: id,
        journeyVersion: '1',
        enrollmentId: `e-${id}`,
        userId: anon,
        stepId: 'wait',
        token: `token-${id}`,
        event: name,
        match: [],
        timeoutSeconds: 86400,
        startedAt: '2026-11-24T12:00:00Z',
        trigger: {},
      });
      await ingestEvent(
        deps,
        identify({ userId: `c-${id}`, anonymousId: `v-${id}` }, '2026-11-24T12:01:00Z'),
      );
      const registry = new RegistryRepository(db.doc, db.tables.journeys);
      if (change === 'archived') await registry.archive(id, '2026-11-24T12:02:00Z');
      else {
        const previous = await registry.get(id);
        const steps = { ...journey.steps, wait: { ...journey.steps.wait, event: 'Parcel Lost' } };
        await registerJourney(db, { ...journey, steps }, '2', previous);
      }
      // act
      clock.set('2026-11-24T12:10:05Z');
      const result = await ingestEvent(deps, event({ userId: `c-${id}` }, name, '2026-11-24T12:10:00Z'));
      // assert
      expect(result).toMatchObject({ resumed: [`e-${id}`] });
    },
  );
});

describe('await-event: a step of a visitor who signed in', () => {
  it('resumes at once when the awaited event arrived under the known id before the step registered', async () => {
    // arrange: merged, then the awaited event arrives under the known id
    const clock = clockAt('2026-11-24T15:00:05Z');
    const { deps, sfn } = ingestDeps(db, clock.now);
    await ingestEvent(deps, identify({ userId: 'c-6', anonymousId: 'v-6' }, '2026-11-24T15:00:00Z'));
    clock.set('2026-11-24T15:10:05Z');
    const shipped = event({ userId: 'c-6' }, 'Order Shipped', '2026-11-24T15:10:00Z');
    await ingestEvent(deps, shipped);
    // act: the visitor's enrollment reaches its wait, which began before the event
    const result = await awaitEvent(awaitDepsOf(db, deps), {
      v: CONTRACT_VERSION,
      journeyId: 'shipping',
      journeyVersion: '1',
      enrollmentId: 'e-v6',
      userId: profileKeys.anonymous('v-6'),
      stepId: 'wait',
      token: 'token-v6',
      event: 'Order Shipped',
      match: [],
      timeoutSeconds: 86400,
      startedAt: '2026-11-24T15:09:59Z',
      trigger: {},
    });
    // assert
    expect(result.status).toBe('resumed');
    const resumed = sfn.commandCalls(SendTaskSuccessCommand).map((c) => c.args[0].input);
    expect(resumed.map((r) => r.taskToken)).toEqual(['token-v6']);
    expect(JSON.parse(String(resumed[0]?.output))).toMatchObject({ messageId: shipped.messageId });
  });
});

describe('ingest: re-entry of a customer merged with a visitor already in the journey', () => {
  it('the same cart after sign-in does not enter again; another cart, and the cooldown past, do', async () => {
    // arrange: the visitor entered both journeys for cart k1, then signed in
    const clock = clockAt('2026-11-24T14:00:05Z');
    const { deps } = ingestDeps(db, clock.now);
    const first = await ingestEvent(
      deps,
      event({ anonymousId: 'v-5' }, 'Basket Changed', '2026-11-24T14:00:00Z', { cartId: 'k1' }),
    );
    clock.set('2026-11-24T14:10:05Z');
    await ingestEvent(deps, identify({ userId: 'c-5', anonymousId: 'v-5' }, '2026-11-24T14:10:00Z'));
    // act: the same cart, another cart, then the same cart a week later
    clock.set('2026-11-24T14:20:05Z');
    const same = await ingestEvent(
      deps,
      event({ userId: 'c-5' }, 'Basket Changed', '2026-11-24T14:20:00Z', { cartId: 'k1' }),
    );
    const other = await ingestEvent(
      deps,
      event({ userId: 'c-5' }, 'Basket Changed', '2026-11-24T14:21:00Z', { cartId: 'k2' }),
    );
    clock.set('2026-12-01T14:30:05Z');
    const later = await ingestEvent(
      deps,
      event({ userId: 'c-5' }, 'Basket Changed', '2026-12-01T14:30:00Z', { cartId: 'k1' }),
    );
    // assert
    const journeysOf = (result: Awaited<ReturnType<typeof ingestEvent>>) =>
      ('enrolled' in result ? result.enrolled : []).map((id) => id.replace(/-[0-9a-f]{32}$/, '')).sort();
    expect(journeysOf(first)).toEqual(['basket-cooldown', 'basket-once']);
    expect(journeysOf(same)).toEqual([]);
    expect(journeysOf(other)).toEqual(['basket-once']);
    expect(journeysOf(later)).toEqual(['basket-cooldown']);
  });
});

describe('ingest: a trigger redelivered after the visitor signed in', () => {
  it.each([
    ['a re-entry `always` journey', 'basket', 'Cart Updated'],
    ['a re-entry `once` journey', 'basket-once', 'Basket Changed'],
  ])('does not enter %s a second time', async (_name, journeyId, trigger) => {
    // arrange: the visitor entered for a cart, then signed in
    const clock = clockAt('2026-11-24T15:00:05Z');
    const { deps, sfn } = ingestDeps(db, clock.now);
    const cart = event({ anonymousId: `v-re-${journeyId}` }, trigger, '2026-11-24T15:00:00Z', {
      cartId: 'k9',
    });
    const first = await ingestEvent(deps, cart);
    clock.set('2026-11-24T15:10:05Z');
    await ingestEvent(
      deps,
      identify({ userId: `c-re-${journeyId}`, anonymousId: `v-re-${journeyId}` }, '2026-11-24T15:10:00Z'),
    );
    // act: EventBridge delivers the cart event again
    clock.set('2026-11-24T15:20:05Z');
    const again = await ingestEvent(deps, cart);
    // assert: one enrollment, one execution
    const entered = (result: Awaited<ReturnType<typeof ingestEvent>>) =>
      ('enrolled' in result ? result.enrolled : []).filter((id) => id.startsWith(`${journeyId}-`));
    expect(entered(first)).toHaveLength(1);
    expect(entered(again)).toEqual([]);
    const starts = sfn
      .commandCalls(StartExecutionCommand)
      .filter((c) => c.args[0].input.stateMachineArn?.includes(`journey-${journeyId}:`));
    expect(starts).toHaveLength(1);
  });
});

describe('profiles: the keys of merged profiles are bounded', () => {
  const mergedKeysOf = async (key: string) => {
    const out = await db.doc.send(new GetCommand({ TableName: db.tables.profiles, Key: { userId: key } }));
    return Object.keys(out.Item ?? {})
      .filter((k) => k.startsWith('mk:'))
      .sort();
  };

  it('keeps the most recently merged ones up to the cap, and none a year after the last merge', async () => {
    // arrange: a customer who signs in from more devices than the profile keeps
    const clock = clockAt('2026-11-24T12:00:05Z');
    const { deps } = ingestDeps(db, clock.now);
    const devices = Array.from(
      { length: MAX_MERGED_KEYS + 2 },
      (_, i) => `dev-${String(i).padStart(2, '0')}`,
    );
    for (const [i, device] of devices.entries()) {
      const at = new Date(Date.parse('2026-11-24T12:00:00Z') + i * 60_000).toISOString();
      clock.set(at);
      await ingestEvent(deps, identify({ userId: 'c-4', anonymousId: device }, at));
    }
    // act: the next event compacts the profile
    clock.set('2026-11-24T13:00:05Z');
    await ingestEvent(deps, event({ userId: 'c-4' }, 'Page Viewed', '2026-11-24T13:00:00Z'));
    const kept = await mergedKeysOf('c-4');
    clock.set('2027-11-25T13:00:05Z');
    await ingestEvent(deps, event({ userId: 'c-4' }, 'Page Viewed', '2027-11-25T13:00:00Z'));
    // assert
    expect(kept).toEqual(devices.slice(-MAX_MERGED_KEYS).map((d) => `mk:${profileKeys.anonymous(d)}`));
    expect(await mergedKeysOf('c-4')).toEqual([]);
  });
});
