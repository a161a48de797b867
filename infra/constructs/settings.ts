import * as z from 'zod';
import { CUSTOMER_EVENT_SOURCE, EVENT_SOURCE } from '#shared/events.ts';
import { DEFAULT_VERSIONS_KEPT } from '#shared/journey/version-retention.ts';
import { ConnectionConfig, ConnectionName } from '#shared/journey/webhook.ts';
import { DEFAULT_START_RATE } from '#shared/segment/pace.ts';
import { minimumStartRate } from './segment-entry.ts';

/** `-c key=<json>` arrives as a string, a `cdk.json` value as the object itself. */
function jsonText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Connection name → settings; a Map, as the names are the user's. */
const WebhookConnections = z
  .preprocess(jsonText, z.record(ConnectionName, ConnectionConfig))
  .transform((record) => new Map(Object.entries(record)));

/**
 * A Secrets Manager secret by full ARN (ending with the `-` and six characters
 * Secrets Manager adds) or by name. A partial ARN is refused: IAM matches the
 * full ARN, and a name can itself end like a suffix.
 */
const SigningSecret = z.union(
  [
    z
      .string()
      .regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/),
    z.string().regex(/^(?!arn:)[A-Za-z0-9/_+=.@-]{1,512}$/),
  ],
  {
    error:
      'must be the full ARN of a Secrets Manager secret (as describe-secret prints it, ending with - and six characters) or its name (letters, digits and /_+=.@-)',
  },
);

/**
 * Tags as a platform team gives them (`-c tags='{"team":"growth"}'`): keys of
 * 1 to 128 characters not starting with `aws:`, values of at most 256, the
 * characters every tagging service accepts. A Map: the keys are the team's.
 */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const TAG_KEY = z
  .string()
  .min(1)
  .max(128)
  .regex(TAG_TEXT)
  .refine((key) => !key.toLowerCase().startsWith('aws:'), {
    error: "tag keys starting with aws: are AWS's own",
  });
const StackTags = z
  .preprocess(
    // Entries, not a record: a key such as __proto__ stays a key.
    (value) => {
      const parsed = jsonText(value);
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
        ? Object.entries(parsed)
        : parsed;
    },
    z.array(z.tuple([TAG_KEY, z.string().max(256).regex(TAG_TEXT)]), {
      error:
        'must be a JSON object of tags, {"team":"growth"}: keys of 1 to 128 and values of at most 256 letters, digits, spaces and _.:/=+-@, no key starting with aws:',
    }),
  )
  .refine((entries) => entries.length <= 45, {
    error: 'at most 45 tags: Step Functions takes 50 on a state machine, and CloudFormation adds its own',
  })
  .transform((entries) => new Map(entries));

/** A comma-separated list of EventBridge sources (`-c key=a,b`), or the list itself. */
function sourceList(value: unknown): unknown {
  return typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : value;
}

const SourceName = z.string().regex(EVENT_SOURCE, {
  error: 'must be an EventBridge source such as rudderstack or aws.partner/segment.com/<sourceId>',
});

const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]);

/**
 * The deploy-time settings, read from CDK context (`cdk.json` or `-c key=value`).
 * Every one has a default so that `cdk synth` works with none.
 */
export const StackSettings = z
  .object({
    eventBusName: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,256}$/, {
        error: 'must be 1 to 256 letters, digits, dots, dashes or underscores (an EventBridge bus name)',
      })
      .refine((name) => name !== 'default', {
        error: "must not be default: the stack creates its own bus, and the account's default bus exists",
      })
      .optional()
      .describe(
        'The customer event bus; default: customer-events in the stack named Journeys, <stackName>-customer-events in any other.',
      ),
    senderEmail: z.email().default('journeys@example.com').describe('The From address of emails.'),
    senderIdentity: z
      .string()
      .min(1)
      .optional()
      .describe(
        'The verified SES identity (domain or address) that covers senderEmail; default: its domain.',
      ),
    sesConfigurationSet: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, {
        error: 'must be an SES configuration set name: 1 to 64 letters, digits, dashes or underscores',
      })
      .optional()
      .describe(
        'An existing SES configuration set to send with, publishing its sending events to the default event bus; default: the stack creates <stackName>-journeys.',
      ),
    pinpointApplicationId: z
      .string()
      .regex(/^[a-zA-Z0-9]+$/)
      .optional()
      .describe('An existing End User Messaging (Pinpoint) application; default: the stack creates one.'),
    unsubscribeBaseUrl: z
      .url({
        protocol: /^https$/,
        error:
          'must be an https URL: mailbox providers act on one-click unsubscribe links (RFC 8058) over HTTPS only',
      })
      .optional()
      .describe('Base URL of the unsubscribe page linked from emails (https).'),
    unsubscribeSigningSecret: SigningSecret.optional().describe(
      'An existing Secrets Manager secret (full ARN or name) to sign unsubscribe links with, e.g. the key a destroyed stack kept; default: the stack creates one.',
    ),
    unsubscribeReservedConcurrency: z.coerce
      .number()
      .int({ error: 'must be a whole number of concurrent executions' })
      .positive({ error: 'must be at least 1 (leave it out to reserve none)' })
      .optional()
      .describe(
        'Concurrent executions reserved for the public unsubscribe function, which also caps it: a flood of requests to its URL cannot take the concurrency the journeys need. Default: none reserved (a new account may have too little to reserve).',
      ),
    logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
    logRetentionDays: z.coerce.number().int().positive().default(30),
    encryptLogs: flag
      .default(false)
      .describe('Encrypt every log group with a customer-managed KMS key the stack creates.'),
    alarmEmail: z.email().optional().describe('Who is told when an alarm fires.'),
    retainData: flag.default(true).describe('Keep tables and bucket when the stack is deleted.'),
    exampleJourneys: flag
      .default(false)
      .describe(
        "Upload the repository's journeys/ folder (the example journeys, active, and their templates) to the bucket, where they go live; off by default, as they would message real customers.",
      ),
    eventSources: z
      .preprocess(sourceList, z.array(SourceName).min(1, { error: 'needs at least one source' }))
      .default([CUSTOMER_EVENT_SOURCE])
      .describe(
        "The sources whose customer events are ingested (comma-separated): the apps' own, and CDPs such as " +
          'aws.partner/segment.com/<sourceId> (a partner event bus is created for it) or rudderstack.',
      ),
    aliasTrustedSources: z
      .preprocess(sourceList, z.array(SourceName))
      .default([])
      .describe(
        'The sources (of eventSources, comma-separated) whose alias calls may merge two known customers, ' +
          "an id migration from your own backend; default none: from every source an alias merges only an anonymous visitor's id.",
      ),
    segmentStartRate: z.coerce
      .number()
      .min(minimumStartRate(), {
        error: `must be at least ${minimumStartRate()}: below it a segment worker cannot start one receive's customers within its timeout, and they land in the segment dead-letter queue instead of entering`,
      })
      .default(DEFAULT_START_RATE)
      .describe(
        "StartExecution per second for segment entry: just under the Region's refill (300/s in the large Regions, 150/s in smaller ones).",
      ),
    journeyNamePrefix: z
      .string()
      .regex(/^[A-Za-z0-9_-]{0,63}-$/, {
        error:
          'must be 1 to 64 letters, digits, dashes or underscores ending with a dash (the start of a state machine name, e.g. journey-)',
      })
      .optional()
      .describe(
        "The start of the names of the stack's journey state machines; default: journey- in the stack named Journeys, <stackName>-journey- in any other.",
      ),
    stateMachineVersionsKept: z.coerce
      .number()
      .int()
      .min(1)
      .max(900)
      .default(DEFAULT_VERSIONS_KEPT)
      .describe(
        "Versions of each journey's state machine kept to roll back to, besides the live one and any other alias target; older ones are deleted (AWS allows 1,000).",
      ),
    tags: StackTags.default(new Map()).describe(
      'Tags on every resource of the stack that takes them and on the journey state machines deploy-journey creates (cost allocation): {"team":"growth"}.',
    ),
    webhookConnections: WebhookConnections.default(new Map()).describe(
      'The connections webhook steps call through, by name: { "crm": { "baseUrl": "https://…", "auth": ' +
        '{ "type": "apiKey", "header": "x-api-key", "secretName": "…" } } } (or "basic" with a username).',
    ),
  })
  .superRefine((settings, ctx) => {
    for (const source of settings.aliasTrustedSources) {
      if (settings.eventSources.includes(source)) continue;
      ctx.addIssue({
        code: 'custom',
        path: ['aliasTrustedSources'],
        message: `${source} is not one of eventSources (${settings.eventSources.join(',')}): its events are not ingested, so trusting its alias calls does nothing`,
      });
    }
    const identity = settings.senderIdentity;
    if (identity === undefined || covers(identity, settings.senderEmail)) return;
    ctx.addIssue({
      code: 'custom',
      path: ['senderIdentity'],
      message: `${identity} does not cover senderEmail ${settings.senderEmail}: SES sends from an address only under its verified identity, and send-message may use that identity only. Give the address, its domain or a parent domain of it`,
    });
  })
  .transform((settings) => ({
    ...settings,
    senderIdentity: settings.senderIdentity ?? settings.senderEmail.split('@')[1] ?? settings.senderEmail,
  }));

/**
 * Whether a verified SES identity lets an address send: the address itself,
 * its domain, or a parent domain (a verified domain covers its subdomains).
 */
function covers(identity: string, email: string): boolean {
  const name = identity.toLowerCase();
  const address = email.toLowerCase();
  const domain = address.slice(address.lastIndexOf('@') + 1);
  return name === address || name === domain || domain.endsWith(`.${name}`);
}
export type StackSettings = z.infer<typeof StackSettings>;

/** The context keys, read one by one because CDK context has no "all values" accessor (each a row of docs/deploy.md). */
export const SETTING_KEYS = [
  'eventBusName',
  'senderEmail',
  'senderIdentity',
  'sesConfigurationSet',
  'pinpointApplicationId',
  'unsubscribeBaseUrl',
  'unsubscribeSigningSecret',
  'unsubscribeReservedConcurrency',
  'logLevel',
  'logRetentionDays',
  'encryptLogs',
  'alarmEmail',
  'retainData',
  'exampleJourneys',
  'eventSources',
  'aliasTrustedSources',
  'segmentStartRate',
  'stateMachineVersionsKept',
  'journeyNamePrefix',
  'tags',
  'webhookConnections',
] as const;

/** Parses the settings from a context lookup; throws a readable error naming each bad value. */
export function readSettings(lookup: (key: string) => unknown): StackSettings {
  const raw = Object.fromEntries(
    SETTING_KEYS.map((key) => [key, lookup(key)]).filter(([, value]) => value !== undefined),
  );
  const result = StackSettings.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  -c ${issue.path.join('.')}: ${issue.message}`);
  throw new Error(`Invalid context values:\n${problems.join('\n')}`);
}
