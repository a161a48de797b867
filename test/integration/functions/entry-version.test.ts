import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnrollmentItems } from '#functions/_lib/enrollment-items.ts';
import { CachedRegistry, RegistryRepository } from '#functions/_lib/registry.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import type { JourneyInput } from '#shared/journey/schema.ts';
import { EnrollmentInput } from '#shared/tasks/enrollment.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { ingestDeps, registerJourney, track } from './harness.ts';

/**
 * An entry runs the version that decided it: ingest reads the registry
 * through a cache (30 seconds on AWS), so just after a deploy a warm
 * container still judges entries by the previous version. Whatever it
 * starts must be that version, or the execution runs a definition whose
 * variants and steps its counts do not name.
 */

const V1: JourneyInput = {
  id: 'edited-split',
  name: 'Edited split',
  trigger: { type: 'event', event: 'Signed Up' },
  reentry: { mode: 'always' },
  start: 'ab',
  steps: {
    ab: {
      type: 'split',
      variants: [
        { name: 'a', weight: 100, next: 'done' },
        { name: 'b', weight: 0, next: 'done' },
      ],
    },
    done: { type: 'exit' },
  },
};

/** The edit: every entrant now draws `b`. */
const V2: JourneyInput = {
  ...V1,
  steps: {
    ab: {
      type: 'split',
      variants: [
        { name: 'a', weight: 0, next: 'done' },
        { name: 'b', weight: 100, next: 'done' },
      ],
    },
    done: { type: 'exit' },
  },
};

/**
 * The version Step Functions runs for a StartExecution ARN: a version ARN's
 * own, the alias `live`'s current target (the deploy moved it to `live`).
 */
function versionRun(arn: string | undefined, live: string): string {
  const qualifier = arn?.slice(arn.lastIndexOf(':') + 1);
  return qualifier === 'live' ? live : String(qualifier);
}

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('entry-version');
});
afterAll(async () => db.stop());

describe('an entry judged by a cached registry just after a deploy', () => {
  it('runs, records and counts one version: the one whose splits drew its variant', async () => {
    // arrange: version 1 live, and a container whose cache has read it
    await registerJourney(db, V1, '1');
    const minute = 60_000;
    let clock = Date.parse('2026-11-24T10:00:00Z');
    const { deps, sfn } = ingestDeps(db, () => new Date(clock));
    deps.registry = new CachedRegistry(
      new RegistryRepository(db.doc, db.tables.journeys),
      minute,
      () => clock,
    );
    await ingestEvent(deps, track('u-before', 'Signed Up'));
    // version 2 deployed (the alias moved) 10 seconds later; the cache still holds version 1
    const previous = await new RegistryRepository(db.doc, db.tables.journeys).get(V1.id);
    await registerJourney(db, V2, '2', previous);
    clock += 10_000;

    // act
    await ingestEvent(deps, track('u-after', 'Signed Up'));

    // assert
    const starts = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
    expect(starts).toHaveLength(2);
    const after = starts[1];
    const input = EnrollmentInput.parse(JSON.parse(String(after?.input)));
    const item = await new EnrollmentItems(db.doc, db.tables.enrollments).enrollment(
      'u-after',
      input.enrollmentId,
    );
    const counted = (await new StatsRepository(db.doc, db.tables.stats).funnel(V1.id)).filter(
      (row) => row.metric === 'assigned',
    );
    const ran = versionRun(after?.stateMachineArn, '2');
    expect(ran).toBe(input.journeyVersion);
    expect(item?.version).toBe(ran);
    // both entrants were judged by version 1, drew its only variant, and are counted in it
    expect(counted.map((row) => [row.version, row.variant, row.count])).toEqual([['1', 'a', 2]]);
    expect(ran).toBe('1');
  });
});
