import { describe, expect, it } from 'vitest';
import { compile } from '#shared/journey/compile/compile.ts';
import { validateJourney } from '#shared/journey/validate.ts';

/**
 * Keys a journey writes into a state's Parameters as they are (webhook body
 * and query fields, emitted properties): Step Functions reads a key ending in
 * `.$` as a path or an intrinsic function, so a literal under such a key
 * would read the execution (`$$.Execution.Input`) instead of being sent as
 * written. Validation refuses the key, with its path; any other key is
 * sent as written.
 */

const CONNECTIONS = new Map([['crm', 'https://crm.example.com/v1']]);

function journeyWith(step: Record<string, unknown>) {
  return {
    id: 'keys',
    name: 'Keys',
    trigger: { type: 'event', event: 'Order Completed' },
    start: 'call',
    steps: { call: { ...step, next: 'done' }, done: { type: 'exit' } },
  };
}

const webhook = (fields: Record<string, unknown>) =>
  journeyWith({
    type: 'webhook',
    connection: 'crm',
    url: 'https://crm.example.com/v1/orders',
    onError: 'done',
    ...fields,
  });

const emit = (properties: Record<string, unknown>) =>
  journeyWith({ type: 'emit', event: 'Order Noted', properties });

describe('keys written into Parameters', () => {
  it.each([
    {
      name: 'a webhook body field',
      journey: webhook({ body: { 'leak.$': '$$.Execution.Input' } }),
      field: 'body',
    },
    {
      name: 'a webhook query field',
      journey: webhook({ query: { 'q.$': "States.Format('{}', $.userId)" } }),
      field: 'query',
    },
    {
      name: 'a copied webhook body field',
      journey: webhook({ body: { 'x.$': { from: 'trigger.properties.id' } } }),
      field: 'body',
    },
    { name: 'an emitted property', journey: emit({ 'all.$': '$' }), field: 'properties' },
  ])('refuses $name ending in .$, naming its path', ({ journey, field }) => {
    // act
    const result = validateJourney(journey, { connections: CONNECTIONS });
    // assert
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.violations.map((v) => v.path);
    expect(paths.some((path) => path.startsWith(`steps.call.${field}`))).toBe(true);
    const messages = result.ok ? [] : result.violations.map((v) => v.message).join('\n');
    expect(messages).toContain('.$');
  });

  it('sends a key with $ or .$ inside it as written', () => {
    // arrange
    const journey = webhook({ body: { 'price.$usd': 10, $: 'dollar', 'a.$.b': 'x' } });
    const result = validateJourney(journey, { connections: CONNECTIONS });
    if (!result.ok) throw new Error(JSON.stringify(result.violations));
    // act
    const asl = compile(result.journey);
    // assert
    const task = (asl.States as Record<string, { Parameters?: { RequestBody?: unknown } }>).call;
    expect(task?.Parameters?.RequestBody).toStrictEqual({ 'price.$usd': 10, $: 'dollar', 'a.$.b': 'x' });
  });
});
