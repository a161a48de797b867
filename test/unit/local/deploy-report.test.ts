import { describe, expect, it } from 'vitest';
import { reportDeploy } from '#infra/local/runtime/deploys.ts';
import type { BusEvent } from '#infra/local/services/eventbridge/bus.ts';

const objectEvent = (key: string): BusEvent => ({
  version: '0',
  id: 'e1',
  'detail-type': 'Object Created',
  source: 'aws.s3',
  account: '000000000000',
  time: '2026-12-01T10:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: { bucket: { name: 'journeys-local' }, object: { key } },
});

/** The lines the runtime prints for one deploy result. */
function printed(key: string, result: unknown): string[] {
  const lines: string[] = [];
  reportDeploy(objectEvent(key), result, (line) => lines.push(line));
  return lines;
}

describe('the runtime names what a deploy did, by the file in the journeys folder', () => {
  it.each([
    ['active', '✓ welcome.json deployed welcome v3'],
    ['paused', '‖ welcome.json paused welcome v3: no new enrollments; running ones go on'],
    ['draft', '· welcome.json draft welcome v3: validated, not live: no enrollments'],
    ['archived', '· welcome.json archived welcome v3: no new enrollments; running ones finish'],
  ])('a journey published %s', (journeyStatus, line) => {
    expect(
      printed('journeys/welcome.json', {
        status: 'deployed',
        journeyId: 'welcome',
        version: '3',
        journeyStatus,
      }),
    ).toStrictEqual([line]);
  });

  it('a rejected file, with every problem', () => {
    expect(
      printed('journeys/cart.json', {
        status: 'rejected',
        journeyId: 'cart',
        violations: [{ path: 'steps.a', message: 'no next step' }],
      }),
    ).toStrictEqual(['✗ cart.json rejected: 1 problem', '    steps.a: no next step']);
  });

  it('a removed file: its journey archived, or nothing when it was never deployed', () => {
    expect([
      ...printed('journeys/cart.json', { status: 'archived', journeyId: 'cart' }),
      ...printed('journeys/gone.json', { status: 'unknown', journeyId: 'gone' }),
    ]).toStrictEqual([
      '· cart.json removed: cart archived (no new enrollments; running ones finish)',
      '· gone.json removed (gone was never deployed: nothing to archive)',
    ]);
  });

  it('a changed template: each journey deployed again, as its status makes it live', () => {
    expect(
      printed('journeys/templates/welcome.json', {
        status: 'redeployed',
        template: 'welcome',
        results: [
          { status: 'deployed', journeyId: 'welcome', version: '4', journeyStatus: 'active' },
          { status: 'deployed', journeyId: 'nudge', version: '2', journeyStatus: 'paused' },
        ],
      }),
    ).toStrictEqual([
      '✓ welcome.json (templates/welcome.json changed) deployed welcome v4',
      '‖ nudge.json (templates/welcome.json changed) paused nudge v2: no new enrollments; running ones go on',
    ]);
  });

  it('nothing for a file that is not a journey', () => {
    expect(
      printed('journeys/journey.schema.json', { status: 'ignored', key: 'journeys/journey.schema.json' }),
    ).toStrictEqual([]);
  });
});
