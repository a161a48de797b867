import { describe, expect, it } from 'vitest';
import { LocalStateMachine } from '#infra/local/services/stepfunctions/runner/runner.ts';
import { compile } from '#shared/journey/compile/compile.ts';
import { Journey } from '#shared/journey/schema.ts';
import { AwaitEventInput } from '#shared/tasks/await-event.ts';
import { SendMessageInput } from '#shared/tasks/send-message.ts';
import { renderTemplate } from '#shared/templates.ts';
import { LOCAL_BINDINGS } from './harness.ts';

/**
 * Journey context compiled and run offline: set at entry from the trigger and
 * literals, changed by updateContext (Pass states), read by Choice branches,
 * correlation and templates — with the task inputs parsed as the handlers parse them.
 */

const journey = Journey.parse({
  id: 'ctx',
  name: 'Context',
  trigger: { type: 'event', event: 'Order Completed' },
  context: {
    orderId: { type: 'string', from: 'trigger.properties.orderId' },
    tier: { type: 'string', value: 'standard' },
    score: { type: 'number' },
    copied: { type: 'string' },
  },
  start: 'wait-answer',
  steps: {
    'wait-answer': {
      type: 'waitForEvent',
      event: 'Survey Answered',
      match: { 'event.properties.orderId': 'context.orderId' },
      timeout: 'P7D',
      onEvent: 'keep',
      onTimeout: 'done',
    },
    keep: {
      type: 'updateContext',
      set: { score: { from: 'event.properties.score' }, copied: { from: 'context.orderId' }, tier: 'gold' },
      next: 'route',
    },
    route: {
      type: 'branch',
      branches: [{ when: { path: 'context.score', gte: 9 }, next: 'thanks' }],
      otherwise: 'done',
    },
    thanks: { type: 'email', template: 'thanks', next: 'done' },
    done: { type: 'exit' },
  },
});

const TEMPLATE = {
  channel: 'email',
  subject: 'Order {{ context.orderId }}: {{ context.score }}/10 ({{ context.tier }}, {{ context.copied }})',
  html: '<p>{{ context.orderId }}</p>',
  text: '{{ context.orderId }}',
} as const;

async function run(eventProperties: Record<string, unknown>) {
  const sends: SendMessageInput[] = [];
  const waits: AwaitEventInput[] = [];
  const machine: LocalStateMachine = new LocalStateMachine(compile(journey, LOCAL_BINDINGS), {
    timeScale: 0,
    handlers: {
      // Only a step's failure path calls evaluate (to count the failure); no step fails here.
      [LOCAL_BINDINGS.evaluateFunctionArn]: () => {
        throw new Error('evaluate is not expected to run in this journey');
      },
      [LOCAL_BINDINGS.sendMessageFunctionArn]: (input: unknown) => {
        sends.push(SendMessageInput.parse(input));
        return { status: 'sent', messageId: 'm1' };
      },
      [LOCAL_BINDINGS.awaitEventFunctionArn]: (input: unknown, call: { token?: string }) => {
        waits.push(AwaitEventInput.parse(input));
        if (call.token !== undefined)
          machine.tokens.sendTaskSuccess(call.token, {
            type: 'track',
            event: 'Survey Answered',
            properties: eventProperties,
          });
      },
    },
  });
  const outcome = await machine.start({
    v: 2,
    journeyId: 'ctx',
    journeyVersion: '1',
    enrollmentId: 'e1',
    userId: 'u1',
    enrolledAt: '2026-11-24T10:00:00.000Z',
    trigger: { type: 'track', event: 'Order Completed', properties: { orderId: 'o-7' } },
    buckets: {},
  }).done;
  return { outcome, sends, waits };
}

describe('journey context, compiled and run offline', () => {
  it('sets the context at entry, updates it, branches on it and hands it to templates', async () => {
    // act
    const { outcome, sends, waits } = await run({ orderId: 'o-7', score: 10 });
    // assert
    expect(outcome.status).toBe('SUCCEEDED');
    expect(waits[0]?.match).toEqual([{ path: 'event.properties.orderId', value: 'o-7' }]);
    expect(sends).toHaveLength(1);
    expect(sends[0]?.context).toEqual({ orderId: 'o-7', tier: 'gold', score: 10, copied: 'o-7' });
    const rendered = await renderTemplate(TEMPLATE, {
      profile: {},
      journey: { id: 'ctx' },
      context: sends[0]?.context,
    });
    expect(rendered.subject).toBe('Order o-7: 10/10 (gold, o-7)');
    // one Pass at entry, a Choice and a Pass for the checked copy from the event
    expect(outcome.visited).toEqual([
      '_context',
      'wait-answer',
      'keep',
      'keep.set',
      'route',
      'thanks',
      'done',
    ]);
  });

  it.each([
    { name: 'a missing value', properties: { orderId: 'o-7' } },
    { name: 'a value of another type', properties: { orderId: 'o-7', score: '10' } },
    { name: 'an object', properties: { orderId: 'o-7', score: { value: 10 } } },
  ])('copies $name from the event as null instead of failing the execution', async ({ properties }) => {
    // act
    const { outcome, sends } = await run(properties);
    // assert
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.visited).toContain('keep.unset');
    expect(sends).toHaveLength(0);
    expect(outcome.output).toMatchObject({
      context: { orderId: 'o-7', tier: 'gold', score: null, copied: 'o-7' },
    });
  });

  it('costs one transition at entry and none where the context is only read', () => {
    // arrange
    const plain = Journey.parse({ ...journey, context: undefined, start: 'thanks' });
    // act
    const asl = compile(plain, LOCAL_BINDINGS);
    // assert: no context declared, no entry state, no context in task inputs
    expect(asl.StartAt).toBe('thanks');
    expect(JSON.stringify(asl)).not.toContain('$.context');
  });
});
