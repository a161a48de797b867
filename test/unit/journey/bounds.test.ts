import { describe, expect, it } from 'vitest';
import { MAX_NESTING, MAX_STEPS } from '#shared/journey/bounds.ts';
import { validateJourney } from '#shared/journey/validate.ts';

/** A chain of `count` waits ending in an exit. */
function chain(count: number) {
  const steps: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) steps[`s${i}`] = { type: 'wait', for: 'PT1M', next: `s${i + 1}` };
  steps[`s${count}`] = { type: 'exit' };
  return { id: 'long', name: 'Long', trigger: { type: 'event', event: 'E' }, start: 's0', steps };
}

/** A trigger filter of `depth` nested `not`s. */
function nested(depth: number) {
  let where: unknown = { path: 'event.properties.total', gte: 1 };
  for (let i = 0; i < depth; i++) where = { not: where };
  return {
    id: 'deep',
    name: 'Deep',
    trigger: { type: 'event', event: 'E', where },
    start: 'e',
    steps: { e: { type: 'exit' } },
  };
}

/** A chain of `count` SMS steps, each falling back to email then push: many states per step. */
function fallbacks(count: number) {
  const steps: Record<string, unknown> = {};
  for (let i = 0; i < count; i++)
    steps[`s${i}`] = {
      type: 'sms',
      template: 'note',
      fallback: [
        { channel: 'email', template: 'note-email', when: 'notDelivered', within: 'PT1H' },
        { channel: 'push', template: 'note-push', when: 'notOpened', within: 'PT1H' },
      ],
      next: `s${i + 1}`,
    };
  steps[`s${count}`] = { type: 'exit' };
  return { id: 'wide', name: 'Wide', trigger: { type: 'event', event: 'E' }, start: 's0', steps };
}

describe('journeys too large to run', () => {
  it('refuses a journey within the step bound whose state machine Step Functions would not accept', () => {
    // act
    const result = validateJourney(fallbacks(200));
    // assert
    if (result.ok) throw new Error('expected a violation');
    expect(result.violations).toHaveLength(1);
    expect(result.violations[0]).toMatchObject({ path: 'steps', code: 'journey.too-large' });
    expect(result.violations[0]?.message).toMatch(
      /^compile to a state machine of about \d+ KB; Step Functions accepts at most 1024 KB/,
    );
  });

  it('accepts a journey of the same steps that fits', () => {
    expect(validateJourney(fallbacks(40)).ok).toBe(true);
  });

  it('refuses more steps than a state machine can hold, with the count, instead of exhausting the stack', () => {
    // act
    const result = validateJourney(chain(5000));
    // assert
    expect(result).toStrictEqual({
      ok: false,
      violations: [expect.objectContaining({ path: 'steps', code: 'journey.too-large' })],
      warnings: [],
    });
    if (!result.ok)
      expect(result.violations[0]?.message).toContain(
        `has 5001 steps; a journey can have at most ${MAX_STEPS}`,
      );
  });

  it('accepts a journey at the bound', () => {
    expect(validateJourney(chain(MAX_STEPS - 1)).ok).toBe(true);
  });

  it('refuses a condition nested thousands deep at its path, instead of exhausting the stack', () => {
    // act
    const result = validateJourney(nested(3000));
    // assert
    if (result.ok) throw new Error('expected a violation');
    expect(result.violations).toHaveLength(1);
    expect(result.violations[0]?.code).toBe('journey.too-large');
    expect(result.violations[0]?.path.startsWith('trigger.where.not.not')).toBe(true);
  });

  it('accepts a condition nested as deep as real journeys nest', () => {
    expect(validateJourney(nested(MAX_NESTING - 8)).ok).toBe(true);
  });
});
