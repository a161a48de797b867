import * as z from '#shared/zod.ts';

/**
 * The vocabulary of function manifests (`functions/<name>/manifest.ts`): the
 * environment variables a function can read, and the resources it can bind,
 * each naming the variables it sets. A handler derives its config from its
 * manifest; the stack derives the environment and the grants; the local
 * runtime derives its environment. This module is part of every bundle: it
 * imports `zod/mini` (through `shared/zod.ts`) and
 * nothing else.
 */

const name = z.string().check(z.minLength(1));

/** A variable holding JSON text, parsed. */
const JsonText = z.pipe(
  z.string(),
  z.transform((text: string, ctx): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      ctx.issues.push({ code: 'custom', message: 'must be JSON', input: text });
      return z.NEVER;
    }
  }),
);

/** The webhook connections compiled journeys call through: JSON `{ "<name>": { "arn", "baseUrl" } }`. */
const WebhookConnections = z.pipe(
  JsonText,
  z.pipe(
    z.record(name, z.object({ arn: name, baseUrl: z.url() })),
    // Connection names are the user's: a Map, never keys of a plain object.
    z.transform((record) => new Map(Object.entries(record))),
  ),
);

/** EventBridge sources, as a JSON list of names: a set. */
const SourceNames = z.pipe(
  JsonText,
  z.pipe(
    z.array(name),
    z.transform((names) => new Set(names)),
  ),
);

/** Tags to put on what a function creates at run time: JSON `{ "<key>": "<value>" }`. */
const Tags = z.pipe(
  JsonText,
  z.pipe(
    // Entries, not a record: tag keys are the platform team's, and __proto__ stays a key.
    z.transform((value: unknown) =>
      typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.entries(value) : value,
    ),
    z.pipe(
      z.array(z.tuple([name, z.string()])),
      z.transform((entries) => new Map(entries)),
    ),
  ),
);

/**
 * Who sets a variable: the stack in AWS and the local runtime (`both`), only
 * the stack (`aws`), or only the local runtime (`local`). A variable one side
 * leaves out is optional.
 */
export type SetBy = 'both' | 'aws' | 'local';

export const VARIABLES = {
  PROFILES_TABLE_NAME: { schema: name, setBy: 'both' },
  JOURNEYS_TABLE_NAME: { schema: name, setBy: 'both' },
  DELIVERIES_TABLE_NAME: { schema: name, setBy: 'both' },
  STATS_TABLE_NAME: { schema: name, setBy: 'both' },
  ENROLLMENTS_TABLE_NAME: { schema: name, setBy: 'both' },
  EVENT_BUS_NAME: { schema: name, setBy: 'both' },
  JOURNEYS_BUCKET_NAME: { schema: name, setBy: 'both' },
  // Path-style addressing for a local S3 stand-in.
  S3_FORCE_PATH_STYLE: {
    schema: z.pipe(
      z.optional(z.enum(['true', 'false'])),
      z.transform((v) => v === 'true'),
    ),
    setBy: 'local',
  },
  SES_CONFIGURATION_SET: { schema: name, setBy: 'both' },
  SENDER_EMAIL: { schema: name, setBy: 'both' },
  PINPOINT_APPLICATION_ID: { schema: name, setBy: 'both' },
  UNSUBSCRIBE_BASE_URL: { schema: z.url(), setBy: 'both' },
  // The signing key: a secret in AWS, given directly to the local runtime.
  UNSUBSCRIBE_SECRET_ARN: { schema: z.optional(name), setBy: 'aws' },
  UNSUBSCRIBE_SIGNING_KEY: { schema: z.optional(z.string().check(z.minLength(32))), setBy: 'local' },
  REJECTED_QUEUE_URL: { schema: name, setBy: 'both' },
  SEGMENT_QUEUE_URL: { schema: name, setBy: 'both' },
  JOURNEY_ROLE_ARN: { schema: name, setBy: 'both' },
  JOURNEY_LOG_GROUP_ARN: { schema: z.optional(name), setBy: 'aws' },
  SEND_MESSAGE_FUNCTION_ARN: { schema: name, setBy: 'both' },
  EVALUATE_FUNCTION_ARN: { schema: name, setBy: 'both' },
  AWAIT_EVENT_FUNCTION_ARN: { schema: name, setBy: 'both' },
  // Versions of each journey's state machine kept besides the alias targets (default in shared/journey/version-retention.ts).
  // The local stand-in prunes with its own retention setting, so only the stack sets it.
  JOURNEY_VERSIONS_KEPT: {
    schema: z.optional(z.coerce.number().check(z.int(), z.positive(), z.lte(900))),
    setBy: 'aws',
  },
  // The prefix of the state machines deploy-journey names (default in shared/journey/state-machine-name.ts):
  // each stack has its own, so that two stacks in one account and Region never share a journey's state machine.
  JOURNEY_NAME_PREFIX: { schema: z.optional(name), setBy: 'aws' },
  // The tags of the stack, put on every journey state machine deploy-journey creates: JSON `{ "<key>": "<value>" }`.
  JOURNEY_TAGS: { schema: z.optional(Tags), setBy: 'aws' },
  // Absent: no connection exists, and a journey with a webhook step is rejected.
  WEBHOOK_CONNECTIONS: { schema: z.optional(WebhookConnections), setBy: 'both' },
  // Without the scheduler settings deploy-journey manages no schedules: the local runtime starts segment runs itself.
  SEGMENT_ENTRY_FUNCTION_ARN: { schema: z.optional(name), setBy: 'aws' },
  SCHEDULER_ROLE_ARN: { schema: z.optional(name), setBy: 'aws' },
  SCHEDULE_GROUP_NAME: { schema: z.optional(name), setBy: 'aws' },
  // Where Scheduler puts a run it could not hand to segment-entry (the stack's alarmed dead-letter queue).
  SCHEDULE_DEAD_LETTER_ARN: { schema: z.optional(name), setBy: 'aws' },
  // StartExecution per second across all segment workers, and how many workers share it (defaults in shared/segment/pace.ts).
  SEGMENT_START_RATE: { schema: z.optional(z.coerce.number().check(z.positive())), setBy: 'aws' },
  SEGMENT_WORKERS: { schema: z.optional(z.coerce.number().check(z.int(), z.positive())), setBy: 'aws' },
  // The event sources whose alias calls may merge two known customers (JSON list); absent: none may.
  ALIAS_TRUSTED_SOURCES: { schema: z.optional(SourceNames), setBy: 'both' },
} as const satisfies Record<string, { schema: z.ZodMiniType; setBy: SetBy }>;

export type VariableName = keyof typeof VARIABLES;
export type VariableValue<V extends VariableName> = z.output<(typeof VARIABLES)[V]['schema']>;

/** The variables through which deploy-journey learns the task functions compiled journeys invoke. */
export const TASK_FUNCTION_VARIABLES = [
  'SEND_MESSAGE_FUNCTION_ARN',
  'EVALUATE_FUNCTION_ARN',
  'AWAIT_EVENT_FUNCTION_ARN',
] as const;
export type TaskFunctionVariable = (typeof TASK_FUNCTION_VARIABLES)[number];

/** The variables each binding sets. */
const BINDING_VARIABLES = {
  profilesTable: ['PROFILES_TABLE_NAME'],
  journeysTable: ['JOURNEYS_TABLE_NAME'],
  deliveriesTable: ['DELIVERIES_TABLE_NAME'],
  statsTable: ['STATS_TABLE_NAME'],
  enrollmentsTable: ['ENROLLMENTS_TABLE_NAME'],
  journeysBucket: ['JOURNEYS_BUCKET_NAME', 'S3_FORCE_PATH_STYLE'],
  eventBus: ['EVENT_BUS_NAME'],
  rejectedQueue: ['REJECTED_QUEUE_URL'],
  segmentQueue: ['SEGMENT_QUEUE_URL'],
  emailSending: ['SES_CONFIGURATION_SET', 'SENDER_EMAIL'],
  mobileMessaging: ['PINPOINT_APPLICATION_ID'],
  unsubscribeLinks: ['UNSUBSCRIBE_BASE_URL'],
  signingKey: ['UNSUBSCRIBE_SECRET_ARN', 'UNSUBSCRIBE_SIGNING_KEY'],
  journeyExecutions: [],
  taskCallbacks: [],
  // Compiled journeys name the profiles table (updateProfile steps), the bus (emit steps) and connections (webhook steps).
  journeyDeployment: [
    'JOURNEY_ROLE_ARN',
    'JOURNEY_LOG_GROUP_ARN',
    'PROFILES_TABLE_NAME',
    'EVENT_BUS_NAME',
    'WEBHOOK_CONNECTIONS',
    'JOURNEY_VERSIONS_KEPT',
    'JOURNEY_NAME_PREFIX',
    'JOURNEY_TAGS',
    ...TASK_FUNCTION_VARIABLES,
  ],
  schedules: [
    'SEGMENT_ENTRY_FUNCTION_ARN',
    'SCHEDULER_ROLE_ARN',
    'SCHEDULE_GROUP_NAME',
    'SCHEDULE_DEAD_LETTER_ARN',
  ],
  segmentPacing: ['SEGMENT_START_RATE', 'SEGMENT_WORKERS'],
  aliasTrust: ['ALIAS_TRUSTED_SOURCES'],
} as const satisfies Record<string, readonly VariableName[]>;

export type BindingName = keyof typeof BINDING_VARIABLES;
// The keys of a constant object literal: exactly its binding names.
export const BINDING_NAMES = Object.keys(BINDING_VARIABLES) as readonly BindingName[];

/** How much of a table or of the journeys bucket a function may touch. */
export type Access = 'read' | 'readWrite';

/** What each binding allows, as a manifest spells it. */
export type BindingOptions = {
  profilesTable: Access;
  journeysTable: Access;
  deliveriesTable: Access;
  statsTable: Access;
  enrollmentsTable: Access;
  /** Objects under `journeys/` only. */
  journeysBucket: Access;
  eventBus: 'putEvents';
  rejectedQueue: 'send';
  segmentQueue: 'send';
  emailSending: 'send';
  mobileMessaging: 'send';
  /** A plain setting: where unsubscribe links point. */
  unsubscribeLinks: 'link';
  signingKey: 'read';
  /**
   * `start` on journey aliases; `startAndStop` also stops and describes executions (goals, exits);
   * `describe` only describes them (an execution's input, when its status event left it out).
   */
  journeyExecutions: 'start' | 'startAndStop' | 'describe';
  taskCallbacks: readonly ('success' | 'failure')[];
  /** Create, update and prune the versions of journey state machines, and pass them the journey execution role. */
  journeyDeployment: 'deploy';
  /** Manage the schedules of segment journeys and pass them the scheduler role. */
  schedules: 'manage';
  /** A plain setting: the StartExecution rate segment workers share. */
  segmentPacing: 'pace';
  /** A plain setting: the sources trusted to merge two known customers by alias. */
  aliasTrust: 'merge';
};

export type Bindings = { readonly [K in BindingName]?: BindingOptions[K] };

/** The input a task function accepts from compiled journeys, and the variable deploy-journey learns its ARN from. */
type TaskContract = { readonly input: z.core.$ZodType; readonly arnVariable: TaskFunctionVariable };

export interface FunctionManifest {
  /** The folder under functions/, also the Powertools service name. */
  readonly name: string;
  readonly description: string;
  readonly bindings: Bindings;
  /** Set for the functions compiled journeys invoke as Task states. */
  readonly task?: TaskContract;
  readonly timeoutSeconds?: number;
  readonly memoryMb?: number;
}

/** A function's timeout when its manifest sets none. */
export const DEFAULT_TIMEOUT_SECONDS = 30;

/** How long one invocation of the function may run: the stack's function timeout, and the local runtime's. */
export function timeoutSecondsOf(manifest: FunctionManifest): number {
  return manifest.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
}

/** Types a manifest, keeping its literal name, bindings and task input schema. */
export function defineFunction<const M extends FunctionManifest>(manifest: M): M {
  return manifest;
}

/** The variables a function with these bindings reads. */
type VariablesOf<B extends Bindings> = {
  [K in keyof B & BindingName]: (typeof BINDING_VARIABLES)[K][number];
}[keyof B & BindingName];

/** A function's config: each variable of its bindings, parsed. */
export type ConfigOf<M extends FunctionManifest> = {
  [V in VariablesOf<M['bindings']>]: VariableValue<V>;
};

/** The variables of these bindings, each once, in binding order. */
export function variablesOf(bindings: Bindings): VariableName[] {
  const names = BINDING_NAMES.filter((binding) => bindings[binding] !== undefined).flatMap(
    (binding) => BINDING_VARIABLES[binding],
  );
  return [...new Set(names)];
}
