import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allProblems, loadScenarios, referenceProblems } from '#infra/local/scenarios/load.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scenario-files-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** A file as people write them, one field a line: problems name their line and column. */
const pretty = (value: unknown) => JSON.stringify(value, null, 2);

async function problemsOf(name: string, content: string | Uint8Array): Promise<string[]> {
  await writeFile(join(dir, name), content);
  return (await loadScenarios([join(dir, name)], dir)).problems;
}

describe('a scenario file that cannot run is refused with each wrong field and where it is written, before any runtime starts', () => {
  it('names the field, the form it needs and the value given', async () => {
    // act
    const problems = await problemsOf(
      'wrong.test.json',
      pretty({
        name: 'Wrong',
        journeys: ['cart-abandonment'],
        start: 'yesterday',
        customers: [{ id: 'ana', timezone: 'Mars/Olympus' }],
        events: [
          { at: '+1x', user: 'ana', track: 'Cart Updated' },
          { at: '+0h', user: 'ana' },
        ],
        expect: [
          { trait: { user: 'ana', name: 'plan', is: 'pro' } },
          {},
          { message: { user: 'ana', channel: 'email', localTime: '9:00' } },
          { message: { user: 'ana', template: 'cart-sms' } },
        ],
      }),
    );
    // assert
    expect(problems).toStrictEqual([
      'wrong.test.json:6:3: start: must be an ISO 8601 instant with a zone, such as 2026-03-02T09:00:00Z',
      'wrong.test.json:10:7: customers[0].timezone: must be an IANA time zone such as Europe/Rome',
      'wrong.test.json:15:7: events[0].at: must be an ISO 8601 instant with a zone (2026-03-02T09:00:00Z) or +<duration> (+2h, +30m, +1d, +P1DT2H)',
      'wrong.test.json:19:5: events[1]: must be { "track": … }, { "identify": … }, { "deploy": … }, { "opens": … } or { "clicks": … }, got an object with "at", "user"',
      'wrong.test.json:26:7: expect[0].trait.equals: is required',
      'wrong.test.json:26:7: expect[0].trait: has an unknown field "is"',
      'wrong.test.json:32:5: expect[1]: must be { "message": … }, { "noMessage": … }, { "path": … }, { "outcome": … }, { "trait": … }, { "share": … }, { "skipped": … } or { "webhook": … }, got an empty object',
      'wrong.test.json:37:9: expect[2].message.localTime: must be a local time HH:mm, from 00:00 to 23:59, such as 09:00',
      'wrong.test.json:41:7: expect[3].message.channel: is required: one of "email", "sms", "push"',
    ]);
  });

  it('shows the form of a window to one written as a duration, as `within` is elsewhere', async () => {
    // act: `within` is a duration in journeys (goal, onOutcome); in an expectation it is a window
    const problems = await problemsOf(
      'within.test.json',
      pretty({
        name: 'Within',
        journeys: ['cart-abandonment'],
        start: '2026-03-02T09:00:00Z',
        customers: [{ id: 'ana' }],
        events: [{ at: '+0h', user: 'ana', track: 'Cart Updated' }],
        expect: [
          { message: { user: 'ana', channel: 'email', within: 'PT1H' } },
          { noMessage: { user: 'ana', within: 'P1D' } },
        ],
      }),
    );
    // assert
    const form =
      'must be a window between two instants, { "from": "+0h", "to": "+1h" } (each ISO 8601 with its zone or +<duration> after the start)';
    expect(problems).toStrictEqual([
      `within.test.json:24:9: expect[0].message.within: ${form}, got the string "PT1H"`,
      `within.test.json:30:9: expect[1].noMessage.within: ${form}, got the string "P1D"`,
    ]);
  });

  it('points `times: 0` to noMessage, and an `until` written as a bare duration to its form', async () => {
    // act: "exactly 0 SMS" is how a marketer says "no SMS"; `until` reads like the journeys' durations
    const problems = await problemsOf(
      'none.test.json',
      pretty({
        name: 'None',
        journeys: ['cart-abandonment'],
        start: '2026-03-02T09:00:00Z',
        customers: [{ id: 'ana' }],
        events: [{ at: '+0h', user: 'ana', track: 'Cart Updated' }],
        until: 'P12D',
        expect: [{ message: { user: 'ana', channel: 'sms', times: 0 } }],
      }),
    );
    // assert
    expect(problems).toStrictEqual([
      'none.test.json:19:3: until: must be an ISO 8601 instant with a zone (2026-03-02T09:00:00Z) or +<duration> after the last event (+2h, +30m, +1d, +P1DT2H)',
      'none.test.json:25:9: expect[0].message.times: must be 1 or more; for none write { "noMessage": { "user": …, "channel": … } }',
    ]);
  });

  it('names bytes that are not UTF-8 and an empty file', async () => {
    expect(await problemsOf('latin1.test.json', Buffer.from('{"name": "Caf\xe9"}', 'latin1'))).toStrictEqual([
      'latin1.test.json: not UTF-8 text (near byte 14, line 1): save it as UTF-8',
    ]);
    expect(await problemsOf('empty.test.json', '')).toStrictEqual([
      'empty.test.json: empty: a JSON document was expected',
    ]);
  });
});

const JOURNEYS = join(import.meta.dirname, '..', '..', '..', 'journeys');

async function referencesOf(name: string, scenario: unknown): Promise<string[]> {
  await writeFile(join(dir, name), pretty(scenario));
  const { scenarios, problems } = await loadScenarios([join(dir, name)], dir);
  expect(problems).toStrictEqual([]);
  return referenceProblems(scenarios, JOURNEYS);
}

const cart = {
  name: 'Names nothing answers to',
  journeys: ['cart-abandonment'],
  start: '2026-03-02T09:00:00Z',
  customers: [{ id: 'anna' }, { id: 'crowd', count: 3 }],
};

describe('a scenario that names a step, variant, template, customer or journey that does not exist is refused before it runs', () => {
  it('names each wrong name with its JSON path and what there is instead', async () => {
    // act
    const problems = await referencesOf('names.test.json', {
      ...cart,
      settings: { 'cart-abandonmnet': { defaultTimezone: 'UTC' } },
      events: [
        { at: '+0h', user: 'anna', track: 'Cart Updated', properties: { total: 64 } },
        { at: '+1h', user: 'bob', track: 'Cart Updated' },
        { at: '+2h', user: 'crowd', track: 'Cart Updated' },
        { at: '+3h', user: 'crowd-3', track: 'Cart Updated' },
        { at: '+4h', user: 'anna', opens: 'cart-sms' },
      ],
      expect: [
        { path: { user: 'anna', through: ['wiat-order', 'wait-order'], notThrough: ['sms'] } },
        { share: { cohort: 'crowd', through: 'cart-smss', between: [0, 1] } },
        { message: { user: 'anna', channel: 'email', template: 'cart-remindr' } },
        { noMessage: { user: 'crowd-1', channel: 'email', template: 'cart-reminder' } },
        { outcome: { user: 'anna', journey: 'welcome', is: 'completed', at: 'done' } },
        { trait: { user: 'annaa', name: 'plan', equals: null } },
        { share: { cohort: 'crowds', through: 'cart-sms', between: [0, 1] } },
        { noMessage: { user: 'anna', channel: 'sms', template: 'cart-fallback' } },
      ],
    });
    // assert
    const steps =
      'wait-1h, reminder-email, wait-order, channel-test, cart-sms, cart-push, ordered, not-ordered';
    expect(problems).toStrictEqual([
      'names.test.json:17:5: settings.cart-abandonmnet: "cart-abandonmnet" is not one of the scenario\'s journeys (cart-abandonment)',
      'names.test.json:32:7: events[1].user: no customer "bob": declare it in customers (they are anna, crowd)',
      'names.test.json:42:7: events[3].user: no customer "crowd-3": declare it in customers (they are anna, crowd)',
      'names.test.json:48:7: events[4].opens: template "cart-sms" is sent by sms, never by email',
      `names.test.json:56:11: expect[0].path.through[0]: no step "wiat-order" (the steps are ${steps})`,
      'names.test.json:60:11: expect[0].path.notThrough[0]: "sms" is a variant of split "channel-test", not a step: name the step it leads to, "cart-sms"',
      `names.test.json:67:9: expect[1].share.through: no step "cart-smss" (the steps are ${steps})`,
      'names.test.json:78:9: expect[2].message.template: no journey of the scenario sends template "cart-remindr" (they send cart-reminder, cart-sms, cart-fallback, cart-push)',
      'names.test.json:91:9: expect[4].outcome.journey: "welcome" is not one of the scenario\'s journeys (cart-abandonment)',
      'names.test.json:98:9: expect[5].trait.user: no customer "annaa": declare it in customers (they are anna, crowd)',
      'names.test.json:105:9: expect[6].share.cohort: no customer or cohort "crowds" in customers (they are anna, crowd)',
      'names.test.json:117:9: expect[7].noMessage.template: template "cart-fallback" is sent by email, never by sms',
    ]);
  });

  it('names a pinned variant of a split that is not there, or that no customer can get', async () => {
    // arrange: a journey whose split has a variant of weight 0
    const journeys = join(dir, 'pin-journeys');
    await mkdir(journeys, { recursive: true });
    await writeFile(
      join(journeys, 'ab.json'),
      pretty({
        id: 'ab',
        name: 'AB',
        trigger: { type: 'event', event: 'Signed Up' },
        start: 'split',
        steps: {
          split: {
            type: 'split',
            variants: [
              { name: 'A', weight: 100, next: 'done' },
              { name: 'B', weight: 0, next: 'done' },
            ],
          },
          done: { type: 'exit' },
        },
      }),
    );
    await writeFile(
      join(dir, 'pins.test.json'),
      pretty({
        name: 'Pins',
        journeys: ['ab'],
        start: '2026-03-02T09:00:00Z',
        customers: [
          { id: 'ana', variants: { split: 'A', splt: 'A' } },
          { id: 'bo', variants: { done: 'A', split: 'C' } },
          { id: 'cy', count: 2, variants: { split: 'B' } },
        ],
        expect: [{ noMessage: { user: 'ana' } }],
      }),
    );
    const { scenarios } = await loadScenarios([join(dir, 'pins.test.json')], dir);

    // act
    const problems = await referenceProblems(scenarios, journeys);

    // assert
    expect(problems).toStrictEqual([
      'pins.test.json:12:9: customers[0].variants.splt: no split "splt" in the scenario\'s journeys (the splits are split)',
      'pins.test.json:18:9: customers[1].variants.done: "done" is an exit step, not a split (the splits are split)',
      'pins.test.json:19:9: customers[1].variants.split: split "split" has no variant "C" (its variants are A, B)',
      'pins.test.json:26:9: customers[2].variants.split: variant "B" of split "split" has weight 0: no customer can get it',
    ]);
  });

  it('refuses two customers that go by one id: declared twice, or one named as a member of a cohort', async () => {
    // act
    const problems = await referencesOf('twice.test.json', {
      ...cart,
      customers: [
        { id: 'anna' },
        { id: 'crowd', count: 3 },
        { id: 'anna', timezone: 'Europe/Rome' },
        { id: 'crowd-1' },
        { id: 'crowd-1', count: 2 },
        { id: 'solo-0' },
        { id: 'solo', count: 2 },
      ],
      expect: [{ noMessage: { user: 'anna' } }],
    });
    // assert
    expect(problems).toStrictEqual([
      'twice.test.json:16:7: customers[2].id: customer "anna" is declared twice (customers[0] and customers[2]): their identifies would make one profile; give each an id of its own',
      'twice.test.json:20:7: customers[3].id: customer "crowd-1" is a member of cohort "crowd" (customers[1], count 3): their identifies would make one profile; give each an id of its own',
      'twice.test.json:23:7: customers[4].id: cohort "crowd-1" is declared twice (customers[3] and customers[4]): their identifies would make one profile; give each an id of its own',
      'twice.test.json:30:7: customers[6].id: cohort "solo" (count 2) has a member "solo-0", declared as customers[5]: their identifies would make one profile; give each an id of its own',
    ]);
  });

  it('names a journey that is not there, and places problems of a list file under scenarios[n]', async () => {
    // act
    const problems = await referencesOf('list.test.json', {
      scenarios: [
        { ...cart, expect: [{ noMessage: { user: 'anna' } }] },
        {
          ...cart,
          journeys: ['cart-abandonment', 'nope'],
          expect: [{ path: { user: 'ana', through: ['ordered'] } }],
        },
      ],
    });
    // assert
    expect(problems).toStrictEqual([
      `list.test.json:30:9: scenarios[1].journeys[1]: no journey "nope": neither ${join(JOURNEYS, 'nope.json')} nor ${join(JOURNEYS, 'examples', 'nope.json')} exists`,
      'list.test.json:45:13: scenarios[1].expect[0].path.user: no customer "ana": declare it in customers (they are anna, crowd)',
    ]);
  });

  it('names an unknown journey of a file that also has a wrong field, with every problem of the file at once', async () => {
    // arrange: a wrong start and a misspelt journey in one file, then a sound file
    await writeFile(
      join(dir, 'both-1.test.json'),
      pretty({
        ...cart,
        journeys: ['cart-abandonmnet'],
        start: 'soon',
        expect: [{ noMessage: { user: 'anna' } }],
      }),
    );
    await writeFile(
      join(dir, 'both-2.test.json'),
      pretty({ ...cart, journeys: ['nope'], expect: [{ noMessage: { user: 'anna' } }] }),
    );
    const loaded = await loadScenarios([join(dir, 'both-1.test.json'), join(dir, 'both-2.test.json')], dir);
    // act
    const problems = await allProblems(loaded, JOURNEYS);
    // assert: each file's problems together, each with its line and column
    expect(problems.map((p) => p.split(': ').slice(0, 2).join(': '))).toStrictEqual([
      'both-1.test.json:4:5: journeys[0]',
      'both-1.test.json:6:3: start',
      'both-2.test.json:4:5: journeys[0]',
    ]);
    expect(problems[0]).toContain('no journey "cart-abandonmnet"');
  });

  it("names a message expectation's journey that the scenario does not deploy", async () => {
    const problems = await referencesOf('from.test.json', {
      ...cart,
      expect: [
        { message: { user: 'anna', channel: 'email', journey: 'welcome-series', times: 1 } },
        { noMessage: { user: 'anna', journey: 'cart-abandonmnet' } },
      ],
    });
    expect(problems).toStrictEqual([
      'from.test.json:21:9: expect[0].message.journey: "welcome-series" is not one of the scenario\'s journeys (cart-abandonment)',
      'from.test.json:28:9: expect[1].noMessage.journey: "cart-abandonmnet" is not one of the scenario\'s journeys (cart-abandonment)',
    ]);
  });

  it('refuses an event written before the start, which would be played at the start', async () => {
    const problems = await referencesOf('before.test.json', {
      ...cart,
      events: [
        { at: '2026-03-01T00:00:00Z', user: 'anna', track: 'Cart Updated' },
        { at: '2026-03-02T09:00:00Z', user: 'anna', track: 'Cart Updated' },
        { at: '+1h', user: 'anna', track: 'Cart Updated' },
      ],
      expect: [{ message: { user: 'anna', channel: 'email', template: 'cart-reminder' } }],
    });
    expect(problems).toStrictEqual([
      "before.test.json:18:7: events[0].at: 2026-03-01T00:00:00Z is before the scenario's start (2026-03-02T09:00:00Z): journey time begins there and never goes back; start the scenario earlier or write the event later",
    ]);
  });

  it('accepts steps and templates that a deploy of an edited journey adds', async () => {
    const problems = await referencesOf('deploy.test.json', {
      ...cart,
      events: [
        {
          at: '+1h',
          deploy: 'cart-abandonment',
          set: { 'steps.cart-sms.template': 'cart-sms-v2', 'steps.extra': { type: 'exit' } },
        },
      ],
      expect: [
        { message: { user: 'anna', channel: 'sms', template: 'cart-sms-v2' } },
        { message: { user: 'anna', channel: 'email', template: 'cart-sms-v2' } },
        { path: { user: 'anna', notThrough: ['extra'] } },
      ],
    });
    expect(problems).toStrictEqual([]);
  });
});
