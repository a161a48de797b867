import * as z from 'zod';
import { IsoDuration } from '#shared/conditions/schema.ts';

/**
 * What a marketer writes to ask "what if": who the customers are (shares of
 * time zones, channels, consent and trait values), how they enter (the
 * trigger event, spread over a period) and how they behave afterwards
 * ("30% complete the order within 2 days"). Weights are relative; shares are
 * fractions from 0 to 1.
 */

const Weights = z
  .record(z.string(), z.number().nonnegative())
  .refine((w) => Object.values(w).some((v) => v > 0), 'give at least one positive weight')
  .describe('value → relative weight');

const Share = z.number().min(0).max(1);

/** A generated property value. */
const Generator = z.union([
  z
    .object({ uniform: z.tuple([z.number(), z.number()]) })
    .describe('a number drawn evenly between the two, cents kept'),
  z.object({ pick: z.array(z.json()).min(1) }).describe('one of the values, evenly'),
  z.object({ id: z.string() }).describe('"<prefix>-<customer number>"'),
  z
    .object({ from: z.string().regex(/^trigger\.properties\./) })
    .describe('the same value as on the trigger event'),
  z.json().describe('this value as is'),
]);
export type Generator = z.infer<typeof Generator>;

const Properties = z.record(z.string(), Generator).default({});

/** A share of delivered emails that do something, each at a moment drawn evenly within `within` of delivery. */
const Reaction = z.strictObject({
  share: Share,
  within: IsoDuration.describe('at a moment drawn evenly up to this long after delivery'),
});

/**
 * What providers and customers do with the messages sent. By default every
 * email and SMS is delivered and no email is opened, clicked or complained
 * about; a journey that branches on those outcomes, or falls back when they
 * don't come, needs them here to be forecast as it will run.
 */
const Messages = z
  .strictObject({
    email: z
      .strictObject({
        bounced: Share.default(0).describe(
          'share of emails that bounce (permanently: the address is suppressed)',
        ),
        opened: Reaction.optional().describe('share of delivered emails opened'),
        clicked: Reaction.optional().describe(
          'share of delivered emails clicked, within those opened: a clicked email is opened too, no later than the click',
        ),
        complained: Reaction.optional().describe(
          'share of delivered emails reported as spam (email is suppressed for the customer)',
        ),
      })
      .refine(
        (e) => e.clicked === undefined || (e.opened !== undefined && e.clicked.share <= e.opened.share),
        {
          path: ['clicked', 'share'],
          message: 'an email clicked is also opened: give `opened` with a share at least this large',
        },
      )
      .default({ bounced: 0 }),
    sms: z
      .strictObject({
        undelivered: Share.default(0).describe('share of SMS the carrier reports unreachable'),
      })
      .default({ undelivered: 0 }),
  })
  .default({ email: { bounced: 0 }, sms: { undelivered: 0 } });
export type Messages = z.infer<typeof Messages>;

export const Scenario = z.strictObject({
  $schema: z.string().optional(),
  description: z.string().optional(),
  start: z.iso
    .datetime({ offset: true })
    .default('2026-03-02T00:00:00Z')
    .describe('when the first customer may enter'),
  seed: z.number().int().default(1).describe('the same seed gives the same customers and behaviour'),
  customers: z.strictObject({
    timezones: Weights.describe('IANA time zone → weight'),
    channels: z
      .strictObject({ email: Share.default(1), sms: Share.default(0), push: Share.default(0) })
      .default({ email: 1, sms: 0, push: 0 })
      .describe('share of customers with an email address, a phone number, a push token'),
    consent: z
      .strictObject({ email: Share.default(1), sms: Share.default(1), push: Share.default(1) })
      .default({ email: 1, sms: 1, push: 1 })
      .describe('share of those reachable on a channel who are subscribed to it'),
    traits: z.record(z.string(), Weights).default({}).describe('trait → value (as JSON) → weight'),
  }),
  entry: z.strictObject({
    event: z.string().min(1),
    over: IsoDuration.default('P1D').describe('customers enter evenly over this period from `start`'),
    properties: Properties,
  }),
  behaviour: z
    .array(
      z.strictObject({
        event: z.string().min(1),
        probability: Share.describe('share of entered customers who do this'),
        after: IsoDuration.default('PT0S').describe('not before this long after entering'),
        within: IsoDuration.describe('at a moment drawn evenly up to this long after entering'),
        properties: Properties,
      }),
    )
    .default([]),
  messages: Messages,
});
export type Scenario = z.infer<typeof Scenario>;
