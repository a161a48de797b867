import { describe, expect, it } from 'vitest';
import { LiveJourney, liveFields } from '#shared/ingest/live-journey.ts';
import { Journey } from '#shared/journey/schema.ts';
import { validateJourney } from '#shared/journey/validate.ts';

/**
 * Step ids are names marketers choose: ids named like prototype members are
 * ordinary steps and splits, and a lookup by an id that is not a step finds
 * nothing, wherever the id comes from. The one key a journey file cannot
 * use, `__proto__`, is reported where it stands.
 */

// As strings read from data: TypeScript types `record.constructor` as Function.
const CONSTRUCTOR: string = 'constructor';
const TO_STRING: string = 'toString';
const HAS_OWN: string = 'hasOwnProperty';

const input = {
  id: 'keys',
  name: 'Keys',
  trigger: { type: 'event', event: 'Go' },
  start: 'constructor',
  steps: {
    constructor: {
      type: 'split',
      variants: [
        { name: 'toString', weight: 50, next: 'valueOf' },
        { name: 'constructor', weight: 50, next: 'valueOf' },
      ],
    },
    valueOf: { type: 'exit' },
  },
} as const;

describe('step ids named like prototype members', () => {
  it('are valid steps, and an id that is not a step is reported as dangling', () => {
    const dangling = {
      ...input,
      steps: { ...input.steps, valueOf: { type: 'wait', for: 'PT1H', next: 'toString' } },
    };

    const result = validateJourney(dangling);

    expect(validateJourney(input).ok).toBe(true);
    expect(result.ok ? [] : result.violations).toEqual([
      expect.objectContaining({ code: 'next.dangling', path: 'steps.valueOf.next' }),
    ]);
  });

  it('find only steps in a parsed journey', () => {
    const journey = Journey.parse(input);

    expect(journey.steps[CONSTRUCTOR]?.type).toBe('split');
    expect(journey.steps[TO_STRING]).toBeUndefined();
    expect(journey.steps[HAS_OWN]).toBeUndefined();
  });

  it('find only splits in the live record, as deployed and as read back', () => {
    const arn = 'arn:aws:states:eu-west-1:1:stateMachine:journey-keys';
    const fields = {
      ...liveFields(Journey.parse(input)),
      version: '1',
      versionArn: `${arn}:1`,
      aliasArn: `${arn}:live`,
      stateMachineArn: arn,
    };
    const read = LiveJourney.parse(JSON.parse(JSON.stringify(fields)));

    for (const live of [fields, read]) {
      expect(live.splits[CONSTRUCTOR]?.map((v) => v.name)).toEqual(['toString', 'constructor']);
      expect(live.splits[TO_STRING]).toBeUndefined();
      expect(live.splits[HAS_OWN]).toBeUndefined();
    }
  });

  it('reports __proto__ as a key anywhere in a journey file, which parsing would drop', () => {
    const raw: unknown = JSON.parse(`{
      "id": "keys", "name": "Keys", "trigger": {"type": "event", "event": "Go"}, "start": "a",
      "steps": {
        "a": {"type": "updateProfile", "set": {"__proto__": "x", "constructor": "y"}, "next": "b"},
        "b": {"type": "emit", "event": "Out", "properties": {"l": [{"__proto__": 1}]}, "next": "c"},
        "c": {"type": "exit"}
      }
    }`);

    const result = validateJourney(raw);

    // (A list is no emit property value either: that is reported too.)
    expect(result.ok ? [] : result.violations.map((v) => v.path)).toEqual(
      expect.arrayContaining(['steps.b.properties.l[0].__proto__', 'steps.a.set.__proto__']),
    );
    expect(result.ok ? [] : result.violations.map((v) => v.path)).not.toContain('steps.a.set.constructor');
  });
});

describe('a step id that is not one', () => {
  it('is told what is wrong with it: its characters, or its length', () => {
    // arrange
    const long = `s${'x'.repeat(64)}`;
    const journey = {
      ...input,
      start: 'ok',
      steps: { ok: { type: 'exit' }, 'a.b': { type: 'exit' }, [long]: { type: 'exit' } },
    };
    // act
    const result = validateJourney(journey);
    // assert
    const said = (id: string) =>
      (result.ok ? [] : result.violations).find(
        (v) => v.code === 'schema.invalid' && v.message.startsWith(`"${id}"`),
      )?.message;
    expect(said('a.b')).toBe(
      '"a.b" is not a valid step id: start with a letter; use letters, digits, - and _.',
    );
    expect(said(long)).toBe(
      `"${long}" is not a valid step id: it is 65 characters long, and a step id holds 64 at most.`,
    );
  });
});
