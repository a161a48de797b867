import type { LocalRuntime } from '#infra/local/index.ts';
import { readExperiments, readJourneyStats } from '#infra/local/inspect/results.ts';
import { Journey } from '#shared/journey/schema.ts';
import { buildReport, type JourneyReport } from '#shared/stats/report.ts';
import type { Sandbox } from './local-runtime.ts';

/** A journey's report as `journeys report` builds it, from the runtime's counters and the definition given. */
export async function localReport(
  runtime: LocalRuntime,
  box: Sandbox,
  definition: unknown,
): Promise<JourneyReport> {
  const journey = Journey.parse(definition);
  const source = { kind: 'local' as const, dataDir: box.dataDir, endpoint: runtime.endpoints.dynamodb };
  const { counters, days, retired } = await readJourneyStats(source, journey.id);
  return buildReport(journey, counters, days, await readExperiments(source, journey.id), retired);
}
