import { isDeepStrictEqual } from 'node:util';
import { DateTime } from 'luxon';
import { STOP_CAUSES } from '#functions/ingest/ingest.ts';
import { describeStepFailure } from '#shared/journey/ending.ts';
import { checkSkipped, skipNote } from './expect-skip.ts';
import { checkWebhook } from './expect-webhook.ts';
import type { Enrollment, Observations, SentMessage } from './observe.ts';
import type { Expectation } from './scenario.ts';
import type { WebhookCall } from './webhook-stand-in.ts';
import { resolveWhen } from './when.ts';

/** One expectation checked: a readable title, and what was found instead when it failed. */
export type Verdict = { ok: boolean; title: string; users: string[]; actual?: string };

export type Context = {
  observed: Observations;
  startMs: number;
  /**
   * The time zone a customer lives in for a journey: their own, else the
   * journey's default zone (what the journey itself uses for them), else UTC.
   */
  zoneOf: (userId: string, journeyId?: string) => string;
  /** Members of a cohort id. */
  cohort: (id: string) => string[] | undefined;
  /** A profile trait, read from the profiles table. */
  trait: (userId: string, name: string) => Promise<unknown>;
  /** The calls the webhook stand-in received. */
  webhookCalls: readonly WebhookCall[];
};

/** Checks one expectation against what the runtime did. */
export async function check(expectation: Expectation, ctx: Context): Promise<Verdict> {
  if ('message' in expectation) return checkMessage(expectation.message, ctx);
  if ('noMessage' in expectation) {
    const e = expectation.noMessage;
    const window = e.within === undefined ? undefined : windowOf(e.within, ctx);
    const found = messagesOf(ctx, e).filter(
      (m) => window === undefined || (Date.parse(m.at) >= window.from && Date.parse(m.at) <= window.to),
    );
    const what = [e.channel ?? 'message', e.template].filter(Boolean).join(' ');
    const when = window === undefined ? '' : ` between ${iso(window.from)} and ${iso(window.to)}`;
    const from = e.journey === undefined ? '' : ` from ${e.journey}`;
    return verdict(
      found.length === 0,
      `${e.user} gets no ${what}${from}${when}`,
      [e.user],
      listMessages(found, ctx),
    );
  }
  if ('path' in expectation) {
    const e = expectation.path;
    const steps = enrollmentsOf(ctx, e.user, e.journey).flatMap((x) => x.steps);
    const missing = (e.through ?? []).filter((s) => !steps.includes(s));
    const entered = (e.notThrough ?? []).filter((s) => steps.includes(s));
    const parts = [
      e.through === undefined ? '' : `through ${e.through.join(', ')}`,
      e.notThrough === undefined ? '' : `never ${e.notThrough.join(', ')}`,
    ].filter(Boolean);
    return verdict(
      missing.length === 0 && entered.length === 0,
      `${e.user} goes ${parts.join(' and ')}${e.journey === undefined ? '' : ` in ${e.journey}`}`,
      [e.user],
      `steps entered: ${steps.join(' → ') || '(none)'}${skipNote(ctx.observed.skipped, e.user, e.journey)}`,
    );
  }
  if ('outcome' in expectation) {
    const e = expectation.outcome;
    const found = enrollmentsOf(ctx, e.user, e.journey);
    const outcomes = found.map(outcomesOf);
    const ok =
      e.is === 'not-enrolled'
        ? found.length === 0
        : found.some(
            (x, i) => outcomes[i]?.includes(e.is) === true && (e.at === undefined || endStep(x) === e.at),
          );
    return verdict(
      ok,
      `${e.user}'s ${e.journey === undefined ? '' : `${e.journey} `}enrollment ${e.is === 'not-enrolled' ? 'never starts' : `ends ${e.is}${e.at === undefined ? '' : ` at ${e.at}`}`}`,
      [e.user],
      (found.length === 0 ? 'no enrollment' : found.map((x, i) => endText(x, outcomes[i] ?? [])).join('; ')) +
        skipNote(ctx.observed.skipped, e.user, e.journey),
    );
  }
  if ('trait' in expectation) {
    const e = expectation.trait;
    const value = await ctx.trait(e.user, e.name);
    // JSON has no undefined: `"equals": null` is how a file says the trait is not set (an unset removes it).
    const actual = value === undefined ? null : value;
    return verdict(
      isDeepStrictEqual(actual, e.equals),
      `${e.user}'s ${e.name} is ${e.equals === null ? 'not set' : JSON.stringify(e.equals)}`,
      [e.user],
      value === undefined ? `${e.name} is not set` : `${e.name} is ${JSON.stringify(value)}`,
    );
  }
  if ('webhook' in expectation) {
    const { ok, title, actual } = checkWebhook(expectation.webhook, ctx.webhookCalls);
    return verdict(ok, title, [], actual);
  }
  if ('skipped' in expectation) {
    const { ok, title, actual } = checkSkipped(expectation.skipped, ctx.observed.skipped);
    return verdict(ok, title, [expectation.skipped.user], actual);
  }
  const e = expectation.share;
  const members = ctx.cohort(e.cohort) ?? [];
  const through = members.filter((id) => enrollmentsOf(ctx, id).some((x) => x.steps.includes(e.through)));
  const share = members.length === 0 ? 0 : through.length / members.length;
  const [low, high] = e.between;
  return verdict(
    members.length > 0 && share >= low && share <= high,
    `between ${pct(low)} and ${pct(high)} of ${e.cohort} go through ${e.through}`,
    [],
    `${through.length} of ${members.length} (${pct(share)})`,
  );
}

function windowOf(window: { from: string; to: string }, ctx: Context): { from: number; to: number } {
  return { from: resolveWhen(window.from, ctx.startMs), to: resolveWhen(window.to, ctx.startMs) };
}

function checkMessage(e: Extract<Expectation, { message: unknown }>['message'], ctx: Context): Verdict {
  const candidates = messagesOf(ctx, e);
  const zone = ctx.zoneOf(e.user, candidates[0]?.journeyId);
  const matches = (m: SentMessage) => {
    const at = Date.parse(m.at);
    if (e.contains !== undefined && !m.text.includes(e.contains)) return false;
    if (e.at !== undefined && at !== resolveWhen(e.at, ctx.startMs)) return false;
    if (e.within !== undefined) {
      const from = resolveWhen(e.within.from, ctx.startMs);
      const to = resolveWhen(e.within.to, ctx.startMs);
      if (at < from || at > to) return false;
    }
    if (e.localTime === undefined) return true;
    return (
      DateTime.fromMillis(at, { zone: ctx.zoneOf(e.user, m.journeyId) }).toFormat('HH:mm') === e.localTime
    );
  };
  const when = [
    e.at === undefined ? '' : `at ${iso(resolveWhen(e.at, ctx.startMs))}`,
    e.within === undefined
      ? ''
      : `between ${iso(resolveWhen(e.within.from, ctx.startMs))} and ${iso(resolveWhen(e.within.to, ctx.startMs))}`,
    e.localTime === undefined ? '' : `at ${e.localTime} ${zone}`,
    e.contains === undefined ? '' : `containing "${e.contains}"`,
  ].filter(Boolean);
  const count = candidates.filter(matches).length;
  const what = [
    e.channel,
    e.template,
    e.journey === undefined ? '' : `from ${e.journey}`,
    e.times === undefined ? '' : e.times === 1 ? 'once' : `${e.times} times`,
  ].filter(Boolean);
  return verdict(
    e.times === undefined ? count > 0 : count === e.times,
    `${e.user} gets ${what.join(' ')}${when.length === 0 ? '' : ` ${when.join(', ')}`}`,
    [e.user],
    (e.times === undefined || count === 0
      ? listMessages(candidates, ctx)
      : `${count === 1 ? 'one such message' : `${count} such messages`}:\n${listMessages(candidates.filter(matches), ctx)}`) +
      skipNote(ctx.observed.skipped, e.user, e.journey),
  );
}

/**
 * What an enrollment came to: converted when it reached its goal, whether the
 * goal stopped it or (`exit: false`) it went on; then how its execution ended
 * or that it still runs.
 */
function outcomesOf(enrollment: Enrollment): string[] {
  const end = endOf(enrollment);
  if (!enrollment.converted || end === 'converted') return [end];
  return ['converted', end];
}

/** The step an enrollment ended at: the one whose failure ended it, else the last one entered. */
const endStep = (x: Enrollment) => x.stepFailure?.stepId ?? x.steps.at(-1);

/** How an enrollment ended, as the outcome expectation's `actual` reads it. */
function endText(x: Enrollment, outcomes: string[]): string {
  if (x.stepFailure === undefined) return `${outcomes.join(', ')} at ${x.steps.at(-1)}`;
  const converted = outcomes.includes('converted') ? 'converted, then ' : '';
  return `${converted}${describeStepFailure(x.stepFailure)}`;
}

/**
 * exited: an exit event stopped it; step-failed: a step failed under the
 * failure policy `exit`; completed: it ran to an exit step.
 */
function endOf({ status, cause, stepFailure }: Enrollment): string {
  switch (status) {
    case 'SUCCEEDED':
      return stepFailure === undefined ? 'completed' : 'step-failed';
    case 'ABORTED':
      if (cause === STOP_CAUSES.converted) return 'converted';
      if (cause === STOP_CAUSES.exited) return 'exited';
      return `stopped${cause === undefined ? '' : ` (${cause})`}`;
    case 'RUNNING':
      return 'running';
    case 'FAILED':
      return 'failed';
    case 'TIMED_OUT':
      return 'timed out';
  }
}

function messagesOf(
  ctx: Context,
  e: { user: string; channel?: string; template?: string; journey?: string },
): SentMessage[] {
  return ctx.observed.messages.filter(
    (m) =>
      m.userId === e.user &&
      (e.channel === undefined || m.channel === e.channel) &&
      (e.template === undefined || m.template === e.template) &&
      (e.journey === undefined || m.journeyId === e.journey),
  );
}

function enrollmentsOf(ctx: Context, user: string, journey?: string): Enrollment[] {
  return ctx.observed.enrollments.filter(
    (x) => x.userId === user && (journey === undefined || x.journeyId === journey),
  );
}

function listMessages(messages: SentMessage[], ctx: Context): string {
  if (messages.length === 0) return 'no such message was sent';
  return messages
    .map((m) => {
      const local = DateTime.fromISO(m.at, { zone: ctx.zoneOf(m.userId, m.journeyId) }).toFormat(
        'ccc dd LLL HH:mm',
      );
      return `${m.channel} ${m.template ?? m.stepId} at ${m.at} (${local} local): ${m.text.replace(/\s+/g, ' ').slice(0, 100)}`;
    })
    .join('\n');
}

function verdict(ok: boolean, title: string, users: string[], actual: string): Verdict {
  return ok ? { ok, title, users } : { ok, title, users, actual };
}

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
const iso = (ms: number) => new Date(ms).toISOString();
