import { pathToFileURL } from 'node:url';
import { Command, Option } from 'commander';
import { DEFAULT_PORTS } from '#infra/local/runtime/options.ts';
import { retentionHelp } from './commands/dev-retention.ts';
import { fail } from './output.ts';

// The AWS SDK warns once per process that Node 20 support ends in 2027; Lambda runs Node 22.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * A command's action that imports the command's module only when it runs:
 * `journeys validate` must not pay for the local runtime, the CDK or the AWS
 * SDK, and `--help` loads no command at all.
 */
function lazy<Args extends unknown[]>(load: () => Promise<(...args: Args) => unknown>) {
  return async (...args: Args): Promise<void> => {
    const run = await load();
    await run(...args);
  };
}

export const program = new Command()
  .name('journeys')
  .description('Customer journeys on AWS Step Functions: validate, visualise, compile and run journeys.')
  .showHelpAfterError();

program
  .command('validate')
  .description('check journey files: every problem, with its path; exit 1 on any')
  .argument('<files...>', 'journey JSON files, or folders of them (journeys/ checks journeys/*.json)')
  .option('--json', 'machine-readable report')
  .option('--templates <dir>', 'templates folder (default: templates/ beside each journey)')
  .action(lazy(async () => (await import('./commands/validate.ts')).validateCommand));

program
  .command('graph')
  .description('print a Mermaid flowchart of a journey')
  .argument('<file>', 'journey JSON file')
  .option('--markdown', 'wrap it in a ```mermaid block')
  .action(lazy(async () => (await import('./commands/graph.ts')).graphCommand));

program
  .command('compile')
  .description('print the Amazon States Language definition of a journey')
  .argument('<file>', 'journey JSON file')
  .option('--out <file>', 'write it to a file instead')
  .option('--templates <dir>', 'templates folder (default: templates/ beside the journey)')
  .action(lazy(async () => (await import('./commands/compile.ts')).compileCommand));

program
  .command('schema')
  .description('print the JSON Schema of the journey language')
  .option('--out <file>', 'write it to a file instead')
  .action(lazy(async () => (await import('./commands/schema.ts')).schemaCommand));

program
  .command('import-pinpoint')
  .description(
    'turn Amazon Pinpoint journeys (aws pinpoint get-journey or list-journeys output, or a folder of them) into journey files; exits 1 when a journey could not be imported, 2 when all were written but one does not validate yet',
  )
  .argument(
    '<file|folder>',
    'Pinpoint journey JSON file, list-journeys output, or a folder of them; - reads standard input',
  )
  .option(
    '--out <file|folder>',
    'write the journey to <id>.json (the id comes from the file name), or each journey to <folder>/<id>.json',
  )
  .option('--templates-dir <dir>', 'write placeholder templates that do not exist yet to this folder')
  .option('--id <id>', 'the journey id (default: from the Pinpoint journey name, or the --out file name)')
  .option('--force', 'replace journey files that exist (never done without it)')
  .option(
    '--segments <file|folder>',
    'Pinpoint segments (aws pinpoint get-segments output): the journeys that use them get their filters',
  )
  .option(
    '--template-exports <file|folder>',
    'Pinpoint templates (aws pinpoint get-email-template, get-sms-template, get-push-template output): their content becomes the templates',
  )
  .action(lazy(async () => (await import('./commands/import-pinpoint.ts')).importPinpointCommand));

program
  .command('simulate')
  .description(
    'forecast a journey before launch: synthetic customers and behaviour through its real logic and delivery policy, on journey time',
  )
  .argument('<journey>', 'journey JSON file (journeys/*.json)')
  .requiredOption('--customers <n>', 'how many synthetic customers enter')
  .option(
    '--scenario <file>',
    'customers and behaviour (default: simulations/<journey file> beside the journey)',
  )
  .option('--templates <dir>', 'templates folder (default: templates/ beside the journey)')
  .option(
    '--workers <n>',
    'threads running customers, each its share (default: the cores available; 1: this thread only). The forecast is the same for any number',
  )
  .option('--html <file>', 'also write the forecast as a page with charts')
  .option('--json', 'machine-readable forecast')
  .action(lazy(async () => (await import('./commands/simulate.ts')).simulateCommand));

/** The data folder option of the commands that read the local tables. */
const DATA_DIR_HELP =
  'local data folder: read through the local runtime running on it, or opened directly when none is';

const dev = program
  .command('dev')
  .description(
    'run the whole system on this machine (what `npm start` runs): local AWS stand-ins, the example journeys, a demo',
  )
  .option('--no-demo', 'skip the demo; just serve events')
  .option('--reset', 'clear the local data first')
  .option('--no-watch', 'do not redeploy journeys when their files change')
  .option(
    '--time-scale <n>',
    'how many times faster than real time journey time runs while the runtime is idle (60 = a minute per second, the default; it stands still while work is in flight)',
    '60',
  )
  .option('--data-dir <dir>', 'where local data is kept (default .journeys/)')
  .option('--journeys-dir <dir>', 'the folder served as the journeys bucket (default journeys/)')
  .option(
    '--connections <file>',
    'the webhook connections, with their credentials (default connections.local.json when it exists)',
  )
  .option(
    '--alias-trusted-sources <sources>',
    'event sources (comma-separated) whose alias calls may merge two known customers, as the stack setting aliasTrustedSources; events sent with `journeys send` come from journeys.customer (default: none)',
  )
  .option('--verbose', 'print every handler log line (default: warnings and errors)')
  .option('--retention <key=value>', retentionHelp(), (pair: string, given: string[] = []) => [
    ...given,
    pair,
  ]);
for (const service of Object.keys(DEFAULT_PORTS))
  dev.option(`--${service}-port <port>`, `port of the local ${service} endpoint (0 = any free port)`);
dev.action(lazy(async () => (await import('./commands/dev.ts')).devCommand));

program
  .command('send')
  .description('put a customer event on the local bus (or a real one with --aws)')
  .argument(
    '<event>',
    'an event name with --user, "identify" with --user, a Segment JSON object, or @file.json',
  )
  .option('--user <id>', 'the customer userId')
  .option('--properties <json>', 'track event properties as JSON')
  .option('--traits <json>', 'identify traits as JSON')
  .option('--bus <name>', 'event bus name', 'customer-events')
  .option(
    '--endpoint <url>',
    'EventBridge endpoint (default: the local runtime running on --data-dir; without --data-dir, else http://localhost:4010)',
  )
  .option('--data-dir <dir>', 'the data folder of the local runtime to send to (default .journeys/)')
  .option('--aws', 'send to the real EventBridge of your AWS credentials and region')
  .option(
    '--timestamp <instant>',
    "the event's timestamp (ISO 8601); default the local runtime's journey time (real time with --aws)",
  )
  .action(lazy(async () => (await import('./commands/send.ts')).sendCommand));

const clock = program
  .command('clock')
  .description("print the local runtime's journey time")
  .option(
    '--endpoint <url>',
    'the local runtime (default: the one running on --data-dir; without --data-dir, else http://localhost:4010)',
  )
  .option('--data-dir <dir>', 'the data folder of the local runtime (default .journeys/)')
  .action(lazy(async () => (await import('./commands/clock.ts')).clockCommand));
clock
  .command('advance')
  .description('let journey time run forward: every wait, retry and schedule due on the way happens in order')
  .argument('[duration]', 'an ISO 8601 duration: P1D, PT3H, P1W')
  .option('--to <instant>', 'run to this ISO 8601 instant instead')
  // --endpoint and --data-dir belong to `clock` and are read from there.
  .action(async (duration: string | undefined, _options: unknown, command: Command) => {
    const { clockAdvanceCommand } = await import('./commands/clock.ts');
    await clockAdvanceCommand(duration, command.optsWithGlobals());
  });

program
  .command('outbox')
  .description('show the SMS and push messages sent locally')
  .option('--data-dir <dir>', 'local data folder', '.journeys')
  .option('--user <id>', 'only this customer')
  .option('--json', 'machine-readable')
  .action(lazy(async () => (await import('./commands/outbox.ts')).outboxCommand));

program
  .command('status')
  .description('versions, live alias, enrollments and funnel of a journey in the local runtime')
  .argument('<journey>', 'journey id')
  .option('--data-dir <dir>', 'local data folder', '.journeys')
  .option('--json', 'machine-readable')
  .action(lazy(async () => (await import('./commands/status.ts')).statusCommand));

program
  .command('test')
  .description(
    'run journey scenarios (journeys/tests/*.test.json) on a deterministic clock: pass/fail per expectation, exit 1 on any failure',
  )
  .argument('[files...]', 'scenario files or folders (default journeys/tests)')
  .option('--reporter <name>', 'text or junit', 'text')
  .option('--out <file>', 'write the report to a file (with junit, the text report still prints)')
  .option('--journeys-dir <dir>', 'the journeys folder (default journeys/)')
  .option('--schema <file>', 'write the JSON Schema of scenario files and exit')
  .option('--jobs <n>', 'scenario files run in this many processes at once (default: 2, or 1 on one core)')
  .addOption(new Option('--worker <results-file>').hideHelp())
  .action(lazy(async () => (await import('./commands/test.ts')).testCommand));

const dlq = program
  .command('dlq')
  .description('list the events the local bus could not deliver (its dead-letter file), with the reason')
  .option('--data-dir <dir>', 'local data folder', '.journeys')
  .option('--json', 'machine-readable')
  .option(
    '--endpoint <url>',
    'the local runtime, for replay (default: the one running on --data-dir; without --data-dir, else http://localhost:4010)',
  )
  .action(lazy(async () => (await import('./commands/dlq.ts')).dlqCommand));
dlq
  .command('replay')
  .description(
    'deliver the dead-lettered events again (the runtime must be running); those that fail again stay',
  )
  .action(async (_options: unknown, command: Command) => {
    const { dlqReplayCommand } = await import('./commands/dlq.ts');
    await dlqReplayCommand(command.optsWithGlobals());
  });

program
  .command('report')
  .description(
    'results of a journey: funnel, variants with lift and p-value, revenue, outcomes, sends per day',
  )
  .argument('<journey>', 'journey id')
  .option('--json', 'machine-readable')
  .option('--html <file>', 'write one self-contained HTML page (map, variants, per-day chart)')
  .option('--journeys-dir <dir>', "where the journey file is (default: the local runtime's, else journeys/)")
  .option('--data-dir <dir>', DATA_DIR_HELP, '.journeys')
  .option(
    '--endpoint <url>',
    'local DynamoDB endpoint (default: the local runtime running on --data-dir, else its folder read directly)',
  )
  .option('--aws', 'read the deployed stats table instead (with --stats-table)')
  .option('--stats-table <name>', 'the deployed stats table (stack output StatsTableName)')
  .option('--journeys-table <name>', 'the deployed registry (JourneysTableName), for experiment decisions')
  .option('--region <region>', 'AWS region (default: your AWS configuration)')
  .action(lazy(async () => (await import('./commands/report.ts')).reportCommand));

program
  .command('trace')
  .description(
    'what happened to one customer: profile, enrollments, steps at local time, variants, messages, deferrals and how each ended',
  )
  .argument('<customer>', 'the customer userId')
  .option('--json', 'machine-readable')
  .option(
    '--journeys-dir <dir>',
    "where the journey files are, to name variants and steps (default: the local runtime's, else journeys/)",
  )
  .option('--data-dir <dir>', 'local data folder', '.journeys')
  .option(
    '--endpoint <url>',
    'local DynamoDB endpoint (default: the local runtime running on --data-dir, else its folder read directly)',
  )
  .option(
    '--sfn-endpoint <url>',
    'local Step Functions endpoint (default: the local runtime running on --data-dir, else its folder read directly)',
  )
  .option(
    '--ses-endpoint <url>',
    'local SES endpoint, for email content (default: the local runtime running on --data-dir; none when none runs there)',
  )
  .option('--aws', 'read the deployed tables and Step Functions instead (with the --*-table options)')
  .option('--profiles-table <name>', 'the deployed profiles table (stack output)')
  .option('--enrollments-table <name>', 'the deployed enrollments table (stack output)')
  .option('--deliveries-table <name>', 'the deployed deliveries table (stack output)')
  .option('--journeys-table <name>', 'the deployed registry (JourneysTableName), for experiment decisions')
  .option('--region <region>', 'AWS region (default: your AWS configuration)')
  .action(lazy(async () => (await import('./commands/trace.ts')).traceCommand));

/** The awaited event a template reads as `event.*`, in preview and send-test. */
const EVENT_HELP =
  'the awaited event as JSON, or @file.json: what event.* reads in a message after a waitForEvent ({"properties": {"orderId": "o-1"}})';

program
  .command('preview')
  .description(
    "render a template for a real customer's profile: subject, text and HTML, or every missing variable",
  )
  .argument('<template>', 'template name (journeys/templates/<name>.json)')
  .requiredOption('--customer <id>', 'the customer userId')
  .option(
    '--trigger <json>',
    'the trigger event as JSON, or @file.json (default: an event with no properties)',
  )
  .option('--event <json>', EVENT_HELP)
  .option(
    '--journey <id>',
    'journey id the template sees; with journeys/<id>.json, its context as an enrollment starts with it',
    'preview',
  )
  .option('--journeys-dir <dir>', 'journeys folder', 'journeys')
  .option('--context <json>', 'context values later steps set, as JSON or @file.json: {"score": 3}')
  .option('--templates-dir <dir>', 'templates folder (default: templates/ in the journeys folder)')
  .option('--html <file>', 'where to write the HTML body (default .journeys/preview/)')
  .option(
    '--at <time>',
    'the send time "now" and "today" render at, ISO 8601; a day (2026-03-05) is its start in the customer\'s time zone (default: journey time — the local runtime\'s clock, the wall clock with --aws)',
  )
  .option('--data-dir <dir>', DATA_DIR_HELP, '.journeys')
  .option('--endpoint <url>', 'local DynamoDB endpoint (default: the local runtime)')
  .option('--aws', 'read the deployed profiles table instead (with --profiles-table)')
  .option('--profiles-table <name>', 'the deployed profiles table')
  .option('--region <region>', 'AWS region (default: your AWS configuration)')
  .action(lazy(async () => (await import('./commands/preview.ts')).previewCommand));

program
  .command('send-test')
  .description(
    'send one message of a template through the real channel, marked as a test, outside caps and stats',
  )
  .argument('<template>', 'template name (journeys/templates/<name>.json)')
  .requiredOption('--to <address>', 'email address, E.164 phone number, or push token')
  .option('--customer <id>', "render with this customer's profile (default: an empty one)")
  .option('--trigger <json>', 'the trigger event as JSON, or @file.json')
  .option('--event <json>', EVENT_HELP)
  .option(
    '--journey <id>',
    'journey id the template sees; with journeys/<id>.json, its context as an enrollment starts with it',
    'test',
  )
  .option('--journeys-dir <dir>', 'journeys folder', 'journeys')
  .option('--context <json>', 'context values later steps set, as JSON or @file.json: {"score": 3}')
  .option('--push-service <service>', 'GCM or APNS, for a push token', 'GCM')
  .option('--templates-dir <dir>', 'templates folder (default: templates/ in the journeys folder)')
  .option('--data-dir <dir>', DATA_DIR_HELP, '.journeys')
  .option('--endpoint <url>', 'local DynamoDB endpoint (default: the local runtime)')
  .option('--ses-endpoint <url>', 'local SES v2 endpoint (default: the local runtime)')
  .option('--pinpoint-endpoint <url>', 'local End User Messaging endpoint (default: the local runtime)')
  .option('--aws', 'send through SES / End User Messaging of your AWS account')
  .option('--from <address>', 'with --aws: the verified sender')
  .option('--configuration-set <name>', 'with --aws: the SES configuration set')
  .option('--app-id <id>', 'with --aws: the Pinpoint application id')
  .option('--profiles-table <name>', 'with --aws and --customer: the deployed profiles table')
  .option('--region <region>', 'AWS region (default: your AWS configuration)')
  .action(lazy(async () => (await import('./commands/send-test.ts')).sendTestCommand));

/** Runs one command line (`node`, the script, then the arguments), as `bin.js` and `npm start` do. */
/**
 * A reader that stops early (`journeys validate journeys/*.json | head`)
 * closes the pipe: the rest of the output has nowhere to go, so the command
 * ends there, quietly, as Unix tools do, instead of with a stack trace —
 * and not with 0, since the output was cut (141 is a shell's code for a
 * process ended by SIGPIPE).
 */
function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(Number(process.exitCode ?? 0) || 141);
  });
}

export async function run(argv: readonly string[]): Promise<void> {
  endQuietlyOnClosedPipe(process.stdout);
  endQuietlyOnClosedPipe(process.stderr);
  await program.parseAsync(argv).catch((error: unknown) => {
    fail(error instanceof Error ? error.message : String(error));
  });
}

// Run directly (`tsx infra/cli/main.ts`, what the npm scripts do) rather than imported by bin.js or a test.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
  await run(process.argv);
