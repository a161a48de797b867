import * as z from 'zod';
import { CHANNELS } from '../channels.ts';
import { Condition, ConditionPath, IsoDuration, OffsetDuration } from '../conditions/schema.ts';
import { mailboxProblem } from '../delivery/mailbox.ts';
import { MAX_SENDS_KEPT } from '../delivery/policy.ts';
import { dictionaryOf } from '../dictionary.ts';
import { MAX_NAME_BYTES, nameFits } from '../ingest/limits.ts';
import { canonicalKey, canonicalName } from '../names.ts';
import {
  LOCAL_TIME,
  type LocalWindow as LocalWindowType,
  type QuietHours as QuietHoursType,
  WEEKDAYS,
} from '../time.ts';
import { codePointLength, utf8Length } from '../utf8.ts';
import { EntryLimit, MaxAge } from './entry/limits.ts';
import { Experiment } from './experiment.ts';
import { ContextDeclarations, ContextName, ContextValue } from './journey-context.ts';
import { Fallback, OnOutcome } from './outcome.ts';
import {
  isCustomerEventName,
  isEventPath,
  JOURNEY_STATUSES,
  NOT_BLANK,
  RULE_MESSAGES,
  SCHEDULE,
} from './rules.ts';
import { scheduleProblem } from './schedule-expression.ts';
import { ParameterKey, WebhookFields } from './webhook.ts';

/**
 * The journey language, v1: one zod schema is the single source of truth.
 * Types come from `z.infer`; `journeys/journey.schema.json` is generated from it.
 */

/** The most characters a step id holds (`STEP_ID` says the same). */
export const STEP_ID_MAX = 64;
export const STEP_ID = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const StepId = z
  .string()
  .regex(STEP_ID, { message: 'must start with a letter and use only letters, digits, - and _ (64 at most)' })
  .describe('The id of a step in this journey.');

const LocalTime = z
  .string()
  .regex(LOCAL_TIME, { message: 'must be a 24-hour local time HH:mm, such as 08:00 or 21:30' })
  .describe('A local time of day, HH:mm (24-hour).');

const Timestamp = z.iso
  .datetime({ offset: true, message: RULE_MESSAGES.timestamp })
  .describe('An ISO 8601 timestamp with a zone offset or Z.');

export const STAGES = ['awareness', 'consideration', 'purchase', 'retention', 'advocacy'] as const;
const Weekday = z.enum(WEEKDAYS);

export const QuietHours: z.ZodType<QuietHoursType> = z
  .object({
    start: LocalTime.describe('When quiet hours begin, in the customer’s local time (e.g. 21:00).'),
    end: LocalTime.describe('When quiet hours end, in the customer’s local time (e.g. 08:00).'),
  })
  .strict()
  .describe('No message is delivered between start and end local time; it is deferred to the end.');

export const LocalWindow: z.ZodType<LocalWindowType> = z
  .object({
    start: LocalTime.describe('Earliest local time of day.'),
    end: LocalTime.describe(
      'Latest local time of day (not included); before start, the window wraps midnight and its part after midnight belongs to the day it opened.',
    ),
    weekdays: z.array(Weekday).min(1).optional().describe('Allowed weekdays (all when absent).'),
  })
  .strict()
  .describe('A window of local time of day, on allowed weekdays, in the customer’s time zone.');

// ---------------------------------------------------------------- journey level

/**
 * A customer event's name: ingest refuses a longer one, so a journey naming it would never see it.
 * Read trimmed and in Unicode NFC, as ingest reads events' names (names.ts).
 */
const CustomerEventName = () =>
  z
    .string()
    .min(1)
    .refine(isCustomerEventName, { message: RULE_MESSAGES.eventName })
    .regex(NOT_BLANK, { message: RULE_MESSAGES.blankEventName })
    .overwrite(canonicalName);

const EventTrigger = z
  .object({
    type: z.literal('event'),
    event: CustomerEventName().describe(
      'The track event name that enrolls a customer (e.g. "Cart Updated").',
    ),
    where: Condition.optional().describe('Only events matching this condition enroll.'),
    correlationKey: ConditionPath.optional().describe(
      'A path in the trigger event (e.g. event.properties.cartId): one enrollment per distinct value, in parallel.',
    ),
    limit: EntryLimit.optional(),
    maxAge: MaxAge.optional(),
  })
  .strict()
  .describe('Enroll when a customer performs an event.');

const IdentifyTrigger = z
  .object({
    type: z.literal('identify'),
    where: Condition.optional().describe('Only identify calls matching this condition enroll.'),
    limit: EntryLimit.optional(),
    maxAge: MaxAge.optional(),
  })
  .strict()
  .describe('Enroll when a customer is identified (sign-up, trait change).');

const SegmentTrigger = z
  .object({
    type: z.literal('segment'),
    schedule: z
      .string()
      .regex(SCHEDULE, { message: RULE_MESSAGES.schedule })
      .superRefine((expression, ctx) => {
        const problem = scheduleProblem(expression);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      })
      .describe('When the segment is evaluated: rate(...) or cron(...) as in EventBridge Scheduler.'),
    segment: Condition.describe('The customers who enter at each run (profile.* conditions).'),
    limit: EntryLimit.optional(),
  })
  .strict()
  .describe('Enroll every customer of a segment on a schedule.');

export const Trigger = z.discriminatedUnion('type', [EventTrigger, IdentifyTrigger, SegmentTrigger]);
export type Trigger = z.infer<typeof Trigger>;

const ReentryForm = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('once') }).strict(),
  z.object({ mode: z.literal('always') }).strict(),
  z
    .object({ mode: z.literal('after'), cooldown: IsoDuration.describe('Time since the last entry.') })
    .strict(),
]);

export const Reentry = z
  .union([
    z
      .enum(['once', 'always'])
      .transform((mode) => ({ mode }))
      .describe('Short for { "mode": "once" } or { "mode": "always" }.'),
    ReentryForm,
  ])
  .describe('once: a customer enters at most once; always: every trigger; after: again after a cooldown.');
export type Reentry = z.infer<typeof Reentry>;

const EventMatcher = z
  .object({
    event: CustomerEventName().describe('Event name.'),
    where: Condition.optional().describe('Only events matching this condition count.'),
  })
  .strict();

export const Goal = EventMatcher.extend({
  within: IsoDuration.optional().describe(
    'The conversion window from entry (while the enrollment runs when absent); required beside a holdout or an experiment, so every variant is counted over the same time.',
  ),
  value: ConditionPath.refine(isEventPath, RULE_MESSAGES.goalValue)
    .optional()
    .describe(
      'Where the goal event carries its money value (e.g. event.properties.total): revenue and average order value.',
    ),
  exit: z.boolean().default(true).describe('Stop the enrollment when the goal is reached (default true).'),
})
  .strict()
  .describe('The conversion this journey drives; reaching it counts a conversion.');

const Channel = z.enum(CHANNELS);

const MessageCap = z
  .object({
    channel: Channel.optional().describe('The channel capped (all channels when absent).'),
    max: z
      .number()
      .int()
      .min(1)
      // The profile keeps the newest MAX_SENDS_KEPT sends per channel: a cap above that would never count
      // enough sends to defer a message.
      .max(MAX_SENDS_KEPT)
      .describe(`Messages at most (up to ${MAX_SENDS_KEPT})...`),
    within: IsoDuration.describe('...per rolling window.'),
  })
  .strict();

export const FailurePolicy = z
  .enum(['continue', 'exit'])
  .describe(
    'When a step fails on data (a message cannot be delivered, a profile value is missing or of the wrong type): continue to the next step, or exit the journey with the reason.',
  );
export type FailurePolicy = z.infer<typeof FailurePolicy>;

export const Settings = z
  .object({
    quietHours: QuietHours.optional(),
    defaultTimezone: z
      .string()
      .default('UTC')
      .describe('IANA time zone for customers whose profile has none (e.g. Europe/Rome).'),
    caps: z.array(MessageCap).optional().describe('Per-journey frequency caps per customer.'),
    startAt: Timestamp.optional().describe('No enrollment before this time.'),
    endAt: Timestamp.optional().describe('No enrollment after this time.'),
    topic: z
      .string()
      // Customers opt out of a topic by its name, of at most 255 bytes in UTF-8 in their events, and an
      // unsubscribe link carries it: a blank or longer name could never be opted out of.
      .regex(/\S/, { message: 'must not be blank' })
      .max(MAX_NAME_BYTES, { message: `must be at most ${MAX_NAME_BYTES} bytes in UTF-8` })
      .refine((topic) => codePointLength(topic) > MAX_NAME_BYTES || nameFits(topic), {
        message: `must be at most ${MAX_NAME_BYTES} bytes in UTF-8`,
      })
      // Read in Unicode NFC, as the topic keys of customers' consent traits are (names.ts).
      .overwrite(canonicalKey)
      .optional()
      .describe(
        'Subscription topic for consent checks (e.g. "newsletter"); marketing mail carries an unsubscribe link.',
      ),
    onFailure: FailurePolicy.default('continue'),
  })
  .strict()
  .describe('Journey-wide delivery settings.');
export type Settings = z.infer<typeof Settings>;

// ---------------------------------------------------------------- steps

const stepBase = {
  stage: z.enum(STAGES).optional().describe('The lifecycle stage this step belongs to, for funnel reports.'),
  label: z.string().optional().describe('A human label shown in graphs and reports.'),
};

const next = StepId.describe('The step that follows.');

/** For steps that run a task which can fail on data. */
const onFailure = FailurePolicy.optional().describe('Overrides settings.onFailure for this step.');

const messageBase = {
  ...stepBase,
  template: z
    .string()
    .min(1)
    .describe('The template name: a file journeys/templates/<name>.json for the same channel.'),
  onFailure,
  onUnknown: z
    .enum(['record', 'retry'])
    .optional()
    .describe(
      'When the provider may or may not have accepted the message (a 5xx or a timeout after sending): "record" (default) counts it as outcome unknown and never resends; "retry" sends again (at least once: a customer may get it twice).',
    ),
  onOutcome: OnOutcome.optional(),
  fallback: Fallback.optional(),
  next,
};

/** A sender or reply-to address SES can take (shared/delivery/mailbox.ts). */
const Mailbox = z.string().superRefine((text, ctx) => {
  const problem = mailboxProblem(text);
  if (problem === undefined) return;
  // A length over the limits is named as such; anything else is shown what an address looks like.
  const message = /\d/.test(problem)
    ? `must be an address mail servers take: this one ${problem}`
    : 'must be an email address, or a name and one ("Shop <news@shop.example>"), on one line, with an ASCII part before the @';
  ctx.addIssue({ code: 'custom', message });
});

const EmailStep = z
  .object({
    type: z.literal('email'),
    ...messageBase,
    transactional: z
      .boolean()
      .default(false)
      .describe('Transactional mail ignores topic consent and carries no unsubscribe header.'),
    from: Mailbox.optional().describe(
      'Overrides the default sender (a verified SES identity): "news@shop.example" or "Shop <news@shop.example>".',
    ),
    replyTo: Mailbox.optional(),
  })
  .strict()
  .describe('Send an email through Amazon SES.');

const SmsStep = z
  .object({
    type: z.literal('sms'),
    ...messageBase,
    messageType: z.enum(['PROMOTIONAL', 'TRANSACTIONAL']).default('PROMOTIONAL'),
    originationNumber: z.string().optional().describe('The sending phone number or sender id.'),
  })
  .strict()
  .describe('Send an SMS through AWS End User Messaging.');

const PushStep = z
  .object({
    type: z.literal('push'),
    ...messageBase,
    priority: z.enum(['normal', 'high']).default('normal'),
    timeToLive: IsoDuration.optional().describe('Drop the notification if not delivered within this time.'),
  })
  .strict()
  .describe('Send a push notification through AWS End User Messaging.');

const WaitStep = z
  .object({
    type: z.literal('wait'),
    ...stepBase,
    for: IsoDuration.optional().describe('Wait this long (e.g. PT1H).'),
    until: Timestamp.optional().describe('Wait until this moment.'),
    untilDate: z
      .object({
        path: ConditionPath.describe('A profile date, e.g. profile.traits.renewalDate.'),
        offset: OffsetDuration.optional().describe(
          "Before (-P3D) or after (P1D) that date, on the customer's calendar: days, weeks, months and years keep the local time of day across a daylight-saving change (-P3D from 09:00 is 09:00); hours, minutes and seconds are elapsed time (-PT72H can be 08:00 or 10:00).",
        ),
      })
      .strict()
      .optional()
      .describe('Wait until a date on the profile, plus or minus an offset.'),
    window: LocalWindow.optional().describe(
      'Then continue only inside this local-time window (alone: until the next such window).',
    ),
    onFailure: onFailure.describe(
      'Overrides settings.onFailure when the moment cannot be computed (e.g. the profile date is missing); continue goes on to next at once.',
    ),
    next,
  })
  .strict()
  .describe(
    'Pause the journey: for a duration, until a time, until a profile date, and/or into a local window.',
  );

const WaitForEventStep = z
  .object({
    type: z.literal('waitForEvent'),
    ...stepBase,
    event: CustomerEventName().describe('The event name awaited (e.g. "Order Completed").'),
    where: Condition.optional().describe('Only events matching this condition count.'),
    match: z
      .record(ConditionPath, ConditionPath)
      .optional()
      .describe(
        'Correlation: event path → trigger path that must be equal, e.g. event.properties.cartId → trigger.properties.cartId.',
      ),
    timeout: IsoDuration.describe('How long to wait before taking onTimeout.'),
    onEvent: StepId.describe('The step after the event arrives.'),
    onTimeout: StepId.describe('The step after the timeout.'),
    onFailure: onFailure.describe(
      'Overrides settings.onFailure when the wait cannot be registered; continue goes on to onTimeout.',
    ),
  })
  .strict()
  .describe('Wait for the customer to perform an event, up to a timeout.');

const BranchStep = z
  .object({
    type: z.literal('branch'),
    ...stepBase,
    branches: z
      .array(
        z
          .object({
            name: z.string().optional().describe('A label for reports.'),
            when: Condition,
            next,
          })
          .strict(),
      )
      .min(1)
      .describe('Checked in order: the first true condition wins.'),
    otherwise: StepId.describe('The step when no condition is true.'),
    onFailure: onFailure.describe(
      'Overrides settings.onFailure when the conditions cannot be evaluated; continue goes on to otherwise.',
    ),
  })
  .strict()
  .describe('Take the first branch whose condition is true.');

/** The longest variant name, in UTF-8 bytes: URI-encoded in a counter's sort key with the step id, it keeps the key far under 1,024 bytes. */
const MAX_VARIANT_BYTES = 128;

const SplitStep = z
  .object({
    type: z.literal('split'),
    ...stepBase,
    variants: z
      .array(
        z
          .object({
            name: z
              .string()
              .regex(/\S/, { message: 'must not be blank' })
              // Each variant is counted under its name in a stats sort key, which DynamoDB holds to 1,024 bytes.
              .max(MAX_VARIANT_BYTES, { message: `must be at most ${MAX_VARIANT_BYTES} bytes in UTF-8` })
              .refine(
                (name) => codePointLength(name) > MAX_VARIANT_BYTES || utf8Length(name) <= MAX_VARIANT_BYTES,
                { message: `must be at most ${MAX_VARIANT_BYTES} bytes in UTF-8` },
              )
              .describe(
                `Variant name, unique in the split (reported per variant; at most ${MAX_VARIANT_BYTES} bytes in UTF-8).`,
              ),
            weight: z
              .number()
              .int()
              .min(0)
              .max(100)
              .describe('Percent of customers (all weights sum to 100).'),
            next,
            holdout: z.boolean().default(false).describe('A control group: counted, not messaged.'),
          })
          .strict(),
      )
      .min(2)
      .describe('Weighted variants; a customer always lands in the same one.'),
    experiment: Experiment.optional(),
  })
  .strict()
  .describe('A/B split: random but stable per customer.');

const ValueFrom = z
  .object({
    from: ConditionPath.describe(
      'A trigger.* path whose value is copied with its JSON type: number, boolean, string, list or object.',
    ),
  })
  .strict();
const ProfileValue = z.union([z.string(), z.number(), z.boolean(), ValueFrom]);

const UpdateProfileStep = z
  .object({
    type: z.literal('updateProfile'),
    ...stepBase,
    set: z
      .record(z.string(), ProfileValue)
      .optional()
      .describe('Traits to set: a value or { "from": path }.'),
    increment: z.record(z.string(), z.number()).optional().describe('Numeric traits to add to.'),
    unset: z.array(z.string()).optional().describe('Traits to remove.'),
    onFailure: onFailure.describe(
      'Overrides settings.onFailure when the update fails (e.g. increment of a trait that is not a number; the rest of the step is still applied).',
    ),
    next,
  })
  .strict()
  .describe('Change traits on the customer profile.');

const EmitStep = z
  .object({
    type: z.literal('emit'),
    ...stepBase,
    event: z.string().min(1).describe('The detail-type of the event put on the bus (e.g. "Lead Qualified").'),
    properties: z
      .record(ParameterKey, ProfileValue)
      .optional()
      .describe('Event properties: values or { "from": path }.'),
    onFailure: onFailure.describe('Overrides settings.onFailure when the event cannot be put on the bus.'),
    next,
  })
  .strict()
  .describe('Put an event on the bus for other systems (webhooks, CRM, analytics).');

const UpdateContextStep = z
  .object({
    type: z.literal('updateContext'),
    ...stepBase,
    set: z
      .record(ContextName, ContextValue)
      .describe('Context variables to set: a value, or { "from": path } (trigger.*, event.*, context.*).'),
    next,
  })
  .strict()
  .describe(
    'Change journey context variables (one Pass state; a copied string longer than its maxLength is not set, checked by one Lambda invocation).',
  );

const WebhookStep = z
  .object({
    type: z.literal('webhook'),
    ...stepBase,
    ...WebhookFields,
    onError: StepId.optional().describe(
      'The step after a call that failed (a status other than 2xx once retries ran out, a timeout); the failure policy applies when absent.',
    ),
    onFailure: onFailure.describe(
      'Overrides settings.onFailure when the call fails and no onError is given; continue goes on to next.',
    ),
    next: next.describe('The step after a 2xx response.'),
  })
  .strict()
  .describe(
    'Call an HTTPS endpoint through a stack-managed connection; copy response fields into the context; branch on the status.',
  );

const ExitStep = z
  .object({
    type: z.literal('exit'),
    ...stepBase,
    reason: z.string().optional().describe('Recorded as the exit reason.'),
  })
  .strict()
  .describe('End the journey for this customer.');

export const Step = z.discriminatedUnion('type', [
  EmailStep,
  SmsStep,
  PushStep,
  WaitStep,
  WaitForEventStep,
  BranchStep,
  SplitStep,
  UpdateProfileStep,
  EmitStep,
  UpdateContextStep,
  WebhookStep,
  ExitStep,
]);
export type Step = z.infer<typeof Step>;
export type StepType = Step['type'];
export type StepOf<T extends StepType> = Extract<Step, { type: T }>;
export type MessageStep = StepOf<z.infer<typeof Channel>>;

export const JOURNEY_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const Journey = z
  .object({
    $schema: z.string().optional(),
    id: z
      .string()
      .regex(JOURNEY_ID, {
        message: 'must be lowercase letters, digits and dashes (63 at most), e.g. cart-abandonment',
      })
      .describe('Stable id: the state machine is named journey-<id>.'),
    name: z.string().regex(/\S/, { message: 'must not be blank' }).describe('The name marketers see.'),
    description: z.string().optional(),
    status: z
      .enum(JOURNEY_STATUSES)
      .default('active')
      .describe(
        'draft: validated, not live; active: enrolling; paused: no new enrollments; archived: retired.',
      ),
    trigger: Trigger,
    audience: Condition.optional().describe('Only customers whose profile matches enter.'),
    context: ContextDeclarations.optional(),
    reentry: Reentry.default({ mode: 'once' }),
    goal: Goal.optional(),
    exitOn: z
      .array(EventMatcher)
      .optional()
      .describe(
        'Events that end the enrollment at once, each an event name with an optional condition: [{ "event": "Unsubscribed" }].',
      ),
    settings: Settings.default({ defaultTimezone: 'UTC', onFailure: 'continue' }),
    start: StepId.describe('The first step.'),
    steps: z
      .record(StepId, Step)
      .describe('The steps, by id.')
      // Step ids are names marketers choose (`constructor` is one): a record
      // without a prototype, so a lookup by an id from anywhere (a stats row,
      // an execution's history) finds only a step.
      .transform((steps) => dictionaryOf(Object.entries(steps))),
  })
  .strict()
  .describe('A customer journey (Journeys language v1).');

/** A journey after parsing: defaults applied. */
export type Journey = z.infer<typeof Journey>;
/** A journey as written in a file: defaults may be omitted. */
export type JourneyInput = z.input<typeof Journey>;

/** The JSON Schema editors use (referenced by `$schema` in journey files). */
export function journeyJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(Journey, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
}
