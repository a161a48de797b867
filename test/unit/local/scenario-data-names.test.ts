import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarios, referenceProblems } from '#infra/local/scenarios/load.ts';

/**
 * A property or trait a scenario gives under a name a slip away from one its
 * journeys or templates read is a typo: the filter, branch or message reading
 * it sees nothing, and the scenario could pass on a case it never played. It
 * is refused at its line with the name meant; a name unlike any read stays
 * allowed.
 */

const JOURNEYS = join(import.meta.dirname, '..', '..', '..', 'journeys');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scenario-data-names-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function problemsOf(name: string, scenario: Record<string, unknown>): Promise<string[]> {
  const text = JSON.stringify(
    {
      name: 'Data names',
      journeys: ['cart-abandonment', 'welcome-series'],
      start: '2026-03-02T09:00:00Z',
      expect: [{ noMessage: { user: 'anna', channel: 'sms' } }],
      ...scenario,
    },
    null,
    2,
  );
  await writeFile(join(dir, name), text);
  const { scenarios, problems } = await loadScenarios([join(dir, name)], dir);
  expect(problems).toStrictEqual([]);
  return referenceProblems(scenarios, JOURNEYS);
}

const TAIL = 'names are compared as written, letter case included';

describe('property and trait names a slip away from the ones journeys and templates read', () => {
  it('names a trait a template reads, one a condition reads, a property and an identified trait, each at its line', async () => {
    // act
    const problems = await problemsOf('slips.test.json', {
      customers: [{ id: 'anna', traits: { firstname: 'Anna', testAcount: true } }],
      events: [
        { at: '+0h', user: 'anna', track: 'Cart Updated', properties: { cartid: 'c1', total: 40 } },
        { at: '+1h', user: 'anna', identify: { accountTyp: 'personal' } },
      ],
    });
    // assert
    expect(problems).toStrictEqual([
      `slips.test.json:20:9: customers[0].traits.firstname: no journey of the scenario nor its templates reads a trait "firstname" (did you mean "firstName"?); ${TAIL}`,
      `slips.test.json:21:9: customers[0].traits.testAcount: no journey of the scenario nor its templates reads a trait "testAcount" (did you mean "testAccount"?); ${TAIL}`,
      `slips.test.json:31:9: events[0].properties.cartid: no journey of the scenario nor its templates reads a property "cartid" (did you mean "cartId"?); ${TAIL}`,
      `slips.test.json:39:9: events[1].identify.accountTyp: no journey of the scenario nor its templates reads a trait "accountTyp" (did you mean "accountType"?); ${TAIL}`,
    ]);
  });

  it('takes the names read, the traits the product reads itself, one an edit deploys, and names unlike any read', async () => {
    // act
    const problems = await problemsOf('fine.test.json', {
      customers: [{ id: 'anna', traits: { firstName: 'Anna', country: 'IT', favouriteColour: 'red' } }],
      events: [
        {
          at: '+0h',
          user: 'anna',
          track: 'Cart Updated',
          properties: { cartId: 'c1', total: 40, currency: 'EUR', items: 3 },
        },
        {
          at: '+1m',
          deploy: 'cart-abandonment',
          set: { 'steps.reminder-email.label': 'event.properties.cartsId' },
        },
        { at: '+2m', user: 'anna', track: 'Cart Updated', properties: { cartsId: 'c2' } },
        { at: '+3m', user: 'anna', identify: { accountType: 'personal', locale: 'it' } },
      ],
    });
    // assert
    expect(problems).toStrictEqual([]);
  });

  it('names a trait expectation a slip away from a trait read, set by an update or given by the scenario', async () => {
    // act
    const problems = await problemsOf('expect.test.json', {
      journeys: ['onboarding', 'welcome-series'],
      customers: [{ id: 'anna', traits: { favouriteColour: 'red' } }],
      expect: [
        { trait: { user: 'anna', name: 'accountTyp', equals: null } },
        { trait: { user: 'anna', name: 'onboardingStag', equals: 'nudged' } },
        { trait: { user: 'anna', name: 'favoriteColour', equals: 'red' } },
        { trait: { user: 'anna', name: 'onboardingRuns', equals: 1 } },
        { trait: { user: 'anna', name: 'nickname', equals: null } },
      ],
    });
    // assert
    expect(problems.map((p) => p.split(': no journey')[0])).toStrictEqual([
      'expect.test.json:12:9: expect[0].trait.name',
      'expect.test.json:19:9: expect[1].trait.name',
      'expect.test.json:26:9: expect[2].trait.name',
    ]);
    expect(problems[1]).toContain('(did you mean "onboardingStage"?)');
    expect(problems[2]).toContain('(did you mean "favouriteColour"?)');
  });
});
