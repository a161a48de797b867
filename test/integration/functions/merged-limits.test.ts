import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limitedAsMerged } from '#functions/_lib/enrollments.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { checkCaps } from '#shared/delivery/policy.ts';
import { profileKeys } from '#shared/tables.ts';
import { caseId } from '../../support/case-ids.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { ingestDeps, registerJourney } from './harness.ts';

/**
 * Entry limits and frequency caps follow the person across an identity
 * merge: a visitor who entered or was messaged as anonymous, then signed
 * in, is the same customer, and does not get the limit or the cap again.
 */

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('merged-limits');
  await registerJourney(db, {
    id: 'daily',
    name: 'Once a day',
    trigger: { type: 'event', event: 'Cart Updated', limit: { max: 1, per: 'P1D' } },
    reentry: 'always',
    start: 'done',
    steps: { done: { type: 'exit' } },
  });
});
afterAll(async () => db.stop());

type Ids = { userId?: string; anonymousId?: string };
function cart(ids: Ids, timestamp: string) {
  return {
    type: 'track',
    ...ids,
    event: 'Cart Updated',
    properties: {},
    timestamp,
    messageId: caseId('ml'),
  };
}
function identify(ids: Ids, timestamp: string) {
  return { type: 'identify', ...ids, traits: {}, timestamp, messageId: caseId('ml') };
}

const enrolled = (r: Awaited<ReturnType<typeof ingestEvent>>) =>
  r.status === 'rejected' ? -1 : r.enrolled.length;

describe('limits across an identity merge', () => {
  it('an entry made as a visitor counts against trigger.limit after sign-in', async () => {
    // arrange: the visitor enters (the day's one entry), then signs in
    const { deps } = ingestDeps(db, () => new Date('2026-11-24T10:00:00Z'));
    // Other tests' customers are kept out by the limit too: this customer's skips are what it adds.
    const skipped = async () =>
      (await deps.stats.funnel('daily'))
        .filter((c) => c.metric === 'entrySkipped' && c.reason === 'limit')
        .reduce((n, c) => n + c.count, 0);
    const before = await skipped();
    const asVisitor = await ingestEvent(deps, cart({ anonymousId: 'v-lim' }, '2026-11-24T09:00:00Z'));
    await ingestEvent(deps, identify({ userId: 'c-lim', anonymousId: 'v-lim' }, '2026-11-24T09:10:00Z'));
    // act: the same person, known now, the same day; then a day after the visitor's entry
    const sameDay = await ingestEvent(deps, cart({ userId: 'c-lim' }, '2026-11-24T09:20:00Z'));
    const { deps: tomorrow } = ingestDeps(db, () => new Date('2026-11-25T10:00:01Z'));
    const nextDay = await ingestEvent(tomorrow, cart({ userId: 'c-lim' }, '2026-11-25T10:00:00Z'));
    // assert
    expect([asVisitor, sameDay, nextDay].map(enrolled)).toEqual([1, 0, 1]);
    expect((await skipped()) - before).toBe(1);
  });

  it('a segment run finding the limit full under a merged id counts the skip once, when its page is scanned again', async () => {
    // arrange: the visitor enters (the day's one entry), then signs in
    const { deps } = ingestDeps(db, () => new Date('2026-11-24T10:00:00Z'));
    await ingestEvent(deps, cart({ anonymousId: 'v-run' }, '2026-11-24T09:00:00Z'));
    await ingestEvent(deps, identify({ userId: 'c-run', anonymousId: 'v-run' }, '2026-11-24T09:10:00Z'));
    const journey = (await deps.registry.live()).find((j) => j.journeyId === 'daily');
    if (journey === undefined) throw new Error('the journey is live');
    const skipped = async () =>
      (await deps.stats.funnel('daily'))
        .filter((c) => c.metric === 'entrySkipped' && c.reason === 'limit')
        .reduce((n, c) => n + c.count, 0);
    const before = await skipped();
    const merged = [profileKeys.anonymous('v-run')];
    const run = '2026-11-24T11:00:00.000Z';
    // act: the run's page scanned, then scanned again (its queue message delivered twice)
    const first = await limitedAsMerged(deps, journey, 'c-run', merged, run);
    const again = await limitedAsMerged(deps, journey, 'c-run', merged, run);
    // assert: kept out both times, counted once
    expect([first, again]).toEqual([true, true]);
    expect((await skipped()) - before).toBe(1);
  });

  it('a frequency cap reached as a visitor holds after sign-in, for the known id and the visitor’s own enrollments', async () => {
    // arrange: one email a day at most; the visitor got it, then signs in
    const now = new Date('2026-11-24T12:00:00Z');
    const { deps } = ingestDeps(db, () => now);
    const { profiles } = deps;
    const visitor = profileKeys.anonymous('v-cap');
    await ingestEvent(deps, cart({ anonymousId: 'v-cap' }, '2026-11-24T09:00:00Z'));
    const before = await profiles.get(visitor);
    const sent = checkCaps(before.sends, [], 'email', new Date('2026-11-24T09:05:00Z'));
    if (!sent.allowed) throw new Error('the first send is allowed');
    expect(await profiles.reserveSends(visitor, before.sendsVersion, sent.next, sent.keptDays)).toBe(true);
    await ingestEvent(deps, identify({ userId: 'c-cap', anonymousId: 'v-cap' }, '2026-11-24T10:00:00Z'));
    const caps = [{ max: 1, within: 'P1D' }];
    // act: a send for the known customer, and one of an enrollment still running under the visitor's id
    const known = await profiles.get('c-cap');
    const underVisitor = await profiles.get(visitor);
    // assert: both deferred to when the visitor's send leaves the window
    for (const state of [known, underVisitor])
      expect(checkCaps(state.sends, caps, 'email', now)).toEqual({
        allowed: false,
        until: new Date('2026-11-25T09:05:00Z'),
      });
    // act: the next day, a send under the visitor's id reserves on the person's profile
    const later = new Date('2026-11-25T10:00:00Z');
    const next = checkCaps(underVisitor.sends, caps, 'email', later);
    if (!next.allowed) throw new Error('a day later the send is allowed');
    expect(await profiles.reserveSends(visitor, underVisitor.sendsVersion, next.next, next.keptDays)).toBe(
      true,
    );
    // assert: the known customer's cap counts it
    const after = await profiles.get('c-cap');
    expect(after.sends.email).toEqual(['2026-11-24T09:05:00.000Z', '2026-11-25T10:00:00.000Z']);
    expect(checkCaps(after.sends, caps, 'email', later).allowed).toBe(false);
  });
});
