import type { Channel } from '#shared/channels.ts';
import type { Journey } from '#shared/journey/schema.ts';
import { edgeShares, everyDay } from '#shared/stats/format.ts';
import {
  type VariantMessagesSection,
  variantMessageRows,
  variantMessageSections,
} from '#shared/stats/variant-messages.ts';
import { LAMBDA_PROFILE, PRICES, PRICES_NOTE } from './prices.ts';
import type { Totals } from './totals.ts';

/** The answer of a simulation: plain data, printed as text or as a page. */
export type Forecast = {
  journeyId: string;
  customers: number;
  events: number;
  enrolled: number;
  /** Goal conversions of the journey (the report's "converted"): while enrollments ran or after, inside the goal window. */
  converted: number;
  /** False when conversions are not measured (the journey has no goal), as in the report: `converted` means nothing then. */
  goal: boolean;
  /**
   * Revenue of the goal conversions (the sum of the goal's `value`, as the report adds it) and the
   * average order value over the conversions that carried one (absent when none did, the report's
   * "—"), to the cent; both absent when the goal has no `value`.
   */
  revenue?: number;
  aov?: number;
  messages: { sent: Record<Channel, number>; failed: number };
  /** What providers reported of the messages sent (the scenario's `messages` shares). */
  feedback: { email: Record<EmailFeedback, number>; sms: Record<SmsFeedback, number> };
  byDay: { day: string; email: number; sms: number; push: number }[];
  byLocalHour: Record<Channel, number[]>;
  deferred: [string, number][];
  suppressed: [string, number][];
  unknown: [string, number][];
  /** Trigger events that entered no one, by why ("the event does not match the trigger's where"), and events ingest refused. */
  skipped: [string, number][];
  /**
   * Every variant the journey declares, in its order (one nobody drew with 0): `rate` is absent
   * when no one was drawn or conversions are not measured (the report's "—").
   */
  /**
   * `assigned`: customers drawn into the variant, as `journeys report` names them; `enrolled` is the
   * same number under its earlier name, kept for scripts that read it.
   */
  variants: {
    step: string;
    variant: string;
    /** The split's holdout: marked as `journeys report` marks it. */
    holdout?: true;
    assigned: number;
    enrolled: number;
    converted: number;
    rate?: number;
    /** As the journey's `revenue` and `aov`, for the conversions of customers drawn into the variant. */
    revenue?: number;
    aov?: number;
  }[];
  /**
   * Messages per variant, as `journeys report` gives them: per split whose variants' sends were
   * counted, each variant's sent (per channel), failed and deferred by reason over the steps after
   * it, and each step several of its variants reach, per variant.
   */
  variantMessages: VariantMessagesSection[];
  outcomes: [string, number][];
  /** Executions that failed or timed out, by reason: what Step Functions would have said. */
  failedExecutions: [string, number][];
  transitions: number;
  executions: number;
  invocations: [string, number][];
  usage: { dynamoWriteUnits: number; dynamoReadUnits: number; busEvents: number };
  cost: { item: string; quantity: number; unitPrice: number; usd: number }[];
  pricesNote: string;
  startedAt: string;
  endedAt: string;
};

export type EmailFeedback = 'delivered' | 'bounced' | 'opened' | 'clicked' | 'complained';
export type SmsFeedback = 'delivered' | 'undelivered';

/** The functions a run calls (the rest of `invocations` are not Lambda: a state machine's putEvents). */
const LAMBDAS = new Set([
  'ingest',
  'send-message',
  'evaluate',
  'await-event',
  'execution-status',
  'delivery-feedback',
]);

function sorted(map: ReadonlyMap<string, number>): [string, number][] {
  return [...map].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

/** The forecast of a run's totals: counters as the report reads them, the bill at list prices. */
export function forecastOf(totals: Totals, journey: Journey): Forecast {
  const assigned = declaredVariants(journey);
  const outcomes = new Map<string, number>();
  let converted = 0;
  const money: Money = { sum: 0, valued: 0 };
  for (const row of totals.counters) {
    if (row.metric === 'converted' && row.stepId === undefined && row.variant === undefined) {
      converted += row.count;
      money.sum += row.sum ?? 0;
      money.valued += row.valued ?? 0;
    }
    if (row.metric.startsWith('ended:') && row.stepId === undefined && row.variant === undefined)
      outcomes.set(row.metric.slice('ended:'.length), (outcomes.get(row.metric.slice(6)) ?? 0) + row.count);
    // A split's variants count their entrants and conversions; a message step's per-variant sends are not a split's.
    if (row.variant === undefined || row.stepId === undefined) continue;
    if (row.metric !== 'assigned' && row.metric !== 'converted') continue;
    const key = `${row.stepId}\u0000${row.variant}`;
    const entry = assigned.get(key) ?? { enrolled: 0, converted: 0, sum: 0, valued: 0 };
    if (row.metric === 'assigned') entry.enrolled += row.count;
    if (row.metric === 'converted') {
      entry.converted += row.count;
      entry.sum += row.sum ?? 0;
      entry.valued += row.valued ?? 0;
    }
    assigned.set(key, entry);
  }
  const valued = journey.goal?.value !== undefined;
  const moneyOf = (m: Money) =>
    valued ? { revenue: cents(m.sum), ...(m.valued > 0 ? { aov: cents(m.sum / m.valued) } : {}) } : {};
  // As the report measures: a goal, or conversions a goal counted (which a goal-less journey never has).
  const goal = journey.goal !== undefined || converted > 0;
  const variants = [...assigned]
    .map(([key, v]) => {
      const [step = '', variant = ''] = key.split('\u0000');
      const drawn = { assigned: v.enrolled, enrolled: v.enrolled, converted: v.converted };
      return {
        step,
        variant,
        ...(isHoldout(journey, step, variant) ? { holdout: true as const } : {}),
        ...drawn,
        ...(goal && v.enrolled > 0 ? { rate: v.converted / v.enrolled } : {}),
        ...moneyOf(v),
      };
    })
    .sort((a, b) => declared(journey, a) - declared(journey, b));
  const sent = new Map(totals.sent);
  const invocations = new Map(totals.invocations);
  const lambdaCalls = [...invocations].filter(([fn]) => LAMBDAS.has(fn)).reduce((n, [, c]) => n + c, 0);
  const reads = totals.setup.reads + totals.run.reads;
  const writes = totals.setup.writes + totals.run.writes;
  const { providers } = totals;
  const busEvents = totals.events + providers.events + totals.executions;
  const line = (item: string, quantity: number, unitPrice: number) => ({
    item,
    quantity,
    unitPrice,
    usd: quantity * unitPrice,
  });
  const gbSeconds = lambdaCalls * LAMBDA_PROFILE.memoryGb * (LAMBDA_PROFILE.averageMs / 1000);
  const cost = [
    line('Step Functions state transitions', totals.transitions, PRICES.stepFunctionsPerTransition),
    line('Lambda requests', lambdaCalls, PRICES.lambdaPerRequest),
    line('Lambda GB-seconds', gbSeconds, PRICES.lambdaPerGbSecond),
    line('DynamoDB write request units', writes, PRICES.dynamoPerWriteUnit),
    line('DynamoDB read request units', reads, PRICES.dynamoPerReadUnit),
    line('EventBridge events', busEvents, PRICES.eventBridgePerEvent),
    line('SES emails', providers.emails, PRICES.sesPerEmail),
    // Billed per part: a long text, or one with a character outside GSM-7, is sent in several.
    line('SMS message parts', providers.smsParts ?? providers.sms, PRICES.smsPerPart),
    line('Push messages', providers.push, PRICES.pushPerMessage),
  ];
  const byDay = new Map<string, Map<Channel, number>>();
  for (const [day, channel, n] of totals.sentByDay) {
    const channels = byDay.get(day) ?? new Map<Channel, number>();
    channels.set(channel, (channels.get(channel) ?? 0) + n);
    byDay.set(day, channels);
  }
  const hours = new Map(totals.sentByLocalHour);
  const reported = new Map(totals.feedback);
  const count = (channel: string, outcome: string) => reported.get(`${channel} ${outcome}`) ?? 0;
  const zeros = () => new Array<number>(24).fill(0);
  return {
    journeyId: journey.id,
    customers: totals.customers,
    events: totals.events,
    enrolled: totals.enrolled,
    converted,
    goal,
    ...moneyOf(money),
    messages: {
      sent: { email: sent.get('email') ?? 0, sms: sent.get('sms') ?? 0, push: sent.get('push') ?? 0 },
      failed: totals.failures,
    },
    feedback: {
      email: {
        delivered: count('email', 'delivered'),
        bounced: count('email', 'bounced'),
        opened: count('email', 'opened'),
        clicked: count('email', 'clicked'),
        complained: count('email', 'complained'),
      },
      sms: { delivered: count('sms', 'delivered'), undelivered: count('sms', 'undelivered') },
    },
    // Every day from the first send to the last, a day with none as zeros, as the text and the page show it.
    byDay: everyDay(
      [...byDay.keys()].sort().map((day) => {
        const m = byDay.get(day);
        return { day, email: m?.get('email') ?? 0, sms: m?.get('sms') ?? 0, push: m?.get('push') ?? 0 };
      }),
      (day) => ({ day, email: 0, sms: 0, push: 0 }),
    ),
    byLocalHour: {
      email: hours.get('email') ?? zeros(),
      sms: hours.get('sms') ?? zeros(),
      push: hours.get('push') ?? zeros(),
    },
    deferred: sorted(new Map(totals.deferred)),
    suppressed: sorted(new Map(totals.suppressed)),
    unknown: sorted(new Map(totals.unknown)),
    skipped: sorted(new Map(totals.skipped ?? [])),
    variants,
    variantMessages: messagesPerVariant(journey, totals),
    outcomes: sorted(outcomes),
    failedExecutions: sorted(new Map(totals.failedExecutions)),
    transitions: totals.transitions,
    executions: totals.executions,
    invocations: sorted(invocations),
    usage: { dynamoWriteUnits: writes, dynamoReadUnits: reads, busEvents },
    cost,
    pricesNote: PRICES_NOTE,
    startedAt: '',
    endedAt: new Date(totals.endedAt).toISOString(),
  };
}

/**
 * What providers reported, each outcome with its share of the messages of its
 * channel sent: channels with nothing sent are left out.
 */
/**
 * The outcomes of one channel that split its messages between them (delivered or bounced,
 * delivered or undelivered): their shares are parts of one whole, printed to add up to 100%.
 * Opened, clicked and complained count messages already counted as delivered, each its own share.
 */
const FEEDBACK_WHOLES: ReadonlyMap<string, string> = new Map([
  ['email delivered', 'email'],
  ['email bounced', 'email'],
  ['sms delivered', 'sms'],
  ['sms undelivered', 'sms'],
]);

/**
 * Each email and SMS outcome with its share of the messages of its channel sent, and that share
 * as the text and the page print it (the parts of one whole rounded to add up to 100%).
 */
export function feedbackRows(
  f: Forecast,
): { label: string; count: number; share: number; percent: string }[] {
  const of = (channel: 'email' | 'sms', outcomes: Record<string, number>) => {
    const sent = f.messages.sent[channel];
    return sent === 0
      ? []
      : Object.entries(outcomes).map(([outcome, count]) => ({
          label: `${channel} ${outcome}`,
          count,
          share: count / sent,
        }));
  };
  const rows = [...of('email', f.feedback.email), ...of('sms', f.feedback.sms)];
  const percents = edgeShares(
    rows.map((r) => ({ from: FEEDBACK_WHOLES.get(r.label) ?? r.label, share: r.share })),
  );
  return rows.map((r, i) => ({ ...r, percent: percents[i] ?? '' }));
}

/** Conversion values: their sum, and how many conversions carried one. */
type Money = { sum: number; valued: number };

/** Money to the cent, as the report prints it: sums such as 17.96 + … carry binary fractions. */
function cents(value: number): number {
  const rounded = Math.round(value * 100) / 100;
  return rounded === 0 ? 0 : rounded;
}

type Drawn = { enrolled: number; converted: number } & Money;

/** Each variant of each split of the journey, at 0: one nobody drew is shown, not left out. */
function declaredVariants(journey: Journey): Map<string, Drawn> {
  const variants = new Map<string, Drawn>();
  for (const [stepId, step] of Object.entries(journey.steps)) {
    if (step.type !== 'split') continue;
    for (const v of step.variants)
      variants.set(`${stepId}\u0000${v.name}`, { enrolled: 0, converted: 0, sum: 0, valued: 0 });
  }
  return variants;
}

/** Messages per variant: the report's rows, from the same counters, for every split the journey declares. */
function messagesPerVariant(journey: Journey, totals: Totals): VariantMessagesSection[] {
  const rows = variantMessageRows(journey, totals.counters);
  const splits = Object.entries(journey.steps).flatMap(([stepId, step]) =>
    step.type === 'split'
      ? [
          {
            stepId,
            variants: step.variants.map((v) => ({
              name: v.name,
              holdout: v.holdout,
              messages: rows.splits.get(stepId)?.get(v.name),
            })),
          },
        ]
      : [],
  );
  return variantMessageSections(
    splits,
    [...rows.steps].map(([stepId, variants]) => ({ stepId, variants })),
  );
}

/** Whether a split's variant is its holdout. */
function isHoldout(journey: Journey, stepId: string, name: string): boolean {
  const step = Object.hasOwn(journey.steps, stepId) ? journey.steps[stepId] : undefined;
  return step?.type === 'split' && step.variants.some((v) => v.name === name && v.holdout);
}

/** Where a variant is declared: its split's place among the steps, then its own (the order a marketer wrote). */
function declared(journey: Journey, v: { step: string; variant: string }): number {
  const steps = Object.keys(journey.steps);
  const step = Object.hasOwn(journey.steps, v.step) ? journey.steps[v.step] : undefined;
  const variant = step?.type === 'split' ? step.variants.findIndex((x) => x.name === v.variant) : -1;
  const stepIndex = steps.indexOf(v.step);
  return (stepIndex === -1 ? steps.length : stepIndex) * 1_000 + (variant === -1 ? 999 : variant);
}
