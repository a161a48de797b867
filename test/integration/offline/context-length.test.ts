import { describe, expect, it } from 'vitest';
import { type EvaluateDeps, evaluate } from '#functions/evaluate/evaluate.ts';
import { manifest as evaluateManifest } from '#functions/evaluate/manifest.ts';
import { LocalStateMachine } from '#infra/local/services/stepfunctions/runner/runner.ts';
import { compile } from '#shared/journey/compile/compile.ts';
import { HTTP_INVOKE_RESOURCE } from '#shared/journey/compile/webhook.ts';
import { Journey, type JourneyInput } from '#shared/journey/schema.ts';
import { SendMessageInput } from '#shared/tasks/send-message.ts';
import { renderTemplate } from '#shared/templates.ts';
import { LOCAL_BINDINGS } from './harness.ts';

/**
 * A context variable holds at most its declared maxLength, whatever sets it:
 * a string copied from the awaited event, the trigger or a webhook response
 * that is longer is "not set" (null), as a missing one is — the send that
 * reads it goes out, never fails on the context. Run offline with the real
 * evaluate function, the send's input parsed as send-message parses it.
 */

const untouched = (): never => {
  throw new Error('setting the context reads no table');
};
const deps: EvaluateDeps = {
  profiles: { get: untouched } as unknown as EvaluateDeps['profiles'],
  traits: { apply: untouched },
  stats: { increment: untouched },
  now: () => new Date('2026-11-24T10:00:00.000Z'),
};

const base = {
  id: 'ctx-length',
  name: 'Context lengths',
  trigger: { type: 'event', event: 'Booked' },
  context: {
    note: { type: 'string', maxLength: 4 },
    score: { type: 'number' },
    label: { type: 'string', maxLength: 8 },
    tier: { type: 'string', value: 'std', maxLength: 8 },
  },
  start: 'ask',
} satisfies Partial<JourneyInput>;

const waitThenKeep = (set: Record<string, unknown>) => ({
  ...base,
  steps: {
    ask: { type: 'waitForEvent', event: 'Noted', timeout: 'PT1H', onEvent: 'keep', onTimeout: 'done' },
    keep: { type: 'updateContext', set, next: 'say' },
    say: { type: 'sms', template: 'note', next: 'done' },
    done: { type: 'exit' },
  },
});

type Run = { trigger?: Record<string, unknown>; event?: Record<string, unknown>; response?: unknown };

async function run(input: unknown, script: Run) {
  const journey = Journey.parse(input);
  const sends: SendMessageInput[] = [];
  const machine: LocalStateMachine = new LocalStateMachine(compile(journey, LOCAL_BINDINGS), {
    timeScale: 0,
    handlers: {
      [LOCAL_BINDINGS.evaluateFunctionArn]: (payload: unknown) =>
        evaluate(deps, evaluateManifest.task.input.parse(payload)),
      [LOCAL_BINDINGS.sendMessageFunctionArn]: (payload: unknown) => {
        sends.push(SendMessageInput.parse(payload));
        return { status: 'sent', messageId: 'm1' };
      },
      [LOCAL_BINDINGS.awaitEventFunctionArn]: (_: unknown, call: { token?: string }) => {
        if (call.token !== undefined)
          machine.tokens.sendTaskSuccess(call.token, {
            type: 'track',
            event: 'Noted',
            properties: script.event ?? {},
          });
      },
      [HTTP_INVOKE_RESOURCE]: () => ({ StatusCode: 200, Headers: {}, ResponseBody: script.response ?? {} }),
    },
  });
  const outcome = await machine.start({
    v: 2,
    journeyId: journey.id,
    journeyVersion: '1',
    enrollmentId: 'e1',
    userId: 'u1',
    enrolledAt: '2026-11-24T10:00:00.000Z',
    trigger: { type: 'track', event: 'Booked', properties: script.trigger ?? {} },
    buckets: {},
  }).done;
  return { outcome, sends };
}

const NOTE_TEMPLATE = { channel: 'sms', body: "note={{ context.note | default: 'none' }}" } as const;

async function rendered(context: SendMessageInput['context']) {
  const out = await renderTemplate(NOTE_TEMPLATE, { profile: {}, journey: { id: 'ctx-length' }, context });
  return out.body;
}

describe('a string copied from the awaited event', () => {
  it.each([
    ['one character over maxLength', 'abcde'],
    ['over the 4,096 characters any variable may hold', 'x'.repeat(5000)],
  ])('is not set when %s, and the send renders without it', async (_, note) => {
    // act
    const { outcome, sends } = await run(waitThenKeep({ note: { from: 'event.properties.note' } }), {
      event: { note },
    });
    // assert
    expect(outcome.status).toBe('SUCCEEDED');
    expect(sends).toHaveLength(1);
    expect(sends[0]?.context?.note).toBeNull();
    expect(await rendered(sends[0]?.context)).toBe('note=none');
  });

  it('is set when it fits, counted in characters (an emoji is one)', async () => {
    // act
    const { sends } = await run(waitThenKeep({ note: { from: 'event.properties.note' } }), {
      event: { note: '👍👍👍👍' },
    });
    // assert
    expect(sends[0]?.context).toMatchObject({ note: '👍👍👍👍', tier: 'std' });
    expect(await rendered(sends[0]?.context)).toBe('note=👍👍👍👍');
  });

  it('unsets every value the step copies from data, as a missing one does; literals still apply', async () => {
    // act
    const { sends } = await run(
      waitThenKeep({
        note: { from: 'event.properties.note' },
        score: { from: 'event.properties.score' },
        tier: 'gold',
      }),
      { event: { note: 'too long', score: 9 } },
    );
    // assert
    expect(sends[0]?.context).toEqual({ note: null, score: null, label: null, tier: 'gold' });
  });
});

describe('a string copied from the trigger by updateContext', () => {
  it('is not set when longer than maxLength', async () => {
    // act
    const { sends } = await run(waitThenKeep({ label: { from: 'trigger.properties.label' } }), {
      trigger: { label: 'nine char' },
    });
    // assert
    expect(sends[0]?.context?.label).toBeNull();
  });

  it('is set when it fits', async () => {
    // act
    const { sends } = await run(waitThenKeep({ label: { from: 'trigger.properties.label' } }), {
      trigger: { label: 'eight ch' },
    });
    // assert
    expect(sends[0]?.context?.label).toBe('eight ch');
  });
});

describe('a string a webhook response maps into the context', () => {
  const webhook = (response: Record<string, string>) => ({
    ...base,
    start: 'call',
    steps: {
      call: {
        type: 'webhook',
        connection: 'crm',
        url: 'https://crm.example.com/hook',
        response,
        next: 'say',
      },
      say: { type: 'sms', template: 'note', next: 'done' },
      done: { type: 'exit' },
    },
  });

  it('is not set when longer than maxLength; the other fields are set', async () => {
    // act
    const { outcome, sends } = await run(
      webhook({ note: 'body.note', score: 'body.score', label: 'body.label' }),
      {
        response: { note: 'x'.repeat(5000), score: 3, label: 'gold' },
      },
    );
    // assert
    expect(outcome.status).toBe('SUCCEEDED');
    expect(sends[0]?.context).toEqual({ note: null, score: 3, label: 'gold', tier: 'std' });
  });

  it('is not set when longer, also when another field is missing', async () => {
    // act
    const { sends } = await run(webhook({ note: 'body.note', label: 'body.label' }), {
      response: { note: 'abcdef' },
    });
    // assert
    expect(sends[0]?.context).toEqual({ note: null, score: null, label: null, tier: 'std' });
  });
});
