import { dynamoClient } from './clients/dynamo.ts';
import { lazyConfig } from './config.ts';
import { DeliveriesRepository } from './deliveries.ts';
import { EnrollmentItems } from './enrollment-items.ts';
import { ExperimentJudge } from './experiments.ts';
import { OutcomeWaiters } from './outcome-waiters.ts';
import { ProfilesRepository } from './profiles.ts';
import { CachedRegistry, RegistryRepository } from './registry.ts';
import { StatsRepository } from './stats.ts';
import { statsMetrics } from './stats-metrics.ts';
import { TemplateSnapshots } from './templates.ts';

/**
 * The repositories of the current process, created on first use from the
 * config and the (replaceable) clients. The local runtime's `status` command
 * uses these too.
 */

const profilesConfig = lazyConfig(['PROFILES_TABLE_NAME']);
const enrollmentsConfig = lazyConfig(['ENROLLMENTS_TABLE_NAME']);
const journeysConfig = lazyConfig(['JOURNEYS_TABLE_NAME']);
const statsConfig = lazyConfig(['STATS_TABLE_NAME']);
const deliveriesConfig = lazyConfig(['DELIVERIES_TABLE_NAME']);

/**
 * The profiles of this process. Functions that write events to profiles also
 * get the enrollments table, where items of the older layout move when migrated.
 */
export function profilesRepository(withEnrollments = false): ProfilesRepository {
  return new ProfilesRepository(
    dynamoClient(),
    profilesConfig().PROFILES_TABLE_NAME,
    withEnrollments ? enrollmentItems() : undefined,
  );
}

export function enrollmentItems(): EnrollmentItems {
  return new EnrollmentItems(dynamoClient(), enrollmentsConfig().ENROLLMENTS_TABLE_NAME);
}

/** Message steps waiting for their outcome (in the enrollments table). */
export function outcomeWaiters(): OutcomeWaiters {
  return new OutcomeWaiters(dynamoClient(), enrollmentsConfig().ENROLLMENTS_TABLE_NAME);
}

export function registryRepository(): RegistryRepository {
  return new RegistryRepository(dynamoClient(), journeysConfig().JOURNEYS_TABLE_NAME);
}

let cachedRegistry: CachedRegistry | undefined;
/** The registry cache of this process (one per cold start). */
export function liveRegistry(): CachedRegistry {
  cachedRegistry ??= new CachedRegistry(registryRepository());
  return cachedRegistry;
}

export function statsRepository(): StatsRepository {
  return new StatsRepository(dynamoClient(), statsConfig().STATS_TABLE_NAME, { observer: statsMetrics });
}

/** Ends experiments on entry; a decision refreshes this process's registry cache. */
export function experimentJudge(now: () => Date): ExperimentJudge {
  const journeys = journeysConfig().JOURNEYS_TABLE_NAME;
  return new ExperimentJudge(dynamoClient(), journeys, statsRepository(), now, () =>
    liveRegistry().invalidate(),
  );
}

export function deliveriesRepository(): DeliveriesRepository {
  return new DeliveriesRepository(dynamoClient(), deliveriesConfig().DELIVERIES_TABLE_NAME);
}

let snapshots: TemplateSnapshots | undefined;
/** The templates pinned to journey versions (cached per process: snapshots never change). */
export function templateSnapshots(): TemplateSnapshots {
  snapshots ??= new TemplateSnapshots(dynamoClient(), journeysConfig().JOURNEYS_TABLE_NAME);
  return snapshots;
}
