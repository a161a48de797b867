import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CustomerEvent } from '#shared/events.ts';
import { entryContext } from '#shared/journey/journey-context.ts';
import { Journey, type Step, type StepType } from '#shared/journey/schema.ts';
import { validateJourney } from '#shared/journey/validate.ts';
import { Profile } from '#shared/profile/profile.ts';
import { checkTemplateSyntax, renderTemplate, Template, type TemplateContext } from '#shared/templates.ts';
import { durationSeconds, MAX_EXECUTION_SECONDS } from '#shared/time.ts';

// The example journeys are what marketers copy: they must parse, be sound graphs and render cleanly.

const journeysDir = new URL('../../journeys/', import.meta.url);
const templatesDir = new URL('templates/', journeysDir);

function readJson(url: URL): unknown {
  return JSON.parse(readFileSync(url, 'utf8'));
}

function jsonFiles(dir: URL): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json') && name !== 'journey.schema.json')
    .sort();
}

const journeyFiles = jsonFiles(journeysDir);
const journeys = journeyFiles.map((file) => ({
  file,
  journey: Journey.parse(readJson(new URL(file, journeysDir))),
}));
// Examples npm start does not deploy: those that name a webhook connection (copied into journeys/ once it exists), and those that show the language at its edges through their scenarios.
const examplesDir = new URL('examples/', journeysDir);
const settingExamples = jsonFiles(examplesDir).map((file) => ({
  file,
  journey: Journey.parse(readJson(new URL(file, examplesDir))),
}));
const templates = new Map(
  jsonFiles(templatesDir).map((file) => [
    basename(file, '.json'),
    Template.parse(readJson(new URL(file, templatesDir))),
  ]),
);

// ---------------------------------------------------------------- graph helpers

type Edge = { to: string; afterEvent?: boolean };

/** The steps a step can go to; `afterEvent` marks the edge taken when an awaited event arrived. */
function edges(step: Step): Edge[] {
  switch (step.type) {
    case 'exit':
      return [];
    case 'branch':
      return [...step.branches.map((b) => ({ to: b.next })), { to: step.otherwise }];
    case 'split':
      return step.variants.map((v) => ({ to: v.next }));
    case 'waitForEvent':
      return [{ to: step.onEvent, afterEvent: true }, { to: step.onTimeout }];
    default:
      return [{ to: step.next }];
  }
}

/**
 * Walks every path from the start. Returns, per reachable step, whether every path into it came through an
 * awaited event (then `event.*` is defined when it runs), and fails on a cycle or a missing step.
 */
function walk(journey: Journey): Map<string, boolean> {
  const eventOnEveryPath = new Map<string, boolean>();
  const visit = (id: string, afterEvent: boolean, path: string[]): void => {
    if (path.includes(id)) throw new Error(`${journey.id}: cycle ${[...path, id].join(' → ')}`);
    const step = journey.steps[id];
    if (step === undefined) throw new Error(`${journey.id}: ${path.at(-1)} goes to a missing step "${id}"`);
    eventOnEveryPath.set(id, (eventOnEveryPath.get(id) ?? true) && afterEvent);
    for (const edge of edges(step)) visit(edge.to, afterEvent || edge.afterEvent === true, [...path, id]);
  };
  visit(journey.start, false, []);
  return eventOnEveryPath;
}

function messageSteps(journey: Journey) {
  return Object.entries(journey.steps).flatMap(([id, step]) =>
    step.type === 'email' || step.type === 'sms' || step.type === 'push' ? [{ id, step }] : [],
  );
}

// ---------------------------------------------------------------- sample data

const at = '2026-11-24T10:00:00Z';
const track = (event: string, properties: Record<string, unknown>) =>
  CustomerEvent.parse({
    type: 'track',
    userId: 'u-sample',
    messageId: `m-${event}`,
    timestamp: at,
    event,
    properties,
  });
const products = [
  { productId: 'sku-layflat-a4', name: 'Lay-flat Photo Book A4', quantity: 1, price: 64.5 },
  { productId: 'sku-prints-10', name: 'Square Prints 10x10', quantity: 20, price: 1.1 },
];
const order = { orderId: 'ord-1001', cartId: 'cart-1001', total: 86.5, currency: 'EUR', products };

/** The trigger each example journey sees, and the event its waitForEvent step receives. */
const samples: Record<string, { trigger: unknown; event?: unknown }> = {
  'welcome-series': {
    trigger: CustomerEvent.parse({
      type: 'identify',
      userId: 'u-sample',
      messageId: 'm-identify',
      timestamp: at,
      traits: { email: 'anna.rossi@example.com', accountType: 'personal' },
    }),
  },
  'cart-abandonment': {
    trigger: track('Cart Updated', { cartId: 'cart-1001', total: 86.5, currency: 'EUR', products }),
    event: track('Order Completed', order),
  },
  're-engagement': { trigger: { type: 'segment', timestamp: at }, event: track('App Opened', {}) },
  'renewal-reminder': { trigger: { type: 'segment', timestamp: at } },
  'post-purchase-nps': {
    trigger: track('Order Completed', order),
    event: track('Survey Answered', {
      survey: 'nps',
      orderId: 'ord-1001',
      score: 3,
      comment: 'Pages <b>upside</b> down',
    }),
  },
  'holiday-deadline': { trigger: track('Project Created', { projectId: 'prj-5001', kind: 'photo-book' }) },
  onboarding: { trigger: track('Signed Up', { plan: 'teams-trial', source: 'google-ads' }) },
  'order-shipped': {
    trigger: track('Order Shipped', {
      orderId: 'ord-1001',
      carrier: 'BRT',
      trackingUrl: 'https://tracking.example.com/brt/3901872201',
      estimatedDelivery: '2026-11-27',
    }),
    event: track('Order Delivered', { orderId: 'ord-1001' }),
  },
};

// Traits a template may not rely on: every use needs a default or an if.
const optionalTraits = {
  firstName: 'Anna',
  company: 'Lumen Studio',
  accountManager: 'Priya',
  autoRenew: true,
  renewalPrice: '49.00',
  currency: 'GBP',
  cardLast4: '4242',
};
const baseProfile = {
  userId: 'u-sample',
  email: 'anna.rossi@example.com',
  phone: '+393471234567',
  timezone: 'Europe/Rome',
  traits: { plan: 'plus', renewalDate: '2026-12-04', companySize: 25 },
};
const profiles = {
  complete: Profile.parse({ ...baseProfile, traits: { ...baseProfile.traits, ...optionalTraits } }),
  sparse: Profile.parse(baseProfile),
};

function contextFor(journey: Journey, step: Step, afterEvent: boolean, profile: Profile): TemplateContext {
  const sample = samples[journey.id];
  const marketing = step.type !== 'email' || !step.transactional;
  return {
    profile,
    trigger: sample?.trigger,
    ...(afterEvent ? { event: sample?.event } : {}),
    ...(journey.context === undefined
      ? {}
      : { context: Object.fromEntries(entryContext(journey.context, sample?.trigger).values) }),
    journey: { id: journey.id, name: journey.name },
    // Transactional mail has no unsubscribe link: a template that needs one fails the strict render.
    ...(marketing ? { unsubscribeUrl: `https://paperlane.example.com/u/${journey.id}/u-sample` } : {}),
  };
}

// ---------------------------------------------------------------- tests

describe('example journeys', () => {
  it('are at least six, each pointing editors at the generated JSON Schema', () => {
    expect(journeys.length).toBeGreaterThanOrEqual(6);
    for (const { file, journey } of journeys) {
      expect(journey.$schema, file).toBe('./journey.schema.json');
      expect(`${journey.id}.json`, 'the file is named after the journey id').toBe(file);
    }
  });

  it.each(journeys)('$file passes the journey validator with the example templates', ({ file }) => {
    const catalog = new Map([...templates].map(([name, template]) => [name, template.channel]));
    const result = validateJourney(readJson(new URL(file, journeysDir)), { templates: catalog });
    expect(result.ok ? [] : result.violations).toStrictEqual([]);
  });

  it.each(journeys)(
    '$file is a sound graph: steps exist, all reachable, every path ends at an exit',
    ({ journey }) => {
      const reached = walk(journey);
      expect([...reached.keys()].sort()).toStrictEqual(Object.keys(journey.steps).sort());
    },
  );

  it.each(journeys)('$file keeps splits at 100% and waits inside one execution year', ({ journey }) => {
    for (const [id, step] of Object.entries(journey.steps)) {
      if (step.type === 'split') {
        expect(
          step.variants.reduce((sum, v) => sum + v.weight, 0),
          id,
        ).toBe(100);
        expect(new Set(step.variants.map((v) => v.name)).size, id).toBe(step.variants.length);
      }
      for (const duration of [
        step.type === 'wait' ? step.for : undefined,
        step.type === 'waitForEvent' ? step.timeout : undefined,
      ]) {
        if (duration === undefined) continue;
        const seconds = durationSeconds(duration) ?? Number.NaN;
        expect(seconds, `${id}: ${duration}`).toBeGreaterThan(0);
        expect(seconds, `${id}: ${duration}`).toBeLessThan(MAX_EXECUTION_SECONDS);
      }
    }
  });

  it('together use every step type', () => {
    // A webhook needs a connection the stack is given: examples deploy on a stack with none.
    const all: Record<Exclude<StepType, 'webhook'>, true> = {
      email: true,
      sms: true,
      push: true,
      wait: true,
      waitForEvent: true,
      branch: true,
      split: true,
      updateProfile: true,
      emit: true,
      updateContext: true,
      exit: true,
    };
    const used = new Set(journeys.flatMap(({ journey }) => Object.values(journey.steps).map((s) => s.type)));
    expect([...used].sort()).toStrictEqual(Object.keys(all).sort());
  });

  it('together use the journey-level features', () => {
    const list = journeys.map(({ journey }) => journey);
    const steps = list.flatMap((j) => Object.values(j.steps));
    const waits = steps.flatMap((s) => (s.type === 'wait' ? [s] : []));
    const features: [string, boolean][] = [
      ['event, identify and segment triggers', new Set(list.map((j) => j.trigger.type)).size === 3],
      ['trigger filters', list.some((j) => j.trigger.type !== 'segment' && j.trigger.where !== undefined)],
      [
        'correlation keys',
        list.some((j) => j.trigger.type === 'event' && j.trigger.correlationKey !== undefined),
      ],
      ['audiences', list.some((j) => j.audience !== undefined)],
      ['re-entry once, always and after', new Set(list.map((j) => j.reentry.mode)).size === 3],
      ['goals with a window', list.some((j) => j.goal?.within !== undefined)],
      ['exit events', list.some((j) => (j.exitOn ?? []).length > 0)],
      ['quiet hours', list.some((j) => j.settings.quietHours !== undefined)],
      ['default time zones', list.some((j) => j.settings.defaultTimezone !== 'UTC')],
      ['caps', list.some((j) => (j.settings.caps ?? []).length > 0)],
      ['topics', list.some((j) => j.settings.topic !== undefined)],
      ['stage labels', steps.every((s) => s.type === 'exit' || s.stage !== undefined)],
      [
        'enrollment dates',
        list.some((j) => j.settings.startAt !== undefined && j.settings.endAt !== undefined),
      ],
      ['fixed-date waits', waits.some((w) => w.until !== undefined)],
      ['profile-date waits', waits.some((w) => w.untilDate?.offset !== undefined)],
      ['local-time windows', waits.some((w) => w.window?.weekdays !== undefined)],
      ['holdouts', steps.some((s) => s.type === 'split' && s.variants.some((v) => v.holdout))],
      ['context variables', list.some((j) => Object.keys(j.context ?? {}).length > 0)],
      [
        'channel fallbacks',
        steps.some((s) => (s.type === 'email' || s.type === 'sms' || s.type === 'push') && s.fallback),
      ],
      [
        'outcome branches',
        steps.some((s) => (s.type === 'email' || s.type === 'sms' || s.type === 'push') && s.onOutcome),
      ],
      ['entry limits', list.some((j) => j.trigger.type !== 'segment' && j.trigger.limit !== undefined)],
      ['event expiry', list.some((j) => j.trigger.type !== 'segment' && j.trigger.maxAge !== undefined)],
      ['experiments that end', steps.some((s) => s.type === 'split' && s.experiment !== undefined)],
    ];
    expect(features.filter(([, used]) => !used).map(([name]) => name)).toStrictEqual([]);
  });
});

describe('example templates', () => {
  it.each([...templates])('%s passes the Liquid syntax check', (_name, template) => {
    expect(checkTemplateSyntax(template)).toStrictEqual([]);
  });

  it('are each used by some journey step with the same channel', () => {
    const referenced = [...journeys, ...settingExamples].flatMap(({ journey }) =>
      messageSteps(journey).flatMap(({ id, step }) => [
        { where: `${journey.id}.${id}`, template: step.template, channel: step.type },
        // A fallback message names its own template and channel.
        ...(step.fallback ?? []).map((f, i) => ({
          where: `${journey.id}.${id}.fallback[${i}]`,
          template: f.template,
          channel: f.channel,
        })),
      ]),
    );
    for (const ref of referenced) expect(templates.get(ref.template)?.channel, ref.where).toBe(ref.channel);
    expect(
      [...templates.keys()].filter((name) => !referenced.some((r) => r.template === name)),
    ).toStrictEqual([]);
  });

  it('has a sample trigger for every example journey', () => {
    expect(journeys.map(({ journey }) => journey.id).filter((id) => samples[id] === undefined)).toStrictEqual(
      [],
    );
  });

  it.each(journeys)('$file: its sample trigger enrolls, starting every context variable', ({ journey }) => {
    expect(entryContext(journey.context, samples[journey.id]?.trigger).refused).toStrictEqual([]);
  });

  const renders = journeys.flatMap(({ journey }) => {
    const afterEvent = walk(journey);
    return messageSteps(journey).flatMap(({ id, step }) =>
      Object.entries(profiles).map(([kind, profile]) => ({
        name: `${journey.id}.${id} (${step.template}) with a ${kind} profile`,
        step,
        context: contextFor(journey, step, afterEvent.get(id) === true, profile),
      })),
    );
  });

  it.each(renders)('$name renders with strict Liquid', async ({ step, context }) => {
    const template = templates.get(step.template);
    if (template === undefined) throw new Error(`no template ${step.template}`);
    const rendered = z.record(z.string(), z.string()).parse(await renderTemplate(template, context));
    for (const [field, text] of Object.entries(rendered)) {
      expect(text.trim().length, field).toBeGreaterThan(0);
      expect(text, `${field} keeps no Liquid markup`).not.toMatch(/{{|{%/);
    }
    if (step.type === 'sms') {
      expect(rendered.body?.length ?? 0).toBeLessThanOrEqual(160);
      if (step.messageType === 'PROMOTIONAL') expect(rendered.body).toMatch(/Reply STOP to opt out$/);
    }
    if (step.type === 'email' && !step.transactional) {
      expect(rendered.html).toContain(context.unsubscribeUrl);
      expect(rendered.text).toContain(context.unsubscribeUrl);
    }
  });

  it('escapes customer-written text in HTML', async () => {
    const nps = journeys.find(({ journey }) => journey.id === 'post-purchase-nps')?.journey;
    const recovery = templates.get('service-recovery');
    if (nps === undefined || recovery?.channel !== 'email') throw new Error('missing the NPS example');
    const step = nps.steps['recovery-email'];
    if (step === undefined) throw new Error('missing the recovery step');
    const rendered = await renderTemplate(recovery, contextFor(nps, step, true, profiles.complete));
    expect(rendered.html).toContain('Pages &lt;b&gt;upside&lt;/b&gt; down');
  });
});

describe('demo events', () => {
  const DemoEvents = z.array(
    z.object({ at: z.number().int().min(0), event: z.record(z.string(), z.unknown()) }).strict(),
  );
  const demo = DemoEvents.parse(readJson(new URL('demo/events.json', journeysDir)));
  const start = Date.parse(at);

  it('are in time order', () => {
    expect(demo.map((d) => d.at)).toStrictEqual([...demo.map((d) => d.at)].sort((a, b) => a - b));
  });

  it.each(demo.map((d, index) => ({ ...d, index })))(
    '#$index parses as a customer event once stamped',
    ({ at: offset, event, index }) => {
      expect(event).not.toHaveProperty('timestamp');
      expect(event).not.toHaveProperty('messageId');
      const stamped = {
        ...event,
        timestamp: new Date(start + offset * 1000).toISOString(),
        messageId: `demo-${index}`,
      };
      expect(CustomerEvent.safeParse(stamped).error?.issues ?? []).toStrictEqual([]);
    },
  );

  it('identify every customer with channels, time zone and consent before their first action', () => {
    const parsed = demo.map((d) => CustomerEvent.parse({ ...d.event, timestamp: at, messageId: 'm' }));
    const identified = new Set<string>();
    for (const event of parsed) {
      if (event.type === 'identify') {
        expect(Object.keys(event.traits)).toEqual(expect.arrayContaining(['email', 'timezone', 'consent']));
        identified.add(event.userId ?? '');
      } else expect(identified.has(event.userId ?? ''), `${event.userId} ${event.event}`).toBe(true);
    }
    expect(identified.size).toBeGreaterThanOrEqual(5);
  });
});

describe('examples npm start does not deploy (journeys/examples/)', () => {
  const crm = new Map([['crm', 'https://crm.example.com/v1']]);
  const catalog = new Map([...templates].map(([name, template]) => [name, template.channel]));

  it.each(jsonFiles(examplesDir))(
    '%s passes the validator with a crm connection and the example templates',
    (file) => {
      const result = validateJourney(readJson(new URL(file, examplesDir)), {
        templates: catalog,
        connections: crm,
      });
      expect(result.ok ? [] : result.violations).toStrictEqual([]);
    },
  );

  // The others show what the language does at its edges (time zones, clock changes, consent), each with its scenarios.
  const callers = settingExamples
    .filter(({ journey }) => Object.values(journey.steps).some((step) => step.type === 'webhook'))
    .map(({ file }) => file);

  it('include one that calls a connection', () => {
    expect(callers.length).toBeGreaterThan(0);
  });

  it.each(callers)('%s is rejected where no crm connection exists, at the step naming it', (file) => {
    const result = validateJourney(readJson(new URL(file, examplesDir)), {
      templates: catalog,
      connections: new Map(),
    });
    expect(result.ok ? [] : result.violations.map((v) => v.code)).toContain('webhook.connection');
  });
});
