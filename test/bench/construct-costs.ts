import { compile } from '#shared/journey/compile/compile.ts';
import { Journey, type JourneyInput } from '#shared/journey/schema.ts';
import { offlineJourney, type Script } from '../integration/offline/harness.ts';
import { costPerMillionEnrollments } from './transition-cost.ts';

/**
 * What each language construct costs per use, in Step Functions state
 * transitions: one journey with the construct against the same journey
 * without it, run offline on the same path. Constructs decided at ingest
 * (entry limits, event age) compile to nothing: their ASL is compared.
 */

type Steps = JourneyInput['steps'];

function journey(steps: Steps, extra: Partial<JourneyInput> = {}): Journey {
  return Journey.parse({
    id: 'cost',
    name: 'Cost',
    trigger: { type: 'event', event: 'Order Completed' },
    start: 'first',
    steps,
    ...extra,
  });
}

const exit = { done: { type: 'exit' } } as const;
const email = { first: { type: 'email', template: 't', next: 'done' }, ...exit } as const;
const sms = { first: { type: 'sms', template: 's', next: 'done' }, ...exit } as const;
const context = {
  context: {
    orderId: { type: 'string', from: 'trigger.properties.orderId' },
    tier: { type: 'string' },
  },
} as const;

type Case = {
  construct: string;
  path: string;
  with: { journey: Journey; script?: Script };
  without: { journey: Journey; script?: Script };
};

function cases(): Case[] {
  const withFallback = journey({
    first: {
      type: 'sms',
      template: 's',
      fallback: [{ channel: 'email', template: 't', when: 'notDelivered', within: 'PT1H' }],
      next: 'done',
    },
    ...exit,
  });
  const withOutcome = journey({
    first: {
      type: 'email',
      template: 't',
      onOutcome: { within: 'P2D', branches: [{ outcome: 'opened', next: 'done' }] },
      next: 'done',
    },
    ...exit,
  });
  const setLiteral = journey(
    { first: { type: 'updateContext', set: { tier: 'gold' }, next: 'send' }, send: email.first, ...exit },
    { ...context, start: 'first' },
  );
  const setCopied = journey(
    {
      first: { type: 'updateContext', set: { tier: { from: 'trigger.properties.plan' } }, next: 'send' },
      send: email.first,
      ...exit,
    },
    context,
  );
  const contextOnly = journey({ send: email.first, ...exit }, { ...context, start: 'send' });
  const webhook = journey(
    {
      first: {
        type: 'webhook',
        connection: 'crm',
        method: 'POST',
        url: 'https://crm.example.com/v1/orders',
        body: { orderId: { from: 'context.orderId' } },
        response: { tier: 'body.tier' },
        next: 'send',
      },
      send: email.first,
      ...exit,
    },
    context,
  );
  const split = (experiment: boolean) =>
    journey({
      first: {
        type: 'split',
        variants: [
          { name: 'a', weight: 50, next: 'done' },
          { name: 'b', weight: 50, next: 'done' },
        ],
        ...(experiment ? { experiment: { metric: 'goal', minSample: 100, until: 'P14D' } } : {}),
      },
      ...exit,
    });
  return [
    {
      construct: 'context (declared)',
      path: 'per enrollment',
      with: { journey: contextOnly },
      without: { journey: journey({ send: email.first, ...exit }, { start: 'send' }) },
    },
    {
      construct: 'updateContext, literal',
      path: 'per use',
      with: { journey: setLiteral },
      without: { journey: contextOnly },
    },
    {
      construct: 'updateContext, copied',
      path: 'per use (type checked)',
      with: { journey: setCopied, script: { trigger: { plan: 'gold' } } },
      without: { journey: contextOnly },
    },
    {
      construct: 'fallback (1 entry)',
      path: 'delivered in time',
      with: { journey: withFallback, script: { outcome: { first: 'delivered' } } },
      without: { journey: journey(sms) },
    },
    {
      construct: 'fallback (1 entry)',
      path: 'not delivered: fallback sent',
      with: { journey: withFallback },
      without: { journey: journey(sms) },
    },
    {
      construct: 'onOutcome',
      path: 'outcome arrives',
      with: { journey: withOutcome, script: { outcome: { first: 'opened' } } },
      without: { journey: journey(email) },
    },
    {
      construct: 'onOutcome',
      path: 'window closes',
      with: { journey: withOutcome },
      without: { journey: journey(email) },
    },
    {
      construct: 'webhook (1 field mapped)',
      path: '200, field fits',
      with: { journey: webhook, script: { http: { status: 200, body: { tier: 'gold' } } } },
      without: { journey: contextOnly },
    },
    {
      construct: 'webhook (1 field mapped)',
      path: '503, retried, continue',
      with: { journey: webhook, script: { http: { status: 503 } } },
      without: { journey: contextOnly },
    },
    {
      construct: 'split experiment',
      path: 'per enrollment',
      with: { journey: split(true) },
      without: { journey: split(false) },
    },
  ];
}

async function transitions(run: { journey: Journey; script?: Script }): Promise<number> {
  return (await offlineJourney(run.journey).run(run.script ?? {})).transitions;
}

/** Prints each construct's transitions and Step Functions cost per use. */
export async function runConstructCosts(): Promise<void> {
  console.log('\ncost per use of each construct (transitions over the same journey without it):');
  for (const c of cases()) {
    const extra = (await transitions(c.with)) - (await transitions(c.without));
    const cost = costPerMillionEnrollments(extra).toFixed(2);
    console.log(
      `  ${c.construct.padEnd(26)} ${c.path.padEnd(30)} +${extra} transitions, $${cost} per 1M uses`,
    );
  }
  // Decided at ingest, before any execution starts: the compiled machine does not change.
  const plain = journey(email);
  for (const [construct, trigger] of [
    ['trigger.limit', { type: 'event', event: 'Order Completed', limit: { max: 1, per: 'P1D' } }],
    ['trigger.maxAge', { type: 'event', event: 'Order Completed', maxAge: 'PT1H' }],
  ] as const) {
    const same = JSON.stringify(compile(journey(email, { trigger }))) === JSON.stringify(compile(plain));
    const note =
      construct === 'trigger.limit'
        ? 'one conditional DynamoDB write per entry at ingest'
        : 'a timestamp comparison at ingest';
    console.log(
      `  ${construct.padEnd(26)} ${'per entry'.padEnd(30)} ${same ? '+0 transitions (same ASL)' : 'ASL CHANGED'}, ${note}`,
    );
  }
}
