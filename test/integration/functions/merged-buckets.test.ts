import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { splitBucket } from '#shared/journey/enrollment.ts';
import { profileKeys } from '#shared/tables.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { ingestDeps, registerJourney } from './harness.ts';

/**
 * A split's bucket follows the person across a merge: a visitor drawn into the
 * holdout who signs in and enters again stays in the holdout, whatever bucket
 * their known id would draw (ingest on dynalite).
 */

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('merged-buckets');
});
afterAll(async () => db.stop());

const JOURNEY = 'holdout-merge';
const SPLIT = 'ab';

/** A cart journey with a 50/50 split: `offer` (buckets 0–49) waits a day, `control` (50–99) is the holdout. */
async function registerSplitJourney() {
  await registerJourney(db, {
    id: JOURNEY,
    name: 'Cart with a holdout',
    trigger: { type: 'event', event: 'Cart Updated' },
    reentry: { mode: 'always' },
    goal: { event: 'Order Completed', within: 'P7D' },
    start: SPLIT,
    steps: {
      [SPLIT]: {
        type: 'split',
        variants: [
          { name: 'offer', weight: 50, next: 'later' },
          { name: 'control', weight: 50, next: 'done', holdout: true },
        ],
      },
      later: { type: 'wait', for: 'P1D', next: 'done' },
      done: { type: 'exit' },
    },
  });
}

/** The first id `<prefix>-<n>` whose key (`key(id)`) draws a bucket in [from, to) at the split. */
function idInBuckets(prefix: string, key: (id: string) => string, [from, to]: [number, number]): string {
  for (let n = 0; n < 10_000; n++) {
    const id = `${prefix}-${n}`;
    const bucket = splitBucket(JOURNEY, SPLIT, key(id));
    if (bucket >= from && bucket < to) return id;
  }
  throw new Error(`no id with prefix ${prefix} in buckets ${from}-${to - 1}`);
}

let counter = 0;
function call(fields: Record<string, unknown>, timestamp: string) {
  counter += 1;
  return { ...fields, timestamp, messageId: `merged-buckets-${counter}` };
}

describe('split buckets across a merge', () => {
  it('keeps a visitor drawn into the holdout in the holdout after they sign in and enter again, a redelivery included', async () => {
    // arrange: a visitor whose id draws the holdout, a customer id that would draw the offer
    await registerSplitJourney();
    const visitor = idInBuckets('visitor', profileKeys.anonymous, [50, 100]);
    const customer = idInBuckets('customer', profileKeys.known, [0, 50]);
    const { deps, sfn } = ingestDeps(db);
    const bucketsOfStarts = () =>
      sfn
        .commandCalls(StartExecutionCommand)
        .map((c) => JSON.parse(String(c.args[0].input.input)).buckets[SPLIT] as number);
    await ingestEvent(
      deps,
      call(
        { type: 'track', anonymousId: visitor, event: 'Cart Updated', properties: {} },
        '2026-11-24T09:00:00Z',
      ),
    );
    await ingestEvent(
      deps,
      call({ type: 'identify', userId: customer, anonymousId: visitor, traits: {} }, '2026-11-24T09:10:00Z'),
    );
    // act: the customer, signed in, updates a cart again; EventBridge delivers that event twice
    const again = call(
      { type: 'track', userId: customer, event: 'Cart Updated', properties: {} },
      '2026-11-24T09:20:00Z',
    );
    await ingestEvent(deps, again);
    await ingestEvent(deps, again);
    // assert: every start carries the visitor's holdout bucket, not the one the customer's id draws
    const drawn = splitBucket(JOURNEY, SPLIT, profileKeys.anonymous(visitor));
    expect(drawn).toBeGreaterThanOrEqual(50);
    expect(bucketsOfStarts()).toEqual([drawn, drawn, drawn]);
  });

  it("keeps a customer's own bucket when they entered the journey under their own id before the merge", async () => {
    // arrange: the customer entered in the offer, then a visitor who drew the holdout signs in as them
    await registerSplitJourney();
    const visitor = idInBuckets('visitor-b', profileKeys.anonymous, [50, 100]);
    const customer = idInBuckets('customer-b', profileKeys.known, [0, 50]);
    const { deps, sfn } = ingestDeps(db);
    await ingestEvent(
      deps,
      call(
        { type: 'track', userId: customer, event: 'Cart Updated', properties: {} },
        '2026-11-24T08:00:00Z',
      ),
    );
    await ingestEvent(
      deps,
      call(
        { type: 'track', anonymousId: visitor, event: 'Cart Updated', properties: {} },
        '2026-11-24T09:00:00Z',
      ),
    );
    await ingestEvent(
      deps,
      call({ type: 'identify', userId: customer, anonymousId: visitor, traits: {} }, '2026-11-24T09:10:00Z'),
    );
    // act
    await ingestEvent(
      deps,
      call(
        { type: 'track', userId: customer, event: 'Cart Updated', properties: {} },
        '2026-11-24T09:20:00Z',
      ),
    );
    // assert: the customer's entries stay where their first one was
    const own = splitBucket(JOURNEY, SPLIT, profileKeys.known(customer));
    const starts = sfn
      .commandCalls(StartExecutionCommand)
      .map((c) => JSON.parse(String(c.args[0].input.input)).buckets[SPLIT] as number);
    expect(starts).toEqual([own, splitBucket(JOURNEY, SPLIT, profileKeys.anonymous(visitor)), own]);
  });
});
