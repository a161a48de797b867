import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenarios, type ScenarioResult } from '#infra/local/scenarios/run-scenario.ts';
import { Scenario } from '#infra/local/scenarios/scenario.ts';
import { E2E_TIMEOUT } from './support/local-runtime.ts';

/**
 * An awaited event without a value the steps after it copy (`{ "from":
 * "event.…" }`) does not answer the wait: copied by a Step Functions path, the
 * missing value would fail the customer's execution (States.Runtime, which
 * no catcher takes) at the step that copies it. The wait goes on until an
 * event that has it, or its timeout.
 */

const TEMPLATES = join(import.meta.dirname, '..', '..', 'journeys', 'templates');

const JOURNEY = {
  id: 'order-copy',
  name: 'Order copy',
  trigger: { type: 'event', event: 'Cart Updated' },
  reentry: 'always',
  start: 'wait-order',
  steps: {
    'wait-order': {
      type: 'waitForEvent',
      event: 'Order Completed',
      timeout: 'P1D',
      onEvent: 'remember',
      onTimeout: 'done',
    },
    remember: {
      type: 'updateProfile',
      set: { lastOrder: { from: 'event.properties.orderId' } },
      next: 'tell',
    },
    tell: {
      type: 'emit',
      event: 'Order Noted',
      properties: { orderId: { from: 'event.properties.orderId' } },
      next: 'thanks',
    },
    thanks: { type: 'email', template: 'note-hello', next: 'done' },
    done: { type: 'exit' },
  },
};

let folder: string;
let result: ScenarioResult | undefined;

beforeAll(async () => {
  // arrange
  folder = await mkdtemp(join(tmpdir(), 'awaited-copies-'));
  await mkdir(join(folder, 'templates'));
  await cp(TEMPLATES, join(folder, 'templates'), { recursive: true });
  await writeFile(join(folder, 'order-copy.json'), JSON.stringify(JOURNEY));
  const scenario = Scenario.parse({
    name: 'orders without the order id the journey copies',
    journeys: ['order-copy'],
    start: '2026-03-02T10:00:00Z',
    until: '+P2D',
    customers: [{ id: 'ada' }, { id: 'bob' }],
    events: [
      { at: '+0h', user: 'ada', track: 'Cart Updated' },
      { at: '+0h', user: 'bob', track: 'Cart Updated' },
      // act: each orders without an order id; bob's app then sends the order with one
      { at: '+1h', user: 'ada', track: 'Order Completed', properties: { total: 3 } },
      { at: '+1h', user: 'bob', track: 'Order Completed', properties: { total: 3 } },
      { at: '+2h', user: 'bob', track: 'Order Completed', properties: { orderId: 'o-2' } },
    ],
    expect: [
      { outcome: { user: 'ada', is: 'completed', at: 'done' } },
      { path: { user: 'ada', through: ['wait-order', 'done'], notThrough: ['remember'] } },
      { noMessage: { user: 'ada', channel: 'email' } },
      { outcome: { user: 'bob', is: 'completed', at: 'done' } },
      { trait: { user: 'bob', name: 'lastOrder', equals: 'o-2' } },
      { message: { user: 'bob', channel: 'email', template: 'note-hello', times: 1 } },
    ],
  });
  [result] = await runScenarios([{ file: 'order-copy.test.json', scenario }], folder);
}, E2E_TIMEOUT);

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('journeys test: an awaited event without a value the journey copies', () => {
  it('does not answer the wait, and never fails the execution', () => {
    // assert
    expect(result?.error).toBeUndefined();
    expect(result?.verdicts.filter((v) => !v.ok).map((v) => v.title)).toEqual([]);
    expect(result?.verdicts).toHaveLength(6);
  });
});
