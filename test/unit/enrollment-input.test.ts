import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EnrollmentInput, parseEnrollmentInput } from '#shared/tasks/enrollment.ts';

/**
 * The execution input read with its trigger of the plain shape taken
 * directly must be what EnrollmentInput gives (the same members, in the
 * same order), and undefined exactly when EnrollmentInput refuses it.
 */

const plainTrigger = fc.record({
  type: fc.constant('track'),
  event: fc.constantFrom('Cart Updated', 'Order Completed'),
  properties: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  userId: fc.constantFrom('sim-1', 'u 2'),
  messageId: fc.constantFrom('m-1', 'sim-7-3-entry'),
  timestamp: fc
    .date({
      min: new Date('2000-01-01T00:00:00Z'),
      max: new Date('2100-01-01T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString()),
});
const otherTrigger = fc.oneof(
  plainTrigger.map((t) => ({ ...t, userId: 42 })),
  plainTrigger.map((t) => ({ ...t, event: ' Cart Updated ' })),
  plainTrigger.map((t) => ({ ...t, timestamp: '1999-01-01T00:00:00.000Z' })),
  plainTrigger.map((t) => ({
    type: 'identify',
    userId: t.userId,
    messageId: t.messageId,
    timestamp: t.timestamp,
  })),
  fc.constant({ type: 'segment', timestamp: '2026-03-02T10:00:00.000Z' }),
  fc.constantFrom(undefined, null, 'x', []),
);
const text = fc.oneof(
  { arbitrary: fc.constantFrom('j-1', 'v3', 'e-1', 'u-1'), weight: 6 },
  fc.constantFrom(7, null),
);
const inputs = fc
  .record({
    v: fc.constantFrom(2, 2, 2, 1, 3),
    journeyId: text,
    journeyVersion: text,
    enrollmentId: text,
    userId: text,
    enrolledAt: text,
    trigger: fc.oneof({ arbitrary: plainTrigger, weight: 4 }, otherTrigger),
    buckets: fc.oneof(
      { arbitrary: fc.dictionary(fc.string({ maxLength: 4 }), fc.integer({ min: 0, max: 99 })), weight: 4 },
      fc.constant({ split: 100 }),
    ),
    correlation: fc.option(fc.constantFrom('cart-1', 5), { nil: undefined }),
    extra: fc.option(fc.constant('dropped'), { nil: undefined }),
  })
  .map((input) => JSON.parse(JSON.stringify(input)));

describe('an enrollment input', () => {
  it('reads as EnrollmentInput reads it, plain trigger or not', () => {
    let read = 0;
    fc.assert(
      fc.property(inputs, (input) => {
        const parsed = EnrollmentInput.safeParse(input);
        const fast = parseEnrollmentInput(input);
        expect(fast).toStrictEqual(parsed.success ? parsed.data : undefined);
        expect(JSON.stringify(fast)).toBe(JSON.stringify(parsed.success ? parsed.data : undefined));
        if (fast !== undefined) read += 1;
      }),
      { numRuns: 1500 },
    );
    expect(read).toBeGreaterThan(100);
  });
});
