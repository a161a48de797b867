import { describe, expect, it } from 'vitest';
import { validateJourney } from '#shared/journey/validate.ts';
import { validateAsl } from '../../support/asl-validate.ts';
import { offlineJourney } from './harness.ts';

/**
 * Names a plain JavaScript object inherits (`constructor`, `valueOf`,
 * `toString`, `hasOwnProperty`) are ordinary names in a journey: step ids,
 * emitted properties, webhook body fields, context variables. Step Functions
 * takes them as field names; the local interpreter must build and run the
 * same definition.
 */
const parsed = validateJourney({
  id: 'inherited-names',
  name: 'Inherited names',
  trigger: { type: 'event', event: 'Signed Up' },
  context: { valueOf: { type: 'number', value: 1 }, toString: { type: 'string' } },
  start: 'constructor',
  steps: {
    constructor: {
      type: 'updateContext',
      set: { valueOf: 2, toString: { from: 'trigger.properties.plan' } },
      next: 'crm',
    },
    crm: {
      type: 'webhook',
      connection: 'crm',
      url: 'https://crm.example.com/v1/people',
      body: { hasOwnProperty: { from: 'context.toString' }, isPrototypeOf: true },
      next: 'valueOf',
    },
    valueOf: {
      type: 'emit',
      event: 'constructor',
      properties: {
        valueOf: { from: 'context.valueOf' },
        constructor: 'x',
        toLocaleString: { from: 'trigger.properties.total' },
      },
      next: 'toString',
    },
    toString: { type: 'exit' },
  },
});

describe('a journey whose field names are Object.prototype names', () => {
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.violations));
  const journey = parsed.journey;

  it('compiles to a definition asl-validator accepts', () => {
    const report = validateAsl(offlineJourney(journey).asl);
    expect(report.errorsText).toBe('');
    expect(report.isValid).toBe(true);
  });

  it('runs on the local interpreter, sending each field with its value', async () => {
    // act
    const run = await offlineJourney(journey).run({ trigger: { plan: 'pro', total: 42 } });
    // assert
    expect(run.status).toBe('SUCCEEDED');
    const calls = new Map(run.calls.map((c) => [c.resource, c.stepId]));
    expect(calls.get('http:invoke')).toMatchObject({
      RequestBody: { hasOwnProperty: 'pro', isPrototypeOf: true },
    });
    expect(calls.get('events:putEvents')).toMatchObject({
      Entries: [
        {
          DetailType: 'constructor',
          Detail: { properties: { valueOf: 2, constructor: 'x', toLocaleString: 42 } },
        },
      ],
    });
  });
});
