import * as z from 'zod';

/**
 * Environment configuration, parsed once per cold start with zod. Each
 * function asks only for the variables it needs; a missing one fails fast
 * with a message naming it.
 */

const nonEmpty = z.string().min(1);

const ConfigSchema = z.object({
  PROFILES_TABLE_NAME: nonEmpty,
  JOURNEYS_TABLE_NAME: nonEmpty,
  DELIVERIES_TABLE_NAME: nonEmpty,
  STATS_TABLE_NAME: nonEmpty,
  ENROLLMENTS_TABLE_NAME: nonEmpty,
  EVENT_BUS_NAME: nonEmpty,
  JOURNEYS_BUCKET_NAME: nonEmpty,
  SES_CONFIGURATION_SET: nonEmpty,
  SENDER_EMAIL: nonEmpty,
  PINPOINT_APPLICATION_ID: nonEmpty,
  UNSUBSCRIBE_BASE_URL: z.url(),
  UNSUBSCRIBE_SECRET_ARN: nonEmpty.optional(),
  UNSUBSCRIBE_SIGNING_KEY: z.string().min(32).optional(),
  REJECTED_QUEUE_URL: nonEmpty,
  JOURNEY_ROLE_ARN: nonEmpty,
  SEND_MESSAGE_FUNCTION_ARN: nonEmpty,
  EVALUATE_FUNCTION_ARN: nonEmpty,
  AWAIT_EVENT_FUNCTION_ARN: nonEmpty,
  SEGMENT_QUEUE_URL: nonEmpty,
  /** StartExecution per second for a segment run, across all workers. */
  SEGMENT_START_RATE: z.coerce.number().positive().optional(),
  /** Segment worker invocations at once (each paces its share of the rate). */
  SEGMENT_WORKERS: z.coerce.number().int().positive().optional(),
  SEGMENT_ENTRY_FUNCTION_ARN: nonEmpty.optional(),
  SCHEDULER_ROLE_ARN: nonEmpty.optional(),
  SCHEDULE_GROUP_NAME: nonEmpty.optional(),
  JOURNEY_LOG_GROUP_ARN: nonEmpty.optional(),
  S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
});
export type Config = z.infer<typeof ConfigSchema>;
export type ConfigKey = keyof Config;

// The scheduler settings are optional: without them deploy-journey manages no schedules
// (a runtime without EventBridge Scheduler starts segment runs itself).
const OPTIONAL: readonly string[] = [
  'UNSUBSCRIBE_SECRET_ARN',
  'UNSUBSCRIBE_SIGNING_KEY',
  'S3_FORCE_PATH_STYLE',
  'SEGMENT_ENTRY_FUNCTION_ARN',
  'SEGMENT_START_RATE',
  'SEGMENT_WORKERS',
  'SCHEDULER_ROLE_ARN',
  'SCHEDULE_GROUP_NAME',
  'JOURNEY_LOG_GROUP_ARN',
];

/** Thrown at the first invocation when the environment lacks what a function needs. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Parses the named variables from `env` (process.env by default). Empty
 * strings count as missing, so a half-configured stack fails loudly.
 */
export function parseConfig<K extends ConfigKey>(
  keys: readonly K[],
  env: Record<string, string | undefined> = process.env,
): Pick<Config, K> {
  const problems: string[] = [];
  const values: Partial<Config> = {};
  for (const key of keys) {
    const raw = env[key] === '' ? undefined : env[key];
    const result = ConfigSchema.shape[key].safeParse(raw);
    if (result.success) Object.assign(values, { [key]: result.data });
    else
      problems.push(
        raw === undefined && !OPTIONAL.includes(key)
          ? `${key} is not set`
          : `${key}: ${result.error.issues[0]?.message}`,
      );
  }
  if (problems.length > 0) throw new ConfigError(`Invalid environment: ${problems.join('; ')}`);
  // Every requested key was parsed by its own schema above.
  return values as Pick<Config, K>;
}

/** A config reader that parses on first use and then returns the same object (once per cold start). */
export function lazyConfig<K extends ConfigKey>(keys: readonly K[]): () => Pick<Config, K> {
  let cached: Pick<Config, K> | undefined;
  return () => {
    cached ??= parseConfig(keys);
    return cached;
  };
}
