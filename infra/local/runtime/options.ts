import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VariantPins } from '#functions/_lib/variant-pins.ts';
import type { LocalConnectionConfig } from './connections.ts';
import type { HeldPorts, ServiceName } from './listen.ts';
import { terminalText } from './terminal-text.ts';

/** Where the project lives, from this module (not the working directory). */
const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Default loopback ports, one per service; 0 asks for any free port. */
export const DEFAULT_PORTS: Readonly<Record<ServiceName, number>> = {
  eventbridge: 4010,
  pinpoint: 4011,
  s3: 4569,
  dynamodb: 8000,
  ses: 8005,
  sfn: 8083,
  sqs: 9324,
  /** The local console: journeys, customers, sent messages. */
  console: 4020,
};

/** Any free port for every service: runtimes that run beside others (tests, `journeys test`). */
export const ANY_PORTS: Readonly<Record<ServiceName, number>> = {
  eventbridge: 0,
  pinpoint: 0,
  s3: 0,
  dynamodb: 0,
  ses: 0,
  sfn: 0,
  sqs: 0,
  console: 0,
};

export type LocalOptions = {
  /** The folder mirrored as the journeys bucket (default `<project>/journeys`). */
  journeysDir?: string;
  /** Where data lives across restarts (default `<project>/.journeys`). */
  dataDir?: string;
  /** Clear the data directory first. */
  reset?: boolean;
  /** Port per service; 0 picks a free one. Defaults in DEFAULT_PORTS. */
  ports?: Partial<Record<ServiceName, number>>;
  /**
   * How journey time moves. `deterministic` (default): only when asked
   * (`advanceTo`, `journeys clock advance`), jumping from timer to timer while
   * idle — tests, `journeys test` and the demo. `interactive`: also with the
   * wall clock, `timeScale` times faster, while idle (`npm start`).
   */
  clock?: ClockMode;
  /** Interactive mode: journey milliseconds per idle real millisecond, 3600 = an hour per second (default 1). */
  timeScale?: number;
  /** Journey time of a fresh data directory (ISO instant or epoch ms); default the wall clock, to the second. */
  startAt?: string | number;
  /** Watch the journeys folder and redeploy changed files (default true). */
  watch?: boolean;
  /** Keep DynamoDB data in memory, for runs that throw their data away (`journeys test`); default false. */
  inMemory?: boolean;
  /** Handler logs (Powertools) on stdout (default false). */
  verbose?: boolean;
  /** Progress lines (default console.log); pass `() => {}` for silence. */
  log?: (line: string) => void;
  /**
   * The webhook connections, by name (the stack's `webhookConnections` in
   * AWS); default none, so a journey with a webhook step is rejected.
   */
  connections?: ReadonlyMap<string, LocalConnectionConfig>;
  /**
   * The event sources whose alias calls may merge two known customers (the
   * stack's `aliasTrustedSources`); default none. Events sent with the CLI
   * come from `journeys.customer`.
   */
  aliasTrustedSources?: readonly string[];
  /** How much history the runtime keeps on disk and in memory; defaults in DEFAULT_RETENTION. */
  retention?: Partial<Retention>;
  /** Variants given in advance to customers at split steps (`journeys test`); default none, every customer draws. */
  variantPins?: VariantPins;
  /**
   * Ports held across runtimes in this process: the stand-ins mount on them
   * and leave them open when the runtime stops, for the next runtime to
   * answer on (`journeys test`, a restart). Default: each runtime binds its
   * own ports and closes them when it stops.
   */
  heldPorts?: HeldPorts;
};

/**
 * What the runtime keeps, so that a data directory left running for months
 * stays bounded. Each cap keeps the newest records and drops the oldest.
 */
export type Retention = {
  /**
   * Bytes each append-only log keeps (task activity, the bus archive, the
   * Pinpoint outbox, dead letters, queue files): the newest records within it.
   */
  logBytes: number;
  /** Emails the SES emulator keeps and serves (its `/store`, the viewer, `journeys sent`): the newest. */
  sentEmails: number;
  /** Closed executions kept (record and history): the newest this many… */
  closedExecutions: number;
  /** …and none closed longer ago than this, in days of journey time (AWS keeps closed executions 90 days). */
  closedExecutionDays: number;
  /**
   * Versions of a state machine kept besides those an alias routes to: the
   * newest this many no alias routes to (to roll back to). An execution on a deleted version
   * still runs to its end, as on AWS.
   */
  stateMachineVersions: number;
};

export const DEFAULT_RETENTION: Readonly<Retention> = {
  logBytes: 32 * 1024 * 1024,
  sentEmails: 5_000,
  closedExecutions: 20_000,
  closedExecutionDays: 90,
  stateMachineVersions: 10,
};

type ClockMode = 'deterministic' | 'interactive';

export type ResolvedOptions = Required<
  Omit<LocalOptions, 'ports' | 'startAt' | 'retention' | 'heldPorts'>
> & {
  heldPorts: HeldPorts | undefined;
  ports: Record<ServiceName, number>;
  retention: Retention;
  /** Epoch ms. */
  startAt: number;
};

export function resolveOptions(options: LocalOptions): ResolvedOptions {
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0)) throw new Error(`timeScale must be a positive number, got ${timeScale}`);
  const startAt =
    options.startAt === undefined
      ? Math.floor(Date.now() / 1000) * 1000
      : typeof options.startAt === 'number'
        ? options.startAt
        : Date.parse(options.startAt);
  if (Number.isNaN(startAt)) throw new Error(`startAt must be an ISO 8601 instant, got ${options.startAt}`);
  return {
    clock: options.clock ?? 'deterministic',
    startAt,
    journeysDir: resolve(options.journeysDir ?? join(PROJECT_ROOT, 'journeys')),
    dataDir: resolve(options.dataDir ?? join(PROJECT_ROOT, '.journeys')),
    reset: options.reset ?? false,
    ports: { ...DEFAULT_PORTS, ...options.ports },
    timeScale,
    watch: options.watch ?? true,
    inMemory: options.inMemory ?? false,
    verbose: options.verbose ?? false,
    // Lines name customers, events and messages: what a terminal would act on is printed escaped.
    log: options.log ?? ((line: string) => console.log(terminalText(line))),
    connections: options.connections ?? new Map(),
    aliasTrustedSources: options.aliasTrustedSources ?? [],
    variantPins: options.variantPins ?? new Map(),
    retention: resolveRetention(options.retention),
    heldPorts: options.heldPorts,
  };
}

function resolveRetention(retention: Partial<Retention> = {}): Retention {
  const cap = (name: keyof Retention): number => {
    const value = retention[name] ?? DEFAULT_RETENTION[name];
    if (!(Number.isInteger(value) && value > 0))
      throw new Error(`retention.${name} must be a positive integer, got ${value}`);
    return value;
  };
  return {
    logBytes: cap('logBytes'),
    sentEmails: cap('sentEmails'),
    closedExecutions: cap('closedExecutions'),
    closedExecutionDays: cap('closedExecutionDays'),
    stateMachineVersions: cap('stateMachineVersions'),
  };
}
