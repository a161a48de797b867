import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { addressKey } from '#shared/delivery/policy.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { ingestDeps } from './harness.ts';

/**
 * A visitor's hard bounce joins the known profile when it concerns the
 * address the known profile has, however each profile spells it: the
 * sign-up form kept `Ana@Example.com`, the CRM sync `ana@example.com`; the
 * shop typed `caffè`, the app's backend stored the Punycode.
 */

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('mergesup');
});
afterAll(async () => db.stop());

let counter = 0;
function identify(
  ids: { userId?: string; anonymousId?: string },
  traits: Record<string, unknown>,
  at: string,
) {
  counter += 1;
  return { type: 'identify', ...ids, traits, timestamp: at, messageId: `ms-${counter}` };
}

describe('a merge carries the visitor’s suppression of the known customer’s address', () => {
  it.each([
    ['in other letter case', 'Ana.Lee@Example.com', 'ana.lee@example.com'],
    ['with its domain in Punycode', 'ana@caff\u00e8.example', 'ana@xn--caff-8oa.example'],
  ])('spelt %s', async (_how, visitorEmail, knownEmail) => {
    // arrange: the visitor's address bounced; the known customer has the same mailbox, spelt otherwise
    const { deps } = ingestDeps(db);
    const anonymousId = `a-${counter}`;
    const userId = `u-${counter}`;
    await ingestEvent(deps, identify({ anonymousId }, { email: visitorEmail }, '2026-11-20T09:00:00Z'));
    await deps.profiles.setConsent(
      `anon:${anonymousId}`,
      'email',
      {
        status: 'suppressed',
        reason: 'hard bounce',
        address: addressKey({ channel: 'email', email: visitorEmail }),
      },
      new Date('2026-11-21T10:00:00Z'),
    );
    await ingestEvent(deps, identify({ userId }, { email: knownEmail }, '2026-11-22T09:00:00Z'));
    // act: the visitor signs in
    await ingestEvent(deps, identify({ userId, anonymousId }, {}, '2026-11-24T09:00:00Z'));
    // assert: the known profile keeps its spelling, and the mailbox stays stopped
    const { profile } = await deps.profiles.get(userId);
    expect(profile.email).toBe(knownEmail);
    expect(profile.consent.email).toMatchObject({ status: 'suppressed', reason: 'hard bounce' });
  });

  it('not of another address', async () => {
    const { deps } = ingestDeps(db);
    counter += 1;
    const anonymousId = `a-${counter}`;
    const userId = `u-${counter}`;
    await ingestEvent(deps, identify({ anonymousId }, { email: 'old@example.com' }, '2026-11-20T09:00:00Z'));
    await deps.profiles.setConsent(
      `anon:${anonymousId}`,
      'email',
      {
        status: 'suppressed',
        reason: 'hard bounce',
        address: addressKey({ channel: 'email', email: 'old@example.com' }),
      },
      new Date('2026-11-21T10:00:00Z'),
    );
    await ingestEvent(deps, identify({ userId }, { email: 'new@example.com' }, '2026-11-22T09:00:00Z'));
    await ingestEvent(deps, identify({ userId, anonymousId }, {}, '2026-11-24T09:00:00Z'));
    expect((await deps.profiles.get(userId)).profile.consent.email?.status).not.toBe('suppressed');
  });
});
