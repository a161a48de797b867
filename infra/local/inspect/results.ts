import { type DayRow, type StatRow, StatsRepository } from '#functions/_lib/stats.ts';
import { STATS_TABLE } from '#shared/tables.ts';
import { type DataSource, withData } from '../runtime/data.ts';

/** A journey's counters for the report, read through the repository the handlers write with. */
export type JourneyStats = { counters: StatRow[]; days: DayRow[] };

export async function readJourneyStats(source: DataSource, journeyId: string): Promise<JourneyStats> {
  return withData(source, ({ doc, table }) => new StatsRepository(doc, table(STATS_TABLE)).read(journeyId));
}
