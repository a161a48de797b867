import * as z from 'zod';
import { CHANNELS } from '#shared/channels.ts';
import { NOT_ENTERED_REASONS } from '#shared/ingest/entry-skip.ts';
import { ENTRY_SKIP_REASONS } from '#shared/journey/entry/entries.ts';
import { isValidTimeZone, LOCAL_TIME } from '#shared/time.ts';
import { WebhookExpectation, Webhooks } from './webhook-schema.ts';
import { resolveWhen } from './when.ts';

/**
 * A journey scenario (`journeys/tests/*.test.json`): who the customers are,
 * what they do and when, and what the journey must do — in a marketer's
 * terms. `npx journeys test` runs it on the deterministic clock. This schema
 * is the single source of truth: types come from it and
 * `journeys/tests/scenario.schema.json` is generated from it.
 */

/** An instant: ISO 8601 (`2026-03-02T09:00:00Z`) or relative to the scenario's start (`+2h`, `+1d`, `+P1DT2H`). */
const WHEN_MESSAGE =
  'must be an ISO 8601 instant with a zone (2026-03-02T09:00:00Z) or +<duration> (+2h, +30m, +1d, +P1DT2H)';
/** An instant of either form, refused with `message`. */
function whenOf(message: string) {
  return (
    z
      .string()
      // Aborts: a value of neither form is named once, not once per check.
      .regex(/^(\+.+|\d{4}-\d{2}-\d{2}T.+)$/, { message, abort: true })
      // The pattern only tells the two forms apart: the value itself must resolve, or the run would stop on it.
      .refine(isWhen, message)
  );
}
const When = whenOf(WHEN_MESSAGE).describe(
  'An ISO 8601 instant, or relative to the start: +2h, +30m, +1d, +P1DT2H.',
);
/** `until` counts from the last event, not from the start; a bare duration (`P12D`) is named as written. */
const Until = whenOf(
  'must be an ISO 8601 instant with a zone (2026-03-02T09:00:00Z) or +<duration> after the last event (+2h, +30m, +1d, +P1DT2H)',
);

function isWhen(text: string): boolean {
  try {
    resolveWhen(text, 0);
    return true;
  } catch {
    return false;
  }
}

const Status = z.enum(['subscribed', 'unsubscribed']);
const Consent = z
  .object({
    email: Status.optional(),
    sms: Status.optional(),
    push: Status.optional(),
    topics: z.record(z.string(), z.boolean()).optional(),
  })
  .strict()
  .describe('Channel and topic consent, as in an identify; every channel subscribed when absent.');

const Customer = z
  .object({
    id: z.string().min(1).describe('The userId; with `count`, the prefix of `<id>-0` … `<id>-<count-1>`.'),
    count: z.number().int().min(1).max(5_000).optional().describe('A cohort of this many customers alike.'),
    timezone: z
      .string()
      .refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Rome')
      .optional()
      .describe('IANA time zone of the customer, e.g. Europe/Rome.'),
    traits: z
      .record(z.string(), z.unknown())
      .optional()
      .describe(
        'Profile traits sent in an identify at the start. Every customer has an email (<id>@example.test, or customer-<hash>@example.test for an id that cannot start an address) and a phone number unless these give their own; null gives none: {"phone": null}.',
      ),
    consent: Consent.optional(),
    app: z.boolean().optional().describe('Has the app (a push token); default true.'),
    variants: z
      .record(z.string(), z.string())
      .optional()
      .describe(
        'The variant the customer gets at a split, by split step id: {"channel-test": "push"} plays that arm whatever their id hashes to (every journey of the scenario with a split of that id). A variant of weight 0 cannot be pinned.',
      ),
  })
  .strict();

const Track = z
  .object({
    at: When,
    user: z.string().describe('A customer id (or cohort id: every member sends it).'),
    track: z.string().describe('The event name.'),
    properties: z.record(z.string(), z.unknown()).optional(),
    timestamp: When.optional().describe(
      'When the event happened, if before it is sent (a replay or a late delivery); default: when it is sent.',
    ),
  })
  .strict();
const Identify = z
  .object({
    at: When,
    user: z.string(),
    identify: z.record(z.string(), z.unknown()).describe('Traits to set.'),
  })
  .strict();
const Deploy = z
  .object({
    at: When,
    deploy: z.string().describe('The journey id to deploy again.'),
    set: z
      .record(z.string(), z.unknown())
      .optional()
      .describe(
        'Changes to its file, by dotted path: {"steps.cart-sms.template": "cart-sms-v2"}. null writes null (a condition may compare with it); to remove a field or a step, use unset.',
      ),
    unset: z
      .array(z.string())
      .optional()
      .describe(
        'Dotted paths removed from its file before set is applied: ["steps.reminder"] removes a step (point what led to it elsewhere in set).',
      ),
  })
  .strict();
const Opens = z
  .object({
    at: When,
    user: z.string(),
    opens: z.string().describe('Opens the last email of this template sent to the customer.'),
  })
  .strict()
  .describe('What SES reports when the customer opens an email: steps waiting for that outcome go on.');
const Clicks = z
  .object({
    at: When,
    user: z.string(),
    clicks: z
      .string()
      .describe(
        'Clicks a link in the last email of this template sent to the customer (an open is reported only by `opens`, as when images stay blocked).',
      ),
  })
  .strict()
  .describe(
    'What SES reports when the customer clicks a link in an email: steps waiting for that outcome go on.',
  );
export const ScenarioEvent = z.union([Track, Identify, Deploy, Opens, Clicks]);
export type ScenarioEvent = z.infer<typeof ScenarioEvent>;

/** `within` is a duration in journeys: one written so here is shown the form a window takes. */
const WINDOW_FORM =
  'must be a window between two instants, { "from": "+0h", "to": "+1h" } (each ISO 8601 with its zone or +<duration> after the start)';
const Window = z
  .object(
    { from: When, to: When },
    {
      error: (issue) =>
        issue.code === 'invalid_type' && issue.input !== undefined ? WINDOW_FORM : undefined,
    },
  )
  .strict()
  .describe('Between two instants, inclusive.');
const Channel = z.enum(CHANNELS);

const Message = z
  .object({
    message: z
      .object({
        user: z.string(),
        channel: Channel,
        template: z.string().optional(),
        journey: z.string().optional().describe('Sent by this journey (any of the scenario’s when absent).'),
        contains: z.string().optional().describe('Text the rendered message contains.'),
        at: When.optional().describe('Sent at exactly this instant.'),
        within: Window.optional(),
        localTime: z
          .string()
          .regex(LOCAL_TIME, 'must be a local time HH:mm, from 00:00 to 23:59, such as 09:00')
          .optional()
          .describe("Sent at this HH:mm in the customer's time zone."),
        times: z
          .number()
          .int()
          .min(1, 'must be 1 or more; for none write { "noMessage": { "user": …, "channel": … } }')
          .optional()
          .describe('Exactly this many such messages (at least one when absent; noMessage for none).'),
      })
      .strict(),
  })
  .strict();
const NoMessage = z
  .object({
    noMessage: z
      .object({
        user: z.string(),
        channel: Channel.optional(),
        template: z.string().optional(),
        journey: z
          .string()
          .optional()
          .describe('From this journey (from any of the scenario’s when absent).'),
        within: Window.optional().describe('None in this window (none at all when absent).'),
      })
      .strict(),
  })
  .strict();
const Path = z
  .object({
    path: z
      .object({
        user: z.string(),
        journey: z.string().optional(),
        through: z.array(z.string()).optional().describe('Steps the enrollment went through.'),
        notThrough: z.array(z.string()).optional().describe('Steps it never entered.'),
      })
      .strict(),
  })
  .strict();
const Outcome = z
  .object({
    outcome: z
      .object({
        user: z.string(),
        journey: z.string().optional(),
        is: z
          .enum(['converted', 'exited', 'completed', 'step-failed', 'running', 'failed', 'not-enrolled'])
          .describe(
            'converted: reached the goal (with exit: false, the enrollment also completes or runs on); exited: an exit event stopped it; completed: ran to an exit step; step-failed: a step failed and its failure policy (exit) ended the enrollment; running: still in the journey when the scenario ends; failed: the execution failed.',
          ),
        at: z
          .string()
          .optional()
          .describe('For completed: the exit step it ended on; for step-failed: the step that failed.'),
      })
      .strict(),
  })
  .strict();
const Trait = z
  .object({
    trait: z
      .object({
        user: z.string(),
        name: z.string(),
        equals: z.unknown().describe('The value the trait holds; null: the trait is not set.'),
      })
      .strict(),
  })
  .strict();
const Share = z
  .object({
    share: z
      .object({
        cohort: z.string(),
        through: z.string().describe('A step their enrollments entered.'),
        between: z
          .tuple([z.number().min(0).max(1), z.number().min(0).max(1)])
          .describe('Inclusive bounds on the fraction of the cohort, e.g. [0.4, 0.5].'),
      })
      .strict(),
  })
  .strict();
const Skipped = z
  .object({
    skipped: z
      .object({
        user: z.string(),
        journey: z.string().optional().describe('Into this journey (any of the scenario’s when absent).'),
        reason: z
          .enum([...ENTRY_SKIP_REASONS, ...NOT_ENTERED_REASONS])
          .optional()
          .describe(
            "For this reason (any when absent): missing (a trigger value the journey reads), context (a context value of another type or too long), tooOld (trigger.maxAge), limit (trigger.limit), tooLarge, where (the trigger's where), audience, reentry (reentry once), cooldown (within the reentry cooldown).",
          ),
      })
      .strict()
      .describe('An event of the customer triggered the journey but did not enter them.'),
  })
  .strict();
export const Expectation = z.union([
  Message,
  NoMessage,
  Path,
  Outcome,
  Trait,
  Share,
  Skipped,
  WebhookExpectation,
]);
export type Expectation = z.infer<typeof Expectation>;

export const Scenario = z
  .object({
    $schema: z.string().optional(),
    name: z.string().min(1).describe('What the scenario shows, in a sentence.'),
    journeys: z
      .array(z.string())
      .min(1)
      .describe('The journey ids deployed for it (files in the journeys folder or its examples folder).'),
    start: z.iso
      .datetime({
        offset: true,
        message: 'must be an ISO 8601 instant with a zone, such as 2026-03-02T09:00:00Z',
      })
      .describe("The clock's start: an ISO 8601 instant."),
    settings: z
      .record(z.string(), z.record(z.string(), z.unknown()))
      .optional()
      .describe('Journey settings overrides, by journey id.'),
    webhooks: Webhooks.optional(),
    customers: z.array(Customer).default([]),
    events: z.array(ScenarioEvent).default([]),
    until: Until.optional().describe(
      'How long the journeys run after the last event (default: 7 days later).',
    ),
    expect: z.array(Expectation).min(1),
  })
  .strict();
export type Scenario = z.infer<typeof Scenario>;

/** A scenario file: one scenario, or several under `scenarios`. */
export const ScenarioList = z
  .object({ $schema: z.string().optional(), scenarios: z.array(Scenario.omit({ $schema: true })).min(1) })
  .strict();
export const ScenarioFile = z.union([Scenario, ScenarioList]);

/** The JSON Schema of scenario files, for editors. */
export function scenarioJsonSchema(): unknown {
  return z.toJSONSchema(ScenarioFile, { io: 'input' });
}
