import { describe, expect, it } from 'vitest';
import { parseCustomerEvent } from '#shared/events.ts';
import { liveFields } from '#shared/ingest/live-journey.ts';
import * as mini from '#shared/journey/mini-schema.ts';
import { Journey } from '#shared/journey/schema.ts';
import { validateJourney } from '#shared/journey/validate.ts';

/** The same name as people read it, in the spellings apps and editors send. */
const NFC = 'Jos\u00e9 Signed Up';
const NFD = 'Jose\u0301 Signed Up';
const PRENOM_NFC = 'pr\u00e9nom';
const PRENOM_NFD = 'pre\u0301nom';

const base = { userId: 'u-1', messageId: 'm-1', timestamp: '2026-11-24T10:00:00Z' };

function parsed(input: Record<string, unknown>) {
  const result = parseCustomerEvent({ ...base, ...input });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.event;
}

describe('event and trait names in customer events', () => {
  it.each([
    [' Order Completed ', 'Order Completed'],
    ['Order Completed\u00a0', 'Order Completed'],
    [NFD, NFC],
    [` ${NFD}\u2003`, NFC],
  ])('reads the event name %j as %j', (sent, read) => {
    expect(parsed({ type: 'track', event: sent }).event).toBe(read);
  });

  it('keeps letter case: "order completed" is another event', () => {
    expect(parsed({ type: 'track', event: 'order completed' }).event).toBe('order completed');
  });

  it('reads trait names trimmed and in NFC, and keys inside values and properties in NFC', () => {
    const identify = parsed({
      type: 'identify',
      traits: { ' plan ': 'pro', [PRENOM_NFD]: 'Ana', address: { 'cite\u0301': 'Lyon' } },
    });
    expect(identify.traits).toEqual({ plan: 'pro', [PRENOM_NFC]: 'Ana', address: { 'cit\u00e9': 'Lyon' } });
    const track = parsed({ type: 'track', event: 'Viewed', properties: { [PRENOM_NFD]: 1, ' spaced ': 2 } });
    expect(track.type === 'track' && track.properties).toEqual({ [PRENOM_NFC]: 1, ' spaced ': 2 });
  });

  it('refuses an event naming one trait or key twice, spelt two ways, naming both', () => {
    const result = parseCustomerEvent({
      ...base,
      type: 'identify',
      traits: {
        plan: 'pro',
        'plan ': 'free',
        [PRENOM_NFC]: 'a',
        nested: { [PRENOM_NFC]: 1, [PRENOM_NFD]: 2 },
      },
    });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems.map((p) => p.field)).toEqual(['traits.plan ', `traits.nested.${PRENOM_NFD}`]);
    expect(problems[0]?.message).toMatch(/names the same trait as "plan"/);
    expect(problems[1]?.message).toMatch(/names the same key as/);
  });

  it('refuses a name that is only spaces', () => {
    const result = parseCustomerEvent({ ...base, type: 'track', event: ' \u00a0 ' });
    expect(result.ok ? [] : result.problems).toEqual([{ field: 'event', message: 'must not be blank' }]);
  });
});

/** A journey naming its events in the spellings a marketer's editor may save. */
const journey = {
  id: 'spellings',
  name: 'Spellings',
  trigger: { type: 'event', event: ` ${NFD} ` },
  audience: { performed: `${NFD} `, atLeast: 1 },
  goal: { event: 'Order Completed ', within: 'P7D' },
  exitOn: [{ event: ' Unsubscribed' }],
  start: 'wait',
  steps: {
    wait: {
      type: 'waitForEvent',
      event: 'Cafe\u0301 Visited ',
      timeout: 'P1D',
      onEvent: 'done',
      onTimeout: 'done',
    },
    done: { type: 'exit' },
  },
};

describe('event names in journey files', () => {
  it('are read as ingest reads events: trimmed and in NFC, in every place that names one', () => {
    const parsedJourney = Journey.parse(journey);
    expect(parsedJourney.trigger).toMatchObject({ event: NFC });
    expect(parsedJourney.audience).toEqual({ performed: NFC, atLeast: 1 });
    expect(parsedJourney.goal?.event).toBe('Order Completed');
    expect(parsedJourney.exitOn?.[0]?.event).toBe('Unsubscribed');
    expect(parsedJourney.steps.wait).toMatchObject({ event: 'Caf\u00e9 Visited' });
    const live = liveFields(parsedJourney);
    expect(live.awaits).toEqual(['Caf\u00e9 Visited']);
  });

  it('read a consent topic in NFC, as the topics of consent traits are read', () => {
    const parsedJourney = Journey.parse({ ...journey, settings: { topic: 'Caf\u0065\u0301 news' } });
    expect(parsedJourney.settings.topic).toBe('Caf\u00e9 news');
    const consent = parsed({
      type: 'identify',
      traits: { consent: { topics: { 'Caf\u0065\u0301 news': false } } },
    });
    expect(consent.traits).toEqual({ consent: { topics: { 'Caf\u00e9 news': false } } });
  });

  it('are read so by the functions from the registry record too', () => {
    expect(mini.Trigger.parse(journey.trigger)).toMatchObject({ event: NFC });
    expect(mini.Goal.parse(journey.goal)).toMatchObject({ event: 'Order Completed' });
  });

  it('refuse an event name that is only spaces', () => {
    const result = validateJourney({ ...journey, trigger: { type: 'event', event: '   ' } });
    expect(result.ok ? [] : result.violations.map((v) => `${v.path}: ${v.message}`)).toContain(
      'trigger.event: must not be blank',
    );
  });

  it('warn when one journey names an event in two letter cases, naming both places', () => {
    const result = validateJourney({ ...journey, goal: { event: 'josé signed up', within: 'P7D' } });
    expect(result.ok).toBe(true);
    const spelling = result.warnings.filter((w) => w.code === 'event.spelling');
    expect(spelling.map((w) => w.path)).toEqual(['goal.event']);
    expect(spelling[0]?.message).toContain(`from "${NFC}" (trigger.event)`);
    expect(validateJourney(journey).warnings.filter((w) => w.code === 'event.spelling')).toEqual([]);
  });
});

describe('a detail that is not the event itself', () => {
  const event = { ...base, type: 'track', event: 'Order Completed' };
  const problemsOf = (input: unknown) => {
    const result = parseCustomerEvent(input);
    return result.ok ? [] : result.problems;
  };

  it('names an event encoded twice (Detail: JSON.stringify of a JSON string)', () => {
    expect(problemsOf(JSON.stringify(event))).toEqual([
      {
        field: '(event)',
        message: expect.stringMatching(/^is JSON text holding an object, not the object: .*once/),
      },
    ]);
  });

  it.each([
    [
      'an EventBridge event',
      { version: '0', 'detail-type': 'track', source: 'journeys.customer', detail: event },
    ],
    [
      'a PutEvents entry',
      { Source: 'journeys.customer', DetailType: 'track', Detail: JSON.stringify(event) },
    ],
  ])('names %s put in Detail in place of the event', (_name, wrapped) => {
    expect(problemsOf(wrapped)).toEqual([
      { field: '(event)', message: expect.stringMatching(/^is .* wrapped around the event/) },
    ]);
  });
});
