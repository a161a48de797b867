import { join, resolve } from 'node:path';
import type { DataSource } from '#infra/local/runtime/data.ts';
import { validateJourney } from '#shared/journey/validate.ts';
import { reportHtml } from '#shared/stats/html.ts';
import { buildReport } from '#shared/stats/report.ts';
import { reportText } from '#shared/stats/text.ts';
import { readJsonFile, writeOutputFile } from '../files.ts';
import { fail } from '../output.ts';
import { ofLocalRuntime } from '../runtime-client.ts';

export type ReportOptions = {
  dataDir: string;
  /** Default: the journeys folder of the runtime running on the data folder, else journeys/. */
  journeysDir?: string;
  endpoint?: string;
  aws?: boolean;
  statsTable?: string;
  journeysTable?: string;
  region?: string;
  json?: boolean;
  html?: string;
};

function sourceOf(options: ReportOptions): DataSource | string {
  if (!options.aws) return { kind: 'local', dataDir: resolve(options.dataDir), endpoint: options.endpoint };
  if (options.statsTable === undefined) {
    return '--aws needs --stats-table <name> (the StatsTableName output of the deployed stack)';
  }
  const tables = { stats: options.statsTable, journeys: options.journeysTable };
  return { kind: 'aws', tables, region: options.region };
}

/** `journeys report <journey>`: funnel, variants with lift and significance, revenue, outcomes, sends per day. */
export async function reportCommand(journeyId: string, options: ReportOptions): Promise<void> {
  const source = sourceOf(options);
  if (typeof source === 'string') {
    fail(source);
    return;
  }
  const journeysDir = ofLocalRuntime(
    'journeysDir',
    options.journeysDir,
    source.kind === 'local' ? source.dataDir : undefined,
    'journeys',
  );
  const file = join(resolve(journeysDir), `${journeyId}.json`);
  const json = await readJsonFile(file);
  if (!json.ok) {
    fail(`${file}: ${json.message} (the report draws the journey from its file; pass --journeys-dir)`);
    return;
  }
  const parsed = validateJourney(json.value);
  if (!parsed.ok) {
    fail(`${file} is not a valid journey; run \`journeys validate ${file}\` to see why.`);
    return;
  }
  // Loaded on use: every command starts faster without the SDK clients it does not need.
  const { readExperiments, readJourneyStats } = await import('#infra/local/inspect/results.ts');
  const { counters, days, retired } = await readJourneyStats(source, journeyId);
  const experiments = await readExperiments(source, journeyId);
  const report = buildReport(parsed.journey, counters, days, experiments, retired);
  if (options.html !== undefined) {
    await writeOutputFile(options.html, reportHtml(report));
    process.stderr.write(`wrote ${options.html}\n`);
  }
  if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else if (options.html === undefined) process.stdout.write(reportText(report));
}
