import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExperimentJudge } from '#functions/_lib/experiments.ts';
import { RegistryRepository } from '#functions/_lib/registry.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { experimentStates } from '#shared/ingest/experiments.ts';
import { liveFields } from '#shared/ingest/live-journey.ts';
import { splitBucket } from '#shared/journey/enrollment.ts';
import { Journey, type JourneyInput } from '#shared/journey/schema.ts';
import { EnrollmentInput } from '#shared/tasks/enrollment.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { ACCOUNT_PREFIX, ingestDeps, track } from './harness.ts';

let db: LocalDynamo;
/** Items the stats table returned, whatever the call (a query's page, a get). */
let statsItemsRead = 0;
beforeAll(async () => {
  db = await startDynalite('experiments');
  db.doc.middlewareStack.add(
    (next) => async (args) => {
      const out = await next(args);
      const input = args.input as { TableName?: string };
      const output = out.output as { Items?: unknown[]; Item?: unknown };
      if (input.TableName === db.tables.stats)
        statsItemsRead += (output.Items?.length ?? 0) + (output.Item === undefined ? 0 : 1);
      return out;
    },
    { step: 'initialize', name: 'countStatsItems' },
  );
});
afterAll(async () => db.stop());

const DEPLOYED = '2026-11-01T00:00:00.000Z';
const NOW = new Date('2026-11-24T10:00:00Z');

/** The event that enters a customer in journey `id`: each test's journey its own, so no test enters another's. */
const go = (id: string) => `Go ${id}`;
/** The goal event of journey `id`. */
const buy = (id: string) => `Buy ${id}`;

function journeyInput(id: string, until: string): JourneyInput {
  return {
    id,
    name: id,
    trigger: { type: 'event', event: go(id) },
    reentry: 'always',
    goal: { event: buy(id) },
    start: 'ab',
    steps: {
      ab: {
        type: 'split',
        variants: [
          { name: 'a', weight: 45, next: 'done' },
          { name: 'b', weight: 45, next: 'done' },
          { name: 'control', weight: 10, next: 'done', holdout: true },
        ],
        experiment: { metric: 'goal', minSample: 100, until },
      },
      done: { type: 'exit' },
    },
  };
}

/** Deploys a journey version as deploy-journey does, experiment states carried over from the live item. */
async function deploy(input: JourneyInput, version: string, at = DEPLOYED) {
  const journey = Journey.parse(input);
  const registry = new RegistryRepository(db.doc, db.tables.journeys);
  const previous = await registry.get(journey.id);
  const stateMachineArn = `${ACCOUNT_PREFIX}:stateMachine:journey-${journey.id}`;
  await registry.putDeployed(
    {
      ...liveFields(journey),
      experiments: experimentStates(journey, version, at, previous?.experiments),
      version,
      versionArn: `${stateMachineArn}:${version}`,
      aliasArn: `${stateMachineArn}:live`,
      stateMachineArn,
      sourceKey: `journeys/${journey.id}.json`,
      deployedAt: at,
    },
    previous,
  );
}

/** Seeds the counters `journeys report` reads: entrants and conversions of a variant in a version. */
async function seed(
  journeyId: string,
  version: string,
  variant: string,
  assigned: number,
  converted: number,
) {
  // Shards drawn in a fixed order, so that two journeys seeded alike hold their counts on the same shards.
  let draw = 0;
  const stats = new StatsRepository(db.doc, db.tables.stats, { random: () => (draw++ % 8) / 8 });
  // Counted in the experiment the live journey runs at the split, as entry and conversion count them.
  const experiment = (await live(journeyId))?.fromVersion;
  const key = { journeyId, version, stepId: 'ab', variant, experiment };
  await stats.increment({ ...key, metric: 'assigned' }, assigned);
  await stats.increment({ ...key, metric: 'converted' }, converted);
}

/** Counters of other steps, versions and days: nothing the experiment sums. */
async function seedUnrelated(journeyId: string, count: number) {
  const stats = new StatsRepository(db.doc, db.tables.stats);
  for (let i = 0; i < count; i++) {
    await stats.increment({ journeyId, version: '1', stepId: `step-${i}`, metric: 'sent' });
    await stats.incrementDay(
      journeyId,
      { day: `2026-01-${String((i % 28) + 1).padStart(2, '0')}`, metric: 'sent', channel: 'email' },
      NOW,
    );
  }
}

function judge(now = NOW) {
  return new ExperimentJudge(
    db.doc,
    db.tables.journeys,
    new StatsRepository(db.doc, db.tables.stats),
    () => now,
  );
}

async function live(journeyId: string) {
  const entry = await new RegistryRepository(db.doc, db.tables.journeys).get(journeyId);
  return entry?.experiments?.[0];
}

/** Customers whose own bucket at `ab` is not the holdout's and not in b's range. */
function customersOfA(journeyId: string, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) if (splitBucket(journeyId, 'ab', `u${i}`) < 45) out.push(`u${i}`);
  return out;
}

describe('experiments: the decision against dynalite', () => {
  it('a significant winner is recorded on entry, and later entrants take it', async () => {
    // arrange
    await deploy(journeyInput('exp-sig', 'significant'), '1');
    await seed('exp-sig', '1', 'a', 1000, 100);
    await seed('exp-sig', '1', 'b', 1000, 200);
    const { deps, sfn } = ingestDeps(db, () => NOW);
    const withJudge = { ...deps, experiments: judge() };
    const [first, second] = customersOfA('exp-sig', 2);
    // act
    await ingestEvent(withJudge, track(first ?? '', go('exp-sig')));
    await ingestEvent(withJudge, track(second ?? '', go('exp-sig')));
    // assert
    const state = await live('exp-sig');
    expect(state?.decision?.winner).toBe('b');
    expect(state?.decision?.at).toBe(NOW.toISOString());
    expect(state?.decision?.reason).toMatch(/^b converts at 20\.0% \(200\/1000\), better than a 10\.0%/);
    const buckets = sfn
      .commandCalls(StartExecutionCommand)
      .map((c) => EnrollmentInput.parse(JSON.parse(c.args[0].input.input ?? '{}')).buckets.ab);
    // The entrant whose entry decided it kept its own variant (a); the next took b's first bucket.
    expect(buckets).toStrictEqual([splitBucket('exp-sig', 'ab', first ?? ''), 45]);
  });

  it('an experiment short of its sample keeps running and says why; it is looked at again only an hour later, even from a stale cache', async () => {
    // arrange
    await deploy(journeyInput('exp-short', 'significant'), '1');
    await seed('exp-short', '1', 'a', 99, 1);
    await seed('exp-short', '1', 'b', 1000, 900);
    const entry = await new RegistryRepository(db.doc, db.tables.journeys).get('exp-short');
    if (entry === undefined) throw new Error('not deployed');
    // act
    const decided = await judge().checkDue(entry);
    await seed('exp-short', '1', 'a', 1, 0);
    // The cached entry does not know of the look just taken: the conditional claim does.
    const tooSoon = await judge().checkDue(entry);
    const state = await live('exp-short');
    // assert
    expect(decided).toBe(false);
    expect(tooSoon).toBe(false);
    expect(state?.decision).toBeUndefined();
    expect(state?.lastCheck).toStrictEqual({
      at: NOW.toISOString(),
      reason: 'waiting for 100 entrants per variant (a 99)',
    });
    expect(state?.checkAt).toBe('2026-11-24T11:00:00.000Z');
  });

  it('two judges due at once: one reads the counters, the decision is written once', async () => {
    // arrange
    await deploy(journeyInput('exp-race', 'P7D'), '1');
    await seed('exp-race', '1', 'a', 500, 100);
    await seed('exp-race', '1', 'b', 500, 90);
    const entry = await new RegistryRepository(db.doc, db.tables.journeys).get('exp-race');
    if (entry === undefined) throw new Error('not deployed');
    // act
    const results = await Promise.all([judge().checkDue(entry), judge().checkDue(entry)]);
    // assert
    expect(results.filter(Boolean)).toHaveLength(1);
    const state = await live('exp-race');
    expect(state?.decision?.winner).toBe('a');
    expect(state?.decision?.reason).toBe(
      'the P7D test window ended; a led at 20.0% (100/500), not significantly',
    );
  });

  it('an edit that keeps the experiment keeps its data; a changed experiment counts only its own versions', async () => {
    // arrange: version 1 ran with b far ahead; version 2 keeps it, version 3 changes the window.
    await deploy(journeyInput('exp-edit', 'P7D'), '1');
    await seed('exp-edit', '1', 'a', 300, 30);
    await seed('exp-edit', '1', 'b', 300, 90);
    await deploy(journeyInput('exp-edit', 'P7D'), '2', '2026-11-02T00:00:00.000Z');
    const kept = await live('exp-edit');
    await deploy(journeyInput('exp-edit', 'P3D'), '3', '2026-11-20T00:00:00.000Z');
    await seed('exp-edit', '3', 'a', 200, 40);
    await seed('exp-edit', '3', 'b', 200, 20);
    const entry = await new RegistryRepository(db.doc, db.tables.journeys).get('exp-edit');
    if (entry === undefined) throw new Error('not deployed');
    // act
    await judge().checkDue(entry);
    // assert
    expect(kept?.fromVersion).toBe('1');
    const state = await live('exp-edit');
    expect(state?.fromVersion).toBe('3');
    expect(state?.decision?.winner).toBe('a');
  });

  it("a check reads the experiment's own totals: as many items beside a hundred unrelated counters as beside none", async () => {
    // arrange: the same experiment and counts in two journeys, one of them with many other counters.
    for (const id of ['exp-bare', 'exp-busy']) {
      await deploy(journeyInput(id, 'significant'), '1');
      await seed(id, '1', 'a', 1000, 100);
      await seed(id, '1', 'b', 1000, 200);
    }
    await seedUnrelated('exp-busy', 60);
    const reads: number[] = [];
    // act
    for (const id of ['exp-bare', 'exp-busy']) {
      const entry = await new RegistryRepository(db.doc, db.tables.journeys).get(id);
      if (entry === undefined) throw new Error('not deployed');
      statsItemsRead = 0;
      await judge().checkDue(entry);
      reads.push(statsItemsRead);
    }
    // assert
    expect(reads[1]).toBe(reads[0]);
    expect((await live('exp-bare'))?.decision?.winner).toBe('b');
    expect((await live('exp-busy'))?.decision?.winner).toBe('b');
  });

  it("entries and conversions add to the experiment's totals what they add to its variants' counters", async () => {
    // arrange
    await deploy(journeyInput('exp-write', 'P7D'), '1');
    const { deps } = ingestDeps(db, () => NOW);
    const customers = Array.from({ length: 12 }, (_, i) => `w${i}`);
    // act
    for (const customer of customers) await ingestEvent(deps, track(customer, go('exp-write')));
    for (const customer of customers.slice(0, 5)) await ingestEvent(deps, track(customer, buy('exp-write')));
    // assert
    const stats = new StatsRepository(db.doc, db.tables.stats);
    const counted = new Map<string, { assigned: number; converted: number }>();
    for (const row of await stats.funnel('exp-write')) {
      if (row.stepId !== 'ab' || row.variant === undefined) continue;
      const total = counted.get(row.variant) ?? { assigned: 0, converted: 0 };
      if (row.metric === 'assigned' || row.metric === 'converted') total[row.metric] += row.count;
      counted.set(row.variant, total);
    }
    const totals = await stats.experimentTotals('exp-write', 'ab', '1');
    expect(totals).toStrictEqual(counted);
    const sum = (metric: 'assigned' | 'converted') => [...totals.values()].reduce((n, t) => n + t[metric], 0);
    expect([sum('assigned'), sum('converted')]).toStrictEqual([12, 5]);
  });
});
