import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { LIVE_SK, RegistryEntry } from '#functions/_lib/registry.ts';
import { type DayRow, type StatRow, StatsRepository } from '#functions/_lib/stats.ts';
import { type Retired, StatsRetention } from '#functions/_lib/stats-retention.ts';
import type { ExperimentState } from '#shared/ingest/experiments.ts';
import { JOURNEYS_TABLE, STATS_TABLE } from '#shared/tables.ts';
import { type DataSource, type OpenData, withData } from '../runtime/data.ts';

/**
 * A journey's counters for the report, read through the repository the handlers write with, and the
 * versions retired lately with when their results expire.
 */
export type JourneyStats = { counters: StatRow[]; days: DayRow[]; retired: Retired[] };

export async function readJourneyStats(source: DataSource, journeyId: string): Promise<JourneyStats> {
  return withData(source, async ({ doc, table }) => {
    const { counters, days } = await new StatsRepository(doc, table(STATS_TABLE)).read(journeyId);
    const retired = await new StatsRetention(doc, table(STATS_TABLE)).retired(journeyId);
    return { counters, days, retired };
  });
}

/**
 * The recorded state of a journey's experiments (registry): empty when the
 * journey is not deployed, undefined when the registry is not at hand
 * (--aws without --journeys-table), so the report does not call them running.
 */
export async function readExperiments(
  source: DataSource,
  journeyId: string,
): Promise<ExperimentState[] | undefined> {
  if (!hasRegistry(source)) return undefined;
  return withData(source, (data) => experimentsOf(data, journeyId));
}

/** Whether the source names the registry (always locally; on AWS with --journeys-table). */
export function hasRegistry(source: DataSource): boolean {
  return source.kind === 'local' || source.tables[JOURNEYS_TABLE.id] !== undefined;
}

/** A journey's experiments as its live registry item records them (none when it is not deployed). */
export async function experimentsOf({ doc, table }: OpenData, journeyId: string): Promise<ExperimentState[]> {
  const out = await doc.send(
    new GetCommand({ TableName: table(JOURNEYS_TABLE), Key: { journeyId, sk: LIVE_SK } }),
  );
  return RegistryEntry.safeParse(out.Item).data?.experiments ?? [];
}
