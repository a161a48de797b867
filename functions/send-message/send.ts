import type { PinpointClient } from '@aws-sdk/client-pinpoint';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import {
  type Claim,
  type DeliveriesRepository,
  type DeliveryMeta,
  type DeliveryStatus,
  deliveryIdOf,
  type PendingCount,
} from '#functions/_lib/deliveries.ts';
import type { EnrollmentItems } from '#functions/_lib/enrollment-items.ts';
import { logger } from '#functions/_lib/observability.ts';
import type { ProfilesRepository } from '#functions/_lib/profiles.ts';
import type { SendConsentGuard } from '#functions/_lib/send-consent-guard.ts';
import type { StatsRepository } from '#functions/_lib/stats.ts';
import type { TemplateSource } from '#functions/_lib/templates.ts';
import { unsubscribeLink } from '#functions/_lib/unsubscribe-links.ts';
import type { Deliverable } from '#shared/delivery/phone.ts';
import {
  type Address,
  addressKey,
  addressOf,
  checkCaps,
  consentBlock,
  quietUntil,
  zoneOf,
} from '#shared/delivery/policy.ts';
import { addTokenCounts, type TokenCounts } from '#shared/delivery/push-results.ts';
import { SMS_SENDER_CONTEXT } from '#shared/delivery/sender-context.ts';
import { suppressedAsDelivered } from '#shared/delivery/suppressed-spelling.ts';
import { afterThrottle, type ThrottleDecision } from '#shared/delivery/throttle.ts';
import {
  ErrorName,
  JourneyError,
  OptedOutError,
  PERMANENT_ERRORS,
  RecordedFailureError,
  SendInProgressError,
  TemplateFailedError,
  TransientError,
} from '#shared/errors.ts';
import { variantOf } from '#shared/ingest/live-journey.ts';
import type { Profile } from '#shared/profile/profile.ts';
import type { ProfileState } from '#shared/profile/state.ts';
import type { ExhaustedOutput, SendMessageInput, SendMessageOutput } from '#shared/tasks/send-message.ts';
import { profileVariables } from '#shared/template-preview.ts';
import { renderTemplate, type Template } from '#shared/templates.ts';
import { durationSeconds, nextAllowedTime } from '#shared/time.ts';
import { sendEmail } from './email.ts';
import { pushTokenListener } from './push-tokens.ts';

export type SendDeps = {
  profiles: ProfilesRepository;
  deliveries: DeliveriesRepository;
  stats: StatsRepository;
  /** The enrollment item remembers the last message step sent, for conversion attribution. */
  enrollments: Pick<EnrollmentItems, 'markSent'>;
  templates: TemplateSource;
  ses: SESv2Client;
  /** For SMS and push; without one, the process's client (`mobile.ts`, loaded by the first such send). */
  pinpoint?: PinpointClient;
  config: {
    senderEmail: string;
    configurationSet: string;
    pinpointApplicationId: string;
    /** The unsubscribe endpoint (the stack's, or one in front of it). */
    unsubscribeBaseUrl: string;
  };
  /** The key unsubscribe links are signed with. */
  unsubscribeKey: () => Promise<string>;
  now: () => Date;
  /** How long a claimed send blocks a concurrent retry (longer than the function timeout). */
  leaseMs?: number;
  /**
   * Called per outcome recorded as unknown (the alarmed metric, published at once), by the invocation that
   * writes its count, before it removes the count's mark: an invocation that dies after writing the
   * outcome leaves the mark, and the retry calls it. Once, unless an invocation stops between the call
   * and the mark's removal: then twice, never none (an alarm is never lost).
   */
  unknownRecorded?: () => void;
  /**
   * Called once per outcome counted on the step's counters (sent, suppressed, deferred, failed), by the
   * invocation that removes the count's mark once the count is written: never by one that finds the
   * outcome already counted, however many invocations of the send run.
   */
  counted?: (status: Exclude<DeliveryStatus, 'unknown'>) => void;
};

/**
 * SMS and push: the Pinpoint client and its sends, and phone numbers. Loaded
 * by the first message that is not an email, so a function that sends only
 * email never compiles them (the bundle keeps them in a chunk of their own).
 */
const mobile = () => import('./mobile.ts');

/**
 * Device tokens no send can carry: the SDK builds the provider's per-address maps (the request's
 * Addresses, the answer's Result) as plain objects, where this key sets the prototype instead of an
 * entry, so the token and its result would vanish (an outcome read as unknown).
 */
const UNSENDABLE_TOKENS: ReadonlySet<string> = new Set(['__proto__']);

/** The address as providers take it: a phone number is read (libphonenumber-js) only for an SMS. */
async function deliverableAddress(address: Address, profile: Profile): Promise<Deliverable> {
  if (address.channel === 'push') {
    const tokens = address.tokens.filter((t) => !UNSENDABLE_TOKENS.has(t.token));
    if (tokens.length === address.tokens.length) return { ok: true, address };
    if (tokens.length === 0)
      return {
        ok: false,
        reason: 'the only push token on the profile is "__proto__", which no push can carry',
      };
    return { ok: true, address: { ...address, tokens } };
  }
  if (address.channel !== 'sms') return { ok: true, address };
  const { deliverable } = await mobile();
  return deliverable(address, profile);
}

/** Attempts at reserving a cap slot before giving up to a retry (concurrent sends to one customer). */
const RESERVE_ATTEMPTS = 5;

/**
 * The signed preferences link of a message: its customer, channel and topic.
 * Every template may show it (a transactional email or an SMS linking to its
 * preferences); only marketing email also carries it as List-Unsubscribe.
 */
async function unsubscribeUrl(deps: SendDeps, input: SendMessageInput): Promise<string> {
  const claim = {
    u: input.userId,
    c: input.channel,
    ...(input.topic === undefined ? {} : { t: input.topic }),
    i: Math.floor(deps.now().getTime() / 1000),
  };
  return unsubscribeLink(deps.config.unsubscribeBaseUrl, await deps.unsubscribeKey(), claim);
}

async function render(
  deps: SendDeps,
  input: SendMessageInput,
  state: ProfileState,
  zone: string,
  unsubscribe: string,
) {
  const template = await deps.templates.get({ journeyId: input.journeyId, name: input.template });
  if (template.channel !== input.channel) {
    throw new TemplateFailedError(
      `template ${input.template} is for ${template.channel}, not ${input.channel}`,
    );
  }
  try {
    return await renderTemplate<Template>(
      template,
      {
        profile: profileVariables(state.profile),
        trigger: input.trigger,
        event: input.event,
        ...(input.context === undefined ? {} : { context: input.context }),
        journey: { id: input.journeyId },
        unsubscribeUrl: unsubscribe,
      },
      zone,
      deps.now(),
    );
  } catch (error) {
    throw new TemplateFailedError(
      `template ${input.template}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function option(input: SendMessageInput, key: string): string | undefined {
  const value = input.options[key];
  return typeof value === 'string' ? value : undefined;
}

async function deliver(
  deps: SendDeps,
  input: SendMessageInput,
  address: Address,
  rendered: Record<string, string>,
  unsubscribe: string,
  owner: string,
  progress: Progress,
) {
  const context = {
    journeyId: input.journeyId,
    stepId: input.stepId,
    enrollmentId: input.enrollmentId,
    userId: input.userId,
    // Which stack sent it: the receipt is routed back to this stack's delivery feedback only.
    [SMS_SENDER_CONTEXT]: deps.config.configurationSet,
  };
  if (address.channel === 'email') {
    return sendEmail(deps.ses, {
      from: option(input, 'from') ?? deps.config.senderEmail,
      to: address.email,
      replyTo: option(input, 'replyTo'),
      configurationSet: deps.config.configurationSet,
      content: { subject: rendered.subject ?? '', html: rendered.html ?? '', text: rendered.text ?? '' },
      // One-click unsubscribe (RFC 8058) is for marketing mail: a receipt or a password reset carries none.
      ...(input.transactional ? {} : { unsubscribeUrl: unsubscribe }),
      tags: { journey: input.journeyId, step: input.stepId },
    });
  }
  const appId = deps.config.pinpointApplicationId;
  const { sendPush, sendSms, pinpointClient } = await mobile();
  const pinpoint = deps.pinpoint ?? pinpointClient();
  if (address.channel === 'sms') {
    const messageType = option(input, 'messageType') === 'TRANSACTIONAL' ? 'TRANSACTIONAL' : 'PROMOTIONAL';
    const origination = option(input, 'originationNumber');
    return sendSms(
      pinpoint,
      appId,
      { phone: address.phone, body: rendered.body ?? '', messageType, originationNumber: origination },
      context,
    );
  }
  const ttl = option(input, 'timeToLive');
  return sendPush(
    pinpoint,
    appId,
    {
      tokens: address.tokens,
      title: rendered.title ?? '',
      body: rendered.body ?? '',
      url: rendered.url,
      priority: option(input, 'priority') === 'high' ? 'high' : 'normal',
      timeToLiveSeconds: ttl === undefined ? undefined : durationSeconds(ttl),
    },
    context,
    pushTokenListener(deps, input, owner, address.tokens, (counts) => {
      progress.tokens = addTokenCounts(progress.carried, counts);
    }),
  );
}

/** Other spellings of an SMS number a suppression may be keyed under (phoneSpellings). */
async function spellingsOf(phone: string): Promise<string[]> {
  const { phoneSpellings } = await mobile();
  return phoneSpellings(phone);
}

/** Why the profile now stops the send (consent, address, suppression), or undefined when it may go. */
async function stopReason(input: SendMessageInput, state: ProfileState, usable: Deliverable | undefined) {
  const blocked = consentBlock(state.profile, input.channel, {
    topic: input.topic,
    transactional: input.transactional,
  });
  const address = usable?.ok ? usable.address : undefined;
  const missing = usable === undefined ? `no ${input.channel} address on the profile` : undefined;
  return (
    blocked ??
    missing ??
    (usable?.ok === false ? usable.reason : undefined) ??
    (await suppressedAsDelivered(state, address, spellingsOf))
  );
}

/**
 * Reserves a cap slot atomically, re-reading the profile when a concurrent send got there first.
 * The reservation holds the consent the send read (send-consent-guard.ts): an opt-out, topic
 * opt-out or suppression written since refuses it, and the profile read again says why the
 * message stops (`stopped`), so no message goes out on consent withdrawn before the write.
 */
async function reserve(
  deps: SendDeps,
  input: SendMessageInput,
  state: ProfileState,
  zone: string,
  now: Date,
): Promise<{ until: Date } | { stopped: string } | undefined> {
  let current = state;
  for (let attempt = 0; attempt < RESERVE_ATTEMPTS; attempt++) {
    const stopped = attempt === 0 ? undefined : await stopReasonOf(input, current);
    if (stopped !== undefined) return { stopped };
    const check = checkCaps(current.sends, input.caps ?? [], input.channel, now, current.sendsKeptDays);
    if (!check.allowed) return { until: nextAllowedTime(check.until, zone, input.quietHours) };
    const { sendsVersion, sendsKey = input.userId } = current;
    const guard = consentGuardOf(input, current);
    if (await deps.profiles.reserveSends(sendsKey, sendsVersion, check.next, check.keptDays, guard))
      return undefined;
    current = await deps.profiles.get(input.userId);
  }
  throw new TransientError('frequency cap slot contended; retry');
}

async function stopReasonOf(input: SendMessageInput, state: ProfileState): Promise<string | undefined> {
  const found = addressOf(state.profile, input.channel);
  const usable = found === undefined ? undefined : await deliverableAddress(found, state.profile);
  return stopReason(input, state, usable);
}

function consentGuardOf(input: SendMessageInput, state: ProfileState): SendConsentGuard {
  const other = state.otherSpellingSuppressions?.[input.channel];
  return {
    channel: input.channel,
    transactional: input.transactional,
    ...(input.topic === undefined ? {} : { topic: input.topic }),
    ...(other === undefined ? {} : { otherSpelling: other }),
  };
}

/**
 * `permanent`: the name of a failure no retry overcomes, final and counted now (a failure a retry may
 * overcome is counted once final).
 */
type Settle = (
  status: DeliveryStatus,
  output?: SendMessageOutput,
  detail?: string,
  permanent?: string,
) => Promise<void>;

/** The error a failure made final ends with again: its own name when it is one the failure policy catches. */
function recordedFailure(error: string | undefined, detail: string): RecordedFailureError {
  const name = PERMANENT_ERRORS.find((known) => known === error) ?? ErrorName.DeliveryFailed;
  return new RecordedFailureError(name, detail);
}

/**
 * Writes the count a delivery record owes (marked by the write that settled
 * it), under the count guard, then removes the mark. The metric of the
 * outcome goes with the mark's removal: one invocation removes it, after the
 * count is known written (by it or an earlier one), so the metrics count
 * each outcome the counters count, once. A count the guard cannot tell
 * about is left out of both (logged, with its own metric). An unknown
 * outcome's metric is the alarm's: published before the mark goes, so an
 * invocation that dies cannot take it along (`unknownRecorded`).
 */
/** The enrollment's variant at the split the step counts by, from the bucket its input carries. */
function variantOfSend(input: SendMessageInput): { variant?: string } {
  const variant = input.split === undefined ? undefined : variantOf(input.split.variants, input.split.bucket);
  return variant === undefined ? {} : { variant };
}

async function countOwed(deps: SendDeps, input: SendMessageInput, pending: PendingCount): Promise<void> {
  const result = await deps.stats.recordSend(
    {
      journeyId: input.journeyId,
      version: input.journeyVersion,
      stepId: input.stepId,
      channel: input.channel,
      status: pending.status,
      ...(pending.reason === undefined ? {} : { reason: pending.reason }),
      at: pending.at,
      ...(pending.tokens === undefined ? {} : { tokens: pending.tokens }),
      ...variantOfSend(input),
    },
    { id: pending.id, pendingAt: pending.pendingAt, retry: pending.retry },
  );
  const deliveryId = deliveryIdOf(input.enrollmentId, input.stepId, input.visit);
  // Before the mark goes, and whether or not the guard could tell about the count: an alarm is never lost.
  if (pending.status === 'unknown') deps.unknownRecorded?.();
  const removed = await deps.deliveries.countWritten(deliveryId, pending);
  if (removed && result !== 'unsettled' && pending.status !== 'unknown') deps.counted?.(pending.status);
}

async function attempt(
  deps: SendDeps,
  input: SendMessageInput,
  meta: DeliveryMeta,
  settle: Settle,
  progress: Progress,
): Promise<SendMessageOutput> {
  const now = deps.now();
  const state = await deps.profiles.get(input.userId);
  const { profile } = state;
  const found = addressOf(profile, input.channel);
  const usable = found === undefined ? undefined : await deliverableAddress(found, profile);
  const address = usable?.ok ? usable.address : undefined;
  const reason = await stopReason(input, state, usable);
  if (reason !== undefined || address === undefined) return suppress(settle, reason ?? 'no address');
  const zone = zoneOf(profile, input.defaultTimezone);
  // Deferrals first: a deferred send renders when it is sent, with the profile as it is then (a broken
  // template is reported at that attempt). A render failing after a cap slot was taken gives the slot back.
  const quiet = quietUntil(now, zone, input.quietHours);
  const reserved = quiet === undefined ? await reserve(deps, input, state, zone, now) : { until: quiet };
  if (reserved !== undefined && 'stopped' in reserved) return suppress(settle, reserved.stopped);
  const until = reserved?.until;
  if (quiet === undefined && until === undefined) {
    progress.reserved = now.toISOString();
    // An attempt that stops from here to the provider call holds the slot: the next one gives it back.
    await deps.deliveries.markReserved(
      deliveryIdOf(input.enrollmentId, input.stepId, input.visit),
      progress.reserved,
      progress.attempt,
    );
  }
  if (until !== undefined) {
    const output: SendMessageOutput = {
      status: 'deferred',
      until: until.toISOString(),
      reason: quiet ? 'quiet hours' : 'frequency cap',
    };
    await settle('deferred', output);
    return output;
  }
  const unsubscribe = await unsubscribeUrl(deps, input);
  const rendered = await render(deps, input, state, zone, unsubscribe);
  const deliveryId = deliveryIdOf(input.enrollmentId, input.stepId, input.visit);
  // As the provider is given it (a number in E.164): what a bounce or complaint of this message stops,
  // however the profile spells the address later.
  progress.address = addressKey(address);
  await deps.deliveries.markCalled(deliveryId, now, progress.attempt);
  progress.stage = 'calling';
  const messageId = await deliver(
    deps,
    input,
    address,
    rendered,
    unsubscribe,
    profile.userId,
    progress,
  ).catch((error: unknown) => optOutOnRefusal(deps, input, error));
  progress.stage = 'accepted';
  progress.messageId = messageId;
  const output = { status: 'sent', messageId } as const;
  await settle('sent', output);
  await afterSent(deps, input, meta, output, progress.address);
  return output;
}

async function suppress(settle: Settle, reason: string): Promise<SendMessageOutput> {
  const output: SendMessageOutput = { status: 'suppressed', reason };
  await settle('suppressed', output);
  return output;
}

/** Why a profile's SMS channel is opted out after the provider refused its number as opted out. */
const SMS_OPTED_OUT_REASON = 'the number opted out (replied STOP)';

/**
 * Rethrows a send's failure; when the provider refused an SMS because its
 * number opted out (a STOP reply), first opts the profile's SMS channel out,
 * as delivery feedback does for an OPTED_OUT report, so later SMS are
 * suppressed rather than refused again. A profile write that fails fails the
 * send as transient: its retry, which an opted-out number never receives,
 * records the opt-out.
 */
async function optOutOnRefusal(deps: SendDeps, input: SendMessageInput, error: unknown): Promise<never> {
  if (error instanceof OptedOutError && input.channel === 'sms')
    await deps.profiles.setConsent(
      input.userId,
      'sms',
      { status: 'unsubscribed', reason: SMS_OPTED_OUT_REASON },
      deps.now(),
    );
  throw error;
}

/**
 * What a sent message leaves besides its record: the link delivery feedback
 * finds it by (without it a bounce or complaint is lost) and the enrollment's
 * last step sent. Both are idempotent: a retry that finds the record "sent"
 * writes them again (without the address, which the link keeps from before).
 */
async function afterSent(
  deps: SendDeps,
  input: SendMessageInput,
  meta: DeliveryMeta,
  output: { status: 'sent'; messageId: string },
  address?: string,
): Promise<void> {
  const deliveryId = deliveryIdOf(input.enrollmentId, input.stepId, input.visit);
  // An answer without an id links nothing: every such message would share one link.
  if (output.messageId !== '')
    await deps.deliveries.linkMessage(
      output.messageId,
      deliveryId,
      meta,
      deps.now(),
      address,
      input.outcomeWait,
    );
  await deps.enrollments.markSent(input.userId, input.enrollmentId, input.stepId);
}

/** How far an attempt got: what a failure can still mean for the message. */
type Progress = {
  stage: 'preparing' | 'calling' | 'accepted' | 'recorded';
  /** The record holds this attempt's outcome (its count may still be owed: the mark on the record says). */
  settled?: true;
  /** The claim's number: the attempt's writes to its record hold to it. */
  attempt: number;
  /** The frequency-cap slot this attempt took (the time it put in the profile's recent sends). */
  reserved?: string;
  /** The provider's id of the message, once it accepted it. */
  messageId?: string;
  /** The address called (`addressKey`), linked with the message id. */
  address?: string;
  /** What the push service said of the tokens: counted with the outcome this attempt settles. */
  tokens?: TokenCounts;
  /** Token counts earlier attempts left uncounted: counted with this attempt's outcome. */
  carried?: TokenCounts;
};

/**
 * Gives back the cap slot of an attempt the provider proved it took nothing
 * from: otherwise a retry after a throttle counts its own failed attempt and
 * defers itself, and a refused message holds a slot it never used.
 */
async function release(deps: SendDeps, input: SendMessageInput, at: string): Promise<void> {
  for (let attempt = 0; attempt < RESERVE_ATTEMPTS; attempt++) {
    const state = await deps.profiles.get(input.userId);
    const sends = state.sends[input.channel];
    const index = sends.lastIndexOf(at);
    if (index < 0) return;
    const rest = [...sends.slice(0, index), ...sends.slice(index + 1)];
    const { sendsKey = input.userId } = state;
    if (await deps.profiles.reserveSends(sendsKey, state.sendsVersion, { [input.channel]: rest })) return;
  }
}

/**
 * An attempt that called the provider and could not record how it ended (the
 * deliveries table failed): the record stays "sending", so the next attempt,
 * after the claim's lease, settles it as "outcome unknown" and never resends;
 * that attempt (or the step's failure path) counts it, once. Retried as a
 * transient error.
 */
export class OutcomeUnrecordedError extends TransientError {
  constructor(cause: string) {
    super(`outcome not recorded after calling the provider: ${cause}`);
  }
}

/**
 * A failure no retry overcomes (a refusal, a broken template) that could not
 * be recorded: nothing final is written, so nothing is counted yet. Retried
 * as a transient error: the claim given up, the retry tries again and
 * records it (counted once, by that write), or finds an outcome an earlier
 * attempt recorded.
 */
export class FailureUnrecordedError extends TransientError {
  constructor(failure: string, cause: string) {
    super(`failure not recorded (${failure}): ${cause}`);
  }
}

/** A failure of our own stores (or anything unnamed), as the named error Step Functions retries. */
function named(error: unknown): JourneyError {
  if (error instanceof JourneyError) return error;
  const name = error instanceof Error ? error.name : 'Error';
  return new TransientError(`${name}: ${error instanceof Error ? error.message : String(error)}`);
}

/** Why a send is deferred after the provider throttled it past its retries. */
const THROTTLED_REASON = 'the provider throttled sends';

/**
 * Defers a send the provider kept throttling (`afterThrottle`): recorded and
 * counted as deferred, with the streak that says how long it has lasted. A
 * record that cannot be written fails the attempt as transient: its retry
 * tries the provider again.
 */
async function deferThrottled(
  deps: SendDeps,
  deliveryId: string,
  throttled: ThrottleDecision,
  settle: Settle,
  progress: Progress,
): Promise<SendMessageOutput> {
  const output: SendMessageOutput = {
    status: 'deferred',
    until: (throttled.until ?? deps.now()).toISOString(),
    reason: THROTTLED_REASON,
  };
  try {
    await deps.deliveries.markThrottled(deliveryId, throttled.streak, progress.attempt);
    await settle('deferred', output);
  } catch (error) {
    if (!progress.settled) await deps.deliveries.giveUp(deliveryId, progress.attempt).catch(() => undefined);
    throw named(error);
  }
  return output;
}

/** A claim held by another attempt: wait for its lease to end, then see how it ended. */
const BUSY_REASON = 'an earlier attempt of this send holds it';

/**
 * The step's failure path after Step Functions ran out of retries on a send:
 * sends nothing, and counts the last attempt's outcome now that it is final
 * (a failure the retries could not overcome, or an outcome an attempt left
 * unknown). Counted once, however often this is called.
 */
export async function countExhausted(deps: SendDeps, input: SendMessageInput): Promise<ExhaustedOutput> {
  const deliveryId = deliveryIdOf(input.enrollmentId, input.stepId, input.visit);
  const settled = await deps.deliveries.settleExhausted(deliveryId, deps.now());
  if (settled === undefined) return { counted: 'none' };
  // Counting now would lose that attempt's outcome: the journey counts again after the lease.
  if (settled instanceof Date) throw new SendInProgressError(settled.toISOString());
  const { counted, orphanSlot, pending } = settled;
  // A slot the attempt held for a message that never went: given back, or it holds the next one back.
  if (orphanSlot !== undefined) await release(deps, input, orphanSlot).catch(() => undefined);
  // Marked by the write that made the outcome final (or left by an attempt whose count failed): a retry of
  // this call finds the mark until the count is written.
  if (pending !== undefined) await countOwed(deps, input, pending);
  return { counted };
}

/**
 * Sends one message of a journey step, at most once per (execution, step)
 * unless the step asks for `onUnknown: "retry"`. Every attempt ends sent,
 * suppressed, deferred, failed with a reason, or "outcome unknown".
 */
export async function sendMessage(deps: SendDeps, input: SendMessageInput): Promise<SendMessageOutput> {
  const deliveryId = deliveryIdOf(input.enrollmentId, input.stepId, input.visit);
  const meta: DeliveryMeta = {
    userId: input.userId,
    journeyId: input.journeyId,
    version: input.journeyVersion,
    stepId: input.stepId,
    channel: input.channel,
  };
  const retryUnknown = input.onUnknown === 'retry';
  let claim: Claim;
  try {
    claim = await deps.deliveries.claim(deliveryId, meta, deps.now(), deps.leaseMs ?? 60_000, {
      retryUnknown,
    });
    // A count the record owes (this claim's, or one an earlier attempt settled and could not write): written
    // before anything else, or the attempt fails and its retry finds the mark again.
    if (claim.kind !== 'busy' && claim.pending !== undefined) await countOwed(deps, input, claim.pending);
  } catch (error) {
    // Nothing was sent by this attempt: a retry may claim again.
    throw named(error);
  }
  // Nothing records an outcome for a record this code cannot read: each attempt that meets one says so.
  if (claim.kind === 'done' && claim.unreadable === true) {
    logger.error('delivery record unreadable: outcome unknown', { deliveryId, stepId: input.stepId });
    deps.unknownRecorded?.();
  }
  // The record says sent: the task must not fail now (the step would take its failure path for a message
  // the customer has). What follows the record gets this second chance, and is logged if it fails again.
  if (claim.kind === 'done' && claim.output.status === 'sent') {
    await afterSent(deps, input, meta, claim.output).catch((error: unknown) => {
      logger.warn('sent message not linked for feedback', { error, stepId: input.stepId });
    });
  }
  if (claim.kind === 'done' || claim.kind === 'stale') return claim.output;
  // Failed for good before: nothing is sent, and the step takes its failure policy as that attempt's did.
  if (claim.kind === 'failed') throw recordedFailure(claim.error, claim.detail);
  // A retry's backoff can run out inside a lease (a live attempt, or one that died holding it): deferring
  // to the lease's end lets the next attempt see the outcome, or settle or take over a dead attempt.
  if (claim.kind === 'busy')
    return { status: 'deferred', until: claim.until.toISOString(), reason: BUSY_REASON };
  // The attempt this claim took over stopped holding a cap slot for a message it never sent: given back
  // first, or this message would count it and defer itself. Unwritable, it only holds this message back.
  if (claim.orphanSlot !== undefined) await release(deps, input, claim.orphanSlot).catch(() => undefined);
  const progress: Progress = {
    stage: 'preparing',
    attempt: claim.attempt,
    ...(claim.carried === undefined ? {} : { carried: claim.carried, tokens: claim.carried }),
  };
  // Claimed before the time its deferral set: the retry of the attempt that deferred it (which failed to
  // settle the deferral's count, counted above if still owed). The send is deferred again as it was, not
  // counted twice, and its mark is gone before the hours-long wait.
  const { deferred } = claim;
  if (deferred !== undefined && Date.parse(deferred.until) > deps.now().getTime()) {
    try {
      await deps.deliveries.settle(
        deliveryId,
        'deferred',
        deferred,
        deps.now(),
        undefined,
        claim.attempt,
        undefined,
        progress.tokens,
      );
    } catch (error) {
      throw named(error);
    }
    return deferred;
  }
  const settle: Settle = async (status, output, detail, permanent) => {
    // A failed attempt may be retried: it is counted once it is final (here only when no retry overcomes it).
    const counted =
      status === 'failed' && permanent === undefined
        ? undefined
        : {
            reason: output?.status === 'sent' ? detail : (output?.reason ?? detail),
            ...(permanent === undefined ? {} : { error: permanent }),
            ...(progress.tokens === undefined ? {} : { tokens: progress.tokens }),
          };
    const pending = await deps.deliveries.settle(
      deliveryId,
      status,
      output,
      deps.now(),
      detail,
      progress.attempt,
      counted,
      progress.tokens,
    );
    progress.settled = true;
    if (status === 'sent') progress.stage = 'recorded';
    // Pending on the record until written: failing, the attempt fails as transient and its retry, seconds
    // later, finds the mark and writes it once (a deferred send's visit, hours later, could no longer tell
    // whether the count landed: a busy journey's counts take its guard slot).
    if (pending !== undefined) await countOwed(deps, input, pending);
  };
  try {
    return await attempt(deps, input, meta, settle, progress);
  } catch (error) {
    const failure = named(error);
    // Recorded: a retry finds the outcome and finishes what is left (its count, afterSent).
    if (progress.stage === 'recorded' || progress.settled) throw failure;
    // Sent, but not recorded: the record stays "sending" and the next attempt settles it as unknown. The
    // provider's id is known only here: linked if the table allows, a bounce or complaint still finds the customer.
    if (progress.stage === 'accepted') {
      const { messageId = '' } = progress;
      const output = { status: 'sent', messageId } as const;
      // The provider's answer is known only here: one more try at the record before it becomes "unknown".
      let uncounted: unknown;
      const recorded = await settle('sent', output).then(
        () => true,
        (cause: unknown) => {
          uncounted = cause;
          return progress.stage === 'recorded';
        },
      );
      if (recorded) {
        await afterSent(deps, input, meta, output, progress.address).catch((cause: unknown) => {
          logger.warn('sent message not linked for feedback', { error: cause, stepId: input.stepId });
        });
        // Recorded, its count not written: the retry finds the mark on the record and writes it.
        if (uncounted !== undefined) throw named(uncounted);
        return output;
      }
      if (messageId !== '')
        await deps.deliveries
          .linkMessage(messageId, deliveryId, meta, deps.now(), progress.address, input.outcomeWait)
          .catch(() => undefined);
      throw new OutcomeUnrecordedError(failure.message);
    }
    if (progress.stage === 'calling' && failure.name === ErrorName.OutcomeUnknown) {
      const output: SendMessageOutput = { status: 'unknown', reason: `outcome unknown: ${failure.message}` };
      await settle('unknown', output, failure.message).catch((cause: unknown) => {
        // Recorded, its count not written: the retry finds the mark on the record and writes it.
        throw progress.settled ? named(cause) : new OutcomeUnrecordedError(named(cause).message);
      });
      if (retryUnknown) throw failure;
      return output;
    }
    // Anything else proves the provider did not take the message: free the slot and the delivery for a retry.
    // A slot that cannot be given back only holds the next message back, it never lets one more through.
    if (progress.reserved !== undefined) await release(deps, input, progress.reserved).catch(() => undefined);
    // A throttle that outlasts a few retries defers the send (the provider is full, not the message wrong).
    const throttled =
      failure.name === ErrorName.Throttled
        ? afterThrottle(deliveryId, claim.throttled, deps.now())
        : undefined;
    if (throttled?.until !== undefined) return deferThrottled(deps, deliveryId, throttled, settle, progress);
    const permanent = PERMANENT_ERRORS.some((name) => name === failure.name);
    const fail = () => settle('failed', undefined, failure.message, permanent ? failure.name : undefined);
    // Unrecorded, the claim is given up as one that never called the provider: the retry claims it at once
    // and tries again. Unwritable too, the claim frees itself when its lease ends (a retry meanwhile is
    // deferred to then), and the next attempt settles it as unknown: accounted, never sent twice.
    const giveUp = async () => {
      if (!progress.settled)
        await deps.deliveries.giveUp(deliveryId, progress.attempt).catch(() => undefined);
    };
    // A failure a retry may overcome, unrecorded: its retry claims the send again.
    if (!permanent) await fail().catch(giveUp);
    // Unrecorded, the next throttle counts from one less: a little more backoff before the deferral.
    if (throttled !== undefined && progress.settled)
      await deps.deliveries
        .markThrottled(deliveryId, throttled.streak, progress.attempt)
        .catch(() => undefined);
    // A failure no retry overcomes is final only once recorded, and counted only by that write's mark:
    // one more try at the record, then a transient error, so that a retry records it (and counts it, once).
    else
      await fail()
        .catch((cause: unknown) => {
          if (progress.settled) throw cause;
          return fail();
        })
        .catch(async (cause: unknown) => {
          // Final on the record, its count not written: a retry finds the record failed, writes the count
          // the mark says, and ends with this failure (the retries running out, the failure path writes it).
          if (progress.settled) throw named(cause);
          await giveUp();
          throw new FailureUnrecordedError(failure.message, named(cause).message);
        });
    throw failure;
  }
}
