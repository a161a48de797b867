import { describe, expect, it } from 'vitest';
import { validateJourney } from '#shared/journey/validate.ts';
import type { TemplateCatalog } from '#shared/templates.ts';

const templates: TemplateCatalog = new Map([
  ['promo', 'email'],
  ['promo-sms', 'sms'],
  ['promo-push', 'push'],
]);

function journey(message: Record<string, unknown>) {
  return {
    id: 'out',
    name: 'out',
    trigger: { type: 'event', event: 'Go' },
    start: 'first',
    steps: { first: { next: 'done', ...message }, other: { type: 'exit' }, done: { type: 'exit' } },
  };
}

function problems(input: unknown): [string, string][] {
  const result = validateJourney(input, { templates });
  return result.ok ? [] : result.violations.map((v) => [v.path, v.code]);
}

describe('validate: outcome branches and fallbacks', () => {
  it.each([
    {
      case: 'email branching on clicks and bounces',
      message: {
        type: 'email',
        template: 'promo',
        onOutcome: {
          within: 'P2D',
          branches: [
            { outcome: 'clicked', next: 'done' },
            { outcome: ['bounced', 'suppressed'], next: 'other' },
          ],
        },
      },
    },
    {
      case: 'SMS falling back to email, then push',
      message: {
        type: 'sms',
        template: 'promo-sms',
        fallback: [
          { channel: 'email', template: 'promo', when: 'notDelivered', within: 'PT1H' },
          { channel: 'push', template: 'promo-push', when: 'notOpened', within: 'P1D' },
        ],
      },
    },
    {
      case: 'a push branching on a failure it learns at once',
      message: {
        type: 'push',
        template: 'promo-push',
        onOutcome: { within: 'PT1H', branches: [{ outcome: ['failed', 'suppressed'], next: 'other' }] },
      },
    },
  ])('accepts $case', ({ message }) => {
    const input = journey(message);
    // "other" is reached only through a branch; without one it would be unreachable.
    if (!('onOutcome' in message)) delete (input.steps as Record<string, unknown>).other;
    expect(problems(input)).toStrictEqual([]);
  });

  it.each([
    {
      case: 'a branch to a step that does not exist',
      message: {
        type: 'email',
        template: 'promo',
        onOutcome: { within: 'P1D', branches: [{ outcome: 'opened', next: 'nowhere' }] },
      },
      expected: [
        ['steps.first.onOutcome.branches[0].next', 'next.dangling'],
        ['steps.other', 'step.unreachable'],
      ],
    },
    {
      case: 'an SMS waiting for a click it never reports',
      message: {
        type: 'sms',
        template: 'promo-sms',
        onOutcome: { within: 'P1D', branches: [{ outcome: 'clicked', next: 'other' }] },
      },
      expected: [['steps.first.onOutcome.branches[0].outcome', 'outcome.channel']],
    },
    {
      case: 'a fallback after an SMS that waits for an open',
      message: {
        type: 'sms',
        template: 'promo-sms',
        fallback: [{ channel: 'email', template: 'promo', when: 'notOpened', within: 'PT1H' }],
      },
      expected: [
        ['steps.first.fallback[0].when', 'outcome.channel'],
        ['steps.other', 'step.unreachable'],
      ],
    },
    {
      case: 'a fallback template of another channel, and one missing',
      message: {
        type: 'sms',
        template: 'promo-sms',
        fallback: [
          { channel: 'email', template: 'promo-sms', when: 'notDelivered', within: 'PT1H' },
          { channel: 'push', template: 'nope', when: 'notDelivered', within: 'PT1H' },
        ],
      },
      expected: [
        ['steps.first.fallback[0].template', 'template.channel'],
        ['steps.first.fallback[1].template', 'template.missing'],
        ['steps.other', 'step.unreachable'],
      ],
    },
    {
      case: 'both onOutcome and fallback, and a window of no time',
      message: {
        type: 'email',
        template: 'promo',
        onOutcome: { within: 'PT0S', branches: [{ outcome: 'opened', next: 'other' }] },
        fallback: [{ channel: 'sms', template: 'promo-sms', when: 'notOpened', within: 'PT1H' }],
      },
      expected: [
        ['steps.first.fallback', 'outcome.both'],
        ['steps.first.onOutcome.within', 'outcome.window'],
      ],
    },
    {
      case: 'a push waiting for a delivery receipt or an open that never reach a journey',
      message: {
        type: 'push',
        template: 'promo-push',
        onOutcome: { within: 'P1D', branches: [{ outcome: 'delivered', next: 'other' }] },
      },
      expected: [['steps.first.onOutcome.branches[0].outcome', 'outcome.channel']],
    },
    {
      case: 'an email falling back to a push, then waiting for the push to be opened',
      message: {
        type: 'email',
        template: 'promo',
        fallback: [
          { channel: 'push', template: 'promo-push', when: 'notOpened', within: 'P1D' },
          { channel: 'sms', template: 'promo-sms', when: 'notOpened', within: 'P1D' },
        ],
      },
      expected: [
        ['steps.first.fallback[1].when', 'outcome.channel'],
        ['steps.other', 'step.unreachable'],
      ],
    },
  ])('reports $case with its path', ({ message, expected }) => {
    expect(problems(journey(message)).sort()).toStrictEqual(expected.sort());
  });

  it('names each channel as a sentence does: an email, an SMS, a push', () => {
    // arrange: an SMS step with an email template that waits for opens, falling back to an email with an SMS template
    const input = journey({
      type: 'sms',
      template: 'promo',
      onOutcome: { within: 'P1D', branches: [{ outcome: 'opened', next: 'other' }] },
    });
    const fallback = journey({
      type: 'sms',
      template: 'promo-sms',
      fallback: [{ channel: 'email', template: 'promo-sms', when: 'notOpened', within: 'PT1H' }],
    });
    // act
    const messages = [input, fallback].flatMap((j) => {
      const result = validateJourney(j, { templates });
      return result.ok ? [] : result.violations.map((v) => v.message);
    });
    // assert
    expect(messages).toEqual(
      expect.arrayContaining([
        'Template "promo" is an email template, but this is an SMS step.',
        'An SMS message never reports "opened": this branch could not be taken.',
        'Template "promo-sms" is an SMS template, but this fallback is an email message.',
        'An SMS message never reports "opened": notOpened would always send the fallback.',
      ]),
    );
  });
});
