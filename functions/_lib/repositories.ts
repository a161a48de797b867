import { dynamoClient } from './clients/dynamo.ts';
import { now } from './clock.ts';
import { keptPerColdStart } from './cold-start.ts';
import { DeliveriesRepository } from './deliveries.ts';
import { EnrollmentItems } from './enrollment-items.ts';
import { ExperimentJudge } from './experiments.ts';
import { ProfileIdentities } from './identity.ts';
import { OutcomeWaiters } from './outcome-waiters.ts';
import { ProfilesRepository } from './profiles.ts';
import { CachedRegistry, RegistryRepository } from './registry.ts';
import { StatsRepository } from './stats.ts';
import { statsMetrics } from './stats-metrics.ts';
import { StatsRetention } from './stats-retention.ts';
import { TemplateSnapshots } from './templates.ts';

/**
 * The repositories of the current process on the (replaceable) clients, each
 * on the table its caller names: a handler names tables from its own config,
 * so it reaches only the tables its manifest binds. The local runtime uses
 * these too.
 */

/**
 * The profiles table. Functions that write events to profiles also give the
 * enrollment items, where items of the older layout move when migrated (the
 * caller creates them, so a function that never migrates does not carry them).
 */
export function profilesRepository(table: string, enrollments?: EnrollmentItems): ProfilesRepository {
  return new ProfilesRepository(dynamoClient(), table, enrollments);
}

/** Merges of profiles (identify with both ids, alias) on the profiles table. */
export function profileIdentities(table: string): ProfileIdentities {
  return new ProfileIdentities(dynamoClient(), table, now);
}

export function enrollmentItems(table: string): EnrollmentItems {
  return new EnrollmentItems(dynamoClient(), table);
}

/** Message steps waiting for their outcome (in the enrollments table). */
export function outcomeWaiters(enrollmentsTable: string): OutcomeWaiters {
  return new OutcomeWaiters(dynamoClient(), enrollmentsTable);
}

export function registryRepository(table: string): RegistryRepository {
  return new RegistryRepository(dynamoClient(), table);
}

const cachedRegistry = keptPerColdStart<CachedRegistry>();
/** The registry cache of this process (one per cold start, on the table named first). */
export function liveRegistry(table: string): CachedRegistry {
  cachedRegistry.value ??= new CachedRegistry(registryRepository(table));
  return cachedRegistry.value;
}

export function statsRepository(table: string): StatsRepository {
  return new StatsRepository(dynamoClient(), table, { observer: statsMetrics });
}

/** Gives retired versions' results their expiry (deploy, archive). */
export function statsRetention(table: string): StatsRetention {
  return new StatsRetention(dynamoClient(), table);
}

/** Ends experiments on entry; a decision refreshes this process's registry cache. */
export function experimentJudge(
  tables: { journeys: string; stats: string },
  clock: () => Date,
): ExperimentJudge {
  return new ExperimentJudge(dynamoClient(), tables.journeys, statsRepository(tables.stats), clock, () =>
    liveRegistry(tables.journeys).invalidate(),
  );
}

export function deliveriesRepository(table: string): DeliveriesRepository {
  return new DeliveriesRepository(dynamoClient(), table);
}

const snapshots = keptPerColdStart<TemplateSnapshots>();
/** The templates pinned to journey versions (cached per process: snapshots never change). */
export function templateSnapshots(journeysTable: string): TemplateSnapshots {
  snapshots.value ??= new TemplateSnapshots(dynamoClient(), journeysTable);
  return snapshots.value;
}
