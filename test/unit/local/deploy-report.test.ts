import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

let journeysDir: string;
beforeAll(async () => {
  journeysDir = await mkdtemp(join(tmpdir(), 'deploy-report-'));
});
afterAll(() => rm(journeysDir, { recursive: true, force: true }));

/** The lines the runtime prints for one deploy result. */
async function printed(key: string, result: unknown): Promise<string[]> {
  const lines: string[] = [];
  await reportDeploy(objectEvent(key), result, { log: (line) => lines.push(line), journeysDir });
  return lines;
}

describe('the runtime names what a deploy did, by the file in the journeys folder', () => {
  it.each([
    ['active', '✓ welcome.json deployed welcome v3'],
    ['paused', '‖ welcome.json paused welcome v3: no new enrollments; running ones go on'],
    ['draft', '· welcome.json draft welcome v3: validated, not live: no enrollments'],
    ['archived', '· welcome.json archived welcome v3: no new enrollments; running ones finish'],
  ])('a journey published %s', async (journeyStatus, line) => {
    expect(
      await printed('journeys/welcome.json', {
        status: 'deployed',
        journeyId: 'welcome',
        version: '3',
        journeyStatus,
      }),
    ).toStrictEqual([line]);
  });

  it('a rejected file, with every problem', async () => {
    expect(
      await printed('journeys/cart.json', {
        status: 'rejected',
        journeyId: 'cart',
        violations: [{ path: 'steps.a', message: 'no next step' }],
      }),
    ).toStrictEqual(['✗ cart.json rejected: 1 problem', '    steps.a: no next step']);
  });

  it('a rejected file, each problem at the line and column where it is written, as validate prints it', async () => {
    // arrange: the file as the deploy read it from the journeys folder
    const text = [
      '{',
      '  "id": "signup",',
      '  "steps": {',
      '    "hello": { "type": "email", "template": "nope", "next": "gone" }',
      '  }',
      '}',
    ].join('\n');
    await writeFile(join(journeysDir, 'signup.json'), text);
    // act
    const lines = await printed('journeys/signup.json', {
      status: 'rejected',
      journeyId: 'signup',
      violations: [
        { path: 'steps.hello.next', message: 'Goes to "gone", but there is no step with that id.' },
        { path: 'trigger', message: 'Required.' },
        { message: 'The file is not valid JSON.' },
      ],
    });
    // assert: a missing field at the object that lacks it (the document: no position)
    expect(lines).toStrictEqual([
      '✗ signup.json rejected: 3 problems',
      '    4:53  steps.hello.next: Goes to "gone", but there is no step with that id.',
      '    trigger: Required.',
      '    The file is not valid JSON.',
    ]);
  });

  it('a removed file: its journey archived, or nothing when it was never deployed', async () => {
    expect([
      ...(await printed('journeys/cart.json', { status: 'archived', journeyId: 'cart' })),
      ...(await printed('journeys/gone.json', { status: 'unknown', journeyId: 'gone' })),
    ]).toStrictEqual([
      '· cart.json removed: cart archived (no new enrollments; running ones finish)',
      '· gone.json removed (gone was never deployed: nothing to archive)',
    ]);
  });

  it('a changed template: each journey deployed again, as its status makes it live', async () => {
    expect(
      await printed('journeys/templates/welcome.json', {
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

  it('nothing for a file that is not a journey', async () => {
    expect(
      await printed('journeys/journey.schema.json', {
        status: 'ignored',
        key: 'journeys/journey.schema.json',
      }),
    ).toStrictEqual([]);
  });
});
