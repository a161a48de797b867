import { describe, expect, it } from 'vitest';
import { matchesCall, ReplyScript, type WebhookRequest } from '#infra/local/scenarios/webhook-match.ts';
import { WebhookScript } from '#infra/local/scenarios/webhook-schema.ts';

const order = (orderId: string): WebhookRequest => ({
  method: 'POST',
  path: '/v1/orders',
  body: { orderId, customer: { id: 'c-1', tags: ['vip'] } },
});

describe('which calls a match names', () => {
  it.each([
    [{}, true],
    [{ method: 'POST' as const }, true],
    [{ method: 'GET' as const }, false],
    [{ path: '/v1/orders' }, true],
    [{ path: '/v1/order' }, false],
    [{ body: { orderId: 'o-1' } }, true],
    [{ body: { orderId: 'o-2' } }, false],
    [{ body: { 'customer.id': 'c-1' } }, true],
    [{ body: { 'customer.tags': ['vip'] } }, true],
    [{ body: { 'customer.missing': null } }, false],
    // A body's keys are data: inherited properties are never followed.
    [{ body: { 'customer.constructor': Object } }, false],
    [{ body: { 'orderId.length': 3 } }, false],
  ])('%j → %s', (match, expected) => {
    expect(matchesCall(match, order('o-1'))).toBe(expected);
  });
});

describe('the replies of a connection', () => {
  it('answers with the first rule that matches until its times are used, then the next, then the default', () => {
    // arrange
    const script = new ReplyScript(
      WebhookScript.parse({
        replies: [
          { match: { body: { orderId: 'o-1' } }, times: 2, reply: { status: 503 } },
          { match: { body: { orderId: 'o-1' } }, reply: { body: { tier: 'gold' } } },
        ],
        default: { fail: 'timeout' },
      }),
    );
    // act
    const picks = [order('o-1'), order('o-2'), order('o-1'), order('o-1'), order('o-1')].map(
      (request) => script.pick(request)?.reply,
    );
    // assert
    expect(picks).toStrictEqual([
      { status: 503 },
      { fail: 'timeout' },
      { status: 503 },
      { status: 200, body: { tier: 'gold' } },
      { status: 200, body: { tier: 'gold' } },
    ]);
  });

  it('has no reply for a call no rule matches when there is no default', () => {
    const script = new ReplyScript(
      WebhookScript.parse({ replies: [{ match: { method: 'GET' }, reply: { status: 204 } }] }),
    );
    expect(script.pick(order('o-1'))).toBeUndefined();
  });

  it.each([
    [{ default: { status: 200, delay: 'soon' } }, 'a duration'],
    [{ default: { fail: 'slow' } }, 'fail'],
    [{ default: { status: 200, fail: 'timeout' } }, 'Invalid'],
    [{ replies: [{ times: 0, reply: { status: 200 } }] }, 'Too small'],
  ])('refuses %j', (script, message) => {
    expect(JSON.stringify(WebhookScript.safeParse(script).error?.issues)).toContain(message);
  });
});
