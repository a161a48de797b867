import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarios, referenceProblems } from '#infra/local/scenarios/load.ts';

/**
 * An event a scenario's customer tracks under a name a slip away from one its
 * journeys react to is a typo: it would trigger, end and answer nothing, and
 * the scenario could pass on what it never played. It is refused at its line
 * with the name meant; an event no journey names at all stays allowed.
 */

const JOURNEYS = join(import.meta.dirname, '..', '..', '..', 'journeys');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scenario-event-names-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function problemsOf(name: string, journeys: string[], events: unknown[]): Promise<string[]> {
  const text = JSON.stringify(
    {
      name: 'Event names',
      journeys,
      start: '2026-03-02T09:00:00Z',
      customers: [{ id: 'anna' }],
      events,
      expect: [{ noMessage: { user: 'anna', channel: 'sms' } }],
    },
    null,
    2,
  );
  await writeFile(join(dir, name), text);
  const { scenarios, problems } = await loadScenarios([join(dir, name)], dir);
  expect(problems).toStrictEqual([]);
  return referenceProblems(scenarios, JOURNEYS);
}

const cart = { at: '+0h', user: 'anna', track: 'Cart Updated', properties: { cartId: 'c1', total: 40 } };

describe('tracked event names a slip away from the ones the journeys react to', () => {
  it('names a misspelt exit event and a goal in the wrong letter case, each at its line', async () => {
    // act
    const problems = await problemsOf(
      'slips.test.json',
      ['cart-abandonment'],
      [
        cart,
        { at: '+30m', user: 'anna', track: 'Cart Emptyed' },
        { at: '+1h', user: 'anna', track: 'order completed' },
      ],
    );
    // assert
    expect(problems).toStrictEqual([
      'slips.test.json:25:7: events[1].track: no journey of the scenario reacts to "Cart Emptyed" (did you mean "Cart Emptied"?); event names are compared as written, letter case included',
      'slips.test.json:30:7: events[2].track: no journey of the scenario reacts to "order completed" (did you mean "Order Completed"?); event names are compared as written, letter case included',
    ]);
  });

  it('names a slip of an event only an event-history condition counts', async () => {
    // act
    const problems = await problemsOf(
      'history.test.json',
      ['welcome-series'],
      [{ at: '+0h', user: 'anna', track: 'Project Creatd' }],
    );
    // assert
    expect(problems).toStrictEqual([
      'history.test.json:16:7: events[0].track: no journey of the scenario reacts to "Project Creatd" (did you mean "Project Created"?); event names are compared as written, letter case included',
    ]);
  });

  it('takes the names the journeys use, one an edit deploys, and an event unlike any of them', async () => {
    // act
    const problems = await problemsOf(
      'fine.test.json',
      ['cart-abandonment', 'welcome-series'],
      [
        cart,
        { at: '+1m', user: 'anna', track: ' Project Created ' },
        { at: '+2m', user: 'anna', track: 'Newsletter Read' },
        { at: '+3m', deploy: 'cart-abandonment', set: { exitOn: [{ event: 'Cart Cleared' }] } },
        { at: '+4m', user: 'anna', track: 'Cart Cleared' },
        { at: '+5m', deploy: 'cart-abandonment', set: { 'goal.event': 'Order Placed' } },
        { at: '+6m', user: 'anna', track: 'Order Placed' },
      ],
    );
    // assert
    expect(problems).toStrictEqual([]);
  });
});
