import { join, resolve } from 'node:path';
import type { Trace, TraceSource } from '#infra/local/inspect/trace.ts';
import type { Journey } from '#shared/journey/schema.ts';
import { validateJourney } from '#shared/journey/validate.ts';
import { readJsonFile } from '../files.ts';
import { fail, terminalText } from '../output.ts';
import { journeyTimeOf, ofLocalRuntime } from '../runtime-client.ts';

export type TraceOptions = {
  dataDir: string;
  /** Default: the journeys folder of the runtime running on the data folder, else journeys/. */
  journeysDir?: string;
  endpoint?: string;
  sfnEndpoint?: string;
  /** Default: the SES endpoint of the runtime running on the data folder, else the default port. */
  sesEndpoint?: string;
  json?: boolean;
  aws?: boolean;
  region?: string;
  profilesTable?: string;
  enrollmentsTable?: string;
  deliveriesTable?: string;
  /** Optional: without it an experiment's decision is not shown. */
  journeysTable?: string;
};

async function loadJourneys(dir: string, ids: readonly string[]): Promise<Map<string, Journey>> {
  const journeys = new Map<string, Journey>();
  for (const id of new Set(ids)) {
    const json = await readJsonFile(join(resolve(dir), `${id}.json`));
    if (!json.ok) continue;
    const parsed = validateJourney(json.value);
    if (parsed.ok) journeys.set(id, parsed.journey);
  }
  return journeys;
}

function sourceOf(options: TraceOptions): TraceSource | string {
  if (!options.aws) {
    return {
      kind: 'local',
      dataDir: resolve(options.dataDir),
      endpoint: options.endpoint,
      sfnEndpoint: options.sfnEndpoint,
    };
  }
  const { profilesTable, enrollmentsTable, deliveriesTable, journeysTable } = options;
  if (profilesTable === undefined || enrollmentsTable === undefined || deliveriesTable === undefined)
    return '--aws needs --profiles-table, --enrollments-table and --deliveries-table (the stack outputs)';
  return {
    kind: 'aws',
    tables: {
      profiles: profilesTable,
      enrollments: enrollmentsTable,
      deliveries: deliveriesTable,
      ...(journeysTable === undefined ? {} : { journeys: journeysTable }),
    },
    region: options.region,
  };
}

/** Whether the tables and logs read hold nothing of the customer: no enrollment, message, execution or skipped entry. */
function traceIsEmpty(trace: Trace): boolean {
  return (
    trace.executions.length === 0 &&
    trace.enrollments.length === 0 &&
    trace.messages.length === 0 &&
    (trace.conversions ?? []).length === 0 &&
    (trace.skipped ?? []).length === 0
  );
}

/** Where a trace was read, as an error names it. */
function whereRead(source: TraceSource): string {
  if (source.kind === 'aws')
    return `the profiles table ${source.tables.profiles}${source.region === undefined ? '' : ` (${source.region})`}`;
  return source.endpoint === undefined
    ? `the local data in ${source.dataDir}`
    : `the local data at ${source.endpoint}`;
}

/** `journeys trace <customer>`: what happened to one customer, locally or on AWS. */
export async function traceCommand(userId: string, options: TraceOptions): Promise<void> {
  const source = sourceOf(options);
  if (typeof source === 'string') {
    fail(source);
    return;
  }
  // Loaded on use: every command starts faster without the SDK clients it does not need.
  const { readTrace } = await import('#infra/local/inspect/trace.ts');
  const { traceText, traceView, unknownCustomerReason } = await import('#infra/local/inspect/trace-view.ts');
  const { readSentMessages } = await import('#infra/local/inspect/sent.ts');
  const trace = await readTrace(source, userId);
  // A customer the runtime never saw is an error, as in preview, never an empty trace that reads as one with nothing to show.
  if (traceIsEmpty(trace)) {
    const { readProfile } = await import('#infra/local/inspect/customers.ts');
    if ((await readProfile(source, userId)) === undefined) {
      fail(`no customer ${JSON.stringify(userId)} in ${whereRead(source)}: ${unknownCustomerReason(userId)}`);
      return;
    }
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify(trace, null, 2)}\n`);
    return;
  }
  const local = source.kind === 'local' ? source.dataDir : undefined;
  const journeys = await loadJourneys(
    ofLocalRuntime('journeysDir', options.journeysDir, local, 'journeys'),
    trace.executions.map((e) => e.journeyId),
  );
  // Message content exists only locally (SES keeps none on AWS), in the memory of the
  // runtime running on the folder: none when none runs there, never another folder's.
  const sent =
    local === undefined
      ? []
      : await readSentMessages(local, ofLocalRuntime('ses', options.sesEndpoint, local, undefined));
  // Whether a goal window is still open: journey time locally, the wall clock on AWS.
  const now = local === undefined ? new Date() : await journeyTimeOf(local);
  process.stdout.write(terminalText(traceText(traceView(trace, journeys, sent, now))));
}
