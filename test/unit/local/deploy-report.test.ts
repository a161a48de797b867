import { join } from 'node:path';
import { expect, it } from 'vitest';
import { reportDeploy } from '#infra/local/runtime/deploys.ts';
import type { BusEvent } from '#infra/local/services/eventbridge/bus.ts';

const created = (key: string): BusEvent => ({
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

it('names the file in the journeys folder the user gave, not the bucket key', () => {
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);
  reportDeploy(
    created('journeys/welcome.json'),
    { status: 'deployed', journeyId: 'welcome', version: 1 },
    log,
    'journeys',
  );
  reportDeploy(
    created('journeys/cart.json'),
    { status: 'rejected', journeyId: 'cart', violations: [{ path: 'steps.a', message: 'no next step' }] },
    log,
    join('campaigns', 'spring'),
  );
  expect(lines).toStrictEqual([
    '✓ journeys/welcome.json deployed welcome v1',
    `✗ ${join('campaigns', 'spring', 'cart.json')} rejected: 1 problem`,
    '    steps.a: no next step',
  ]);
});
