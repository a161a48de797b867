import { compareEnteredTimes } from '#infra/local/services/stepfunctions/runner/runner-entries.ts';
import { describeSkip } from '#shared/ingest/entry-skip.ts';
import type { ExperimentState } from '#shared/ingest/experiments.ts';
import { describeStepFailure } from '#shared/journey/ending.ts';
import type { Journey } from '#shared/journey/schema.ts';
import type { ActiveEnrollment } from '#shared/profile/state.ts';
import { branchTaken, variantTaken } from './decisions.ts';
import type { SentMessage } from './sent.ts';
import type { Trace, TraceExecution, TraceMessage, TraceStep } from './trace.ts';
import { formatWhen } from './when.ts';

/**
 * A trace as people read it, for the text of `journeys trace` and the
 * console page alike: each enrollment's steps at the customer's local time,
 * the variant or branch taken, each message with its outcome and content,
 * each deferral with its reason, and how the enrollment ended.
 */

type TraceLine = { when?: string; text: string; message?: SentMessage };
type TraceBlock = { title: string; started: string; ending: string; lines: TraceLine[] };
export type TraceView = {
  userId: string;
  zone: string;
  profile: string[];
  /** The entries into journeys the customer's events did not make, with why. */
  skipped: TraceLine[];
  blocks: TraceBlock[];
};

/**
 * The message of each visit of a message step: a step on a loop sends one per
 * visit, keyed by when the step was entered (visits at one instant in the
 * order entered). A visit takes the first message keyed by its own time, else
 * the step's next message in visit order.
 */
function visitMessages(e: TraceExecution, messages: readonly TraceMessage[]): Map<TraceStep, TraceMessage> {
  const byStep = new Map<string, TraceMessage[]>();
  for (const m of messages) {
    if (m.enrollmentId !== e.enrollmentId) continue;
    byStep.set(m.stepId, [...(byStep.get(m.stepId) ?? []), m]);
  }
  for (const list of byStep.values()) list.sort((a, b) => compareEnteredTimes(a.visit ?? '', b.visit ?? ''));
  const out = new Map<TraceStep, TraceMessage>();
  for (const step of e.steps) {
    const left = byStep.get(step.stepId);
    if (left === undefined || left.length === 0) continue;
    const own = left.findIndex((m) => m.visit !== undefined && Date.parse(m.visit) === Date.parse(step.at));
    const [message] = left.splice(own === -1 ? 0 : own, 1);
    if (message !== undefined) out.set(step, message);
  }
  return out;
}

/**
 * The goal window of an enrollment that ended unconverted. Its item outlives the
 * window (DynamoDB's TTL deletes it up to days later, the local runtime at its next sweep), so
 * whether the window is still open is judged at `now`, when known.
 */
function goalWindow(until: string, zone: string, now: Date | undefined): string {
  const at = formatWhen(until, zone);
  if (now === undefined) return `; goal window until ${at}`;
  // Open at its last instant, as ingest counts a goal event then.
  return now.getTime() <= Date.parse(until) ? `; goal window open until ${at}` : `; goal window closed ${at}`;
}

function ending(e: TraceExecution, zone: string): string {
  if (e.status === 'RUNNING') return 'still running';
  const at = e.stoppedAt === undefined ? '' : ` ${formatWhen(e.stoppedAt, zone)}`;
  if (e.status === 'ABORTED' && e.cause !== undefined) return `stopped${at}: ${e.cause}`;
  if (e.status === 'SUCCEEDED')
    return e.stepFailure === undefined ? `completed${at}` : describeStepFailure(e.stepFailure, at);
  const why = [e.error, e.cause].filter((s) => s !== undefined).join(': ');
  return `${e.status.toLowerCase().replace('_', ' ')}${at}${why === '' ? '' : ` (${why})`}`;
}

/**
 * A message's outcome: the send's, then what the provider reported back —
 * a delivered SMS reads "sms delivered", with when each report came.
 */
function outcome(m: TraceMessage): string {
  const o = m.output;
  const status = m.feedback?.at(-1)?.outcome ?? m.status;
  const what =
    o === undefined
      ? (m.detail ?? '')
      : o.status === 'sent'
        ? `message ${o.messageId}`
        : o.status === 'deferred'
          ? `until ${o.until}, ${o.reason}`
          : o.reason;
  const attempts = m.attempts > 1 ? ` (${m.attempts} attempts)` : '';
  return `${m.channel} ${status}${what === '' ? '' : ` — ${what}`}${attempts}`;
}

/** When each provider report came: ` (delivered Tue 03 Mar 11:00)`, or nothing. */
function reported(m: TraceMessage, zone: string): string {
  const reports = (m.feedback ?? []).map((f) => `${f.outcome} ${formatWhen(f.at, zone)}`);
  return reports.length === 0 ? '' : ` (${reports.join(', ')})`;
}

/**
 * Why an enrollment has its variant at a split with an experiment: drawn
 * while it ran, the winner it ended with, or the holdout kept after it.
 */
function experimentNote(
  e: TraceExecution,
  state: ExperimentState | undefined,
  variant: string | undefined,
  zone: string,
): string {
  if (state === undefined) return '';
  const { decision } = state;
  if (decision === undefined) return ' (experiment running)';
  const ended = formatWhen(decision.at, zone);
  if (Date.parse(e.startedAt) < Date.parse(decision.at))
    return ` (drawn during the experiment; it ended ${ended}, winner ${decision.winner})`;
  if (variant === decision.winner) return ` (the experiment's winner since ${ended}: ${decision.reason})`;
  return ` (kept after the experiment ended ${ended}, winner ${decision.winner})`;
}

/** What a step did, in the journey's words. */
function stepText(
  step: TraceStep,
  e: TraceExecution,
  journey: Journey | undefined,
  known: {
    experiments: readonly ExperimentState[];
    /** The variants the enrollment recorded at entry, while its item is kept. */
    recorded: ActiveEnrollment['variants'];
    zone: string;
  },
  /** Whether the step has a delivery record, whose line says why a message failed. */
  delivered: boolean,
): string {
  const { experiments, recorded, zone } = known;
  const def =
    journey !== undefined && Object.hasOwn(journey.steps, step.stepId)
      ? journey.steps[step.stepId]
      : undefined;
  const next = step.next === undefined ? '' : ` → ${step.next}`;
  if (def?.type === 'split') {
    const bucket = Object.hasOwn(e.buckets, step.stepId) ? e.buckets[step.stepId] : undefined;
    const variant = variantTaken(
      def,
      step.next,
      bucket,
      recorded?.find((v) => v.stepId === step.stepId)?.variant,
    );
    const holdout = def.variants.find((v) => v.name === variant)?.holdout ? ' (holdout)' : '';
    const note = experimentNote(
      e,
      experiments.find((x) => x.stepId === step.stepId),
      variant,
      zone,
    );
    // A variant no longer declared, that the enrollment's version drew: not guessed from these weights.
    const name = variant ?? (e.version === '?' ? '?' : `? (one of version ${e.version})`);
    return `${step.stepId}: variant ${name}${holdout}${note}${next}`;
  }
  if (def?.type === 'branch')
    return `${step.stepId}: ${step.next === undefined ? 'branch' : branchTaken(def, step.next, undefined)}${next}`;
  if (def?.type === 'waitForEvent') {
    // The last step of a stopped or running enrollment was still waiting.
    if (step.next === undefined && !step.timedOut) return `${step.stepId}: waiting for ${def.event}`;
    return `${step.stepId}: ${step.timedOut ? 'no event in time' : `${def.event} arrived`}${next}`;
  }
  if (def?.type === 'exit')
    return `${step.stepId}: exit${def.reason === undefined ? '' : ` (${def.reason})`}`;
  // A message step's reason is on its delivery's line; any other step's is here.
  const why = step.reason === undefined || delivered ? '' : ` (${step.reason})`;
  const failed = step.error === undefined ? '' : ` — failed: ${step.error}${why}`;
  return `${step.stepId}${def === undefined ? '' : ` (${def.type})`}${failed}`;
}

function block(
  e: TraceExecution,
  trace: Trace,
  journey: Journey | undefined,
  zone: string,
  sent: ReadonlyMap<string, SentMessage>,
  now: Date | undefined,
): TraceBlock {
  const lines: TraceLine[] = [];
  const experiments = trace.experiments.find((x) => x.journeyId === e.journeyId)?.states ?? [];
  const messageOf = visitMessages(e, trace.messages);
  const kept = trace.enrollments.find((x) => x.enrollmentId === e.enrollmentId);
  const known = { experiments, recorded: kept?.variants, zone };
  for (const step of e.steps) {
    const message = messageOf.get(step);
    lines.push({
      when: formatWhen(step.at, zone),
      text: stepText(step, e, journey, known, message !== undefined),
    });
    step.deferrals.forEach((d, i) => {
      // The delivery keeps the reason of its latest deferral only.
      const last = i === step.deferrals.length - 1 && message?.output?.status === 'deferred';
      const reason = last && message?.output?.status === 'deferred' ? ` (${message.output.reason})` : '';
      lines.push({
        when: formatWhen(d.at, zone),
        text: `  deferred until ${formatWhen(d.until, zone)}${reason}`,
      });
    });
    if (message === undefined) continue;
    const id = message.output?.status === 'sent' ? message.output.messageId : undefined;
    const content = id === undefined ? undefined : sent.get(id);
    lines.push({
      ...(message.updatedAt === undefined ? {} : { when: formatWhen(message.updatedAt, zone) }),
      // The content last: only the local runtime has it (SES keeps none).
      text: `  ${outcome(message)}${reported(message, zone)}${content?.subject === undefined ? '' : ` "${content.subject}"`}`,
      ...(content === undefined ? {} : { message: content }),
    });
  }
  // Messages of visits the history no longer shows (kept past it, or lost in an abrupt stop).
  const shown = new Set(messageOf.values());
  for (const m of trace.messages) {
    if (m.enrollmentId !== e.enrollmentId || shown.has(m)) continue;
    lines.push({
      ...(m.updatedAt === undefined ? {} : { when: formatWhen(m.updatedAt, zone) }),
      text: `${m.stepId}: ${outcome(m)}${reported(m, zone)}`,
    });
  }
  let end = ending(e, zone);
  if (kept?.converted === true || trace.conversions?.includes(e.enrollmentId) === true) end += '; converted';
  else if (kept?.endedAt !== undefined && kept.goalUntil !== undefined)
    end += goalWindow(kept.goalUntil, zone, now);
  return {
    title: `${e.journeyId} v${e.version} — enrollment ${e.enrollmentId}`,
    started: formatWhen(e.startedAt, zone),
    ending: end,
    lines,
  };
}

/** Why a customer id is not known, with how an anonymous visitor is named: a typo, or an anonymousId given without the prefix its profile is kept under. */
export function unknownCustomerReason(userId: string): string {
  const anon = userId.startsWith('anon:') ? 'anon:<anonymousId>' : `anon:${userId}`;
  return `no event has named this id (an anonymous visitor is ${anon})`;
}

export function traceView(
  trace: Trace,
  journeys: ReadonlyMap<string, Journey>,
  sent: readonly SentMessage[] = [],
  /** When the trace is read (journey time locally): whether a goal window is still open. */
  now?: Date,
): TraceView {
  const byId = new Map(sent.map((m) => [m.messageId, m]));
  const firstJourney = trace.executions.map((e) => journeys.get(e.journeyId)).find((j) => j !== undefined);
  const zone = trace.profile.timezone ?? firstJourney?.settings.defaultTimezone ?? 'UTC';
  const p = trace.profile;
  const traits = Object.entries(p.traits).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  const consent = Object.entries(p.consent).map(([channel, c]) => `${channel} ${JSON.stringify(c)}`);
  const unknown =
    traits.length === 0 &&
    consent.length === 0 &&
    p.timezone === undefined &&
    p.email === undefined &&
    p.phone === undefined &&
    trace.executions.length === 0 &&
    trace.enrollments.length === 0 &&
    trace.messages.length === 0 &&
    (trace.skipped ?? []).length === 0;
  if (unknown) {
    return {
      userId: trace.userId,
      zone,
      profile: [`no customer "${trace.userId}": ${unknownCustomerReason(trace.userId)}`],
      skipped: [],
      blocks: [],
    };
  }
  return {
    userId: trace.userId,
    zone,
    profile: [
      `traits: ${traits.length === 0 ? '(none)' : traits.join(', ')}`,
      `time zone: ${p.timezone ?? `(none; journey default ${zone})`}`,
      `consent: ${consent.length === 0 ? '(none recorded)' : consent.join(', ')}`,
    ],
    skipped: (trace.skipped ?? []).map((s) => ({ when: formatWhen(s.at, zone), text: describeSkip(s) })),
    blocks: trace.executions.map((e) => block(e, trace, journeys.get(e.journeyId), zone, byId, now)),
  };
}

/** The view as text, one block per enrollment, oldest first. */
export function traceText(view: TraceView): string {
  const out = [`customer ${view.userId} (times in ${view.zone})`, ...view.profile.map((l) => `  ${l}`)];
  if (view.blocks.length === 0) out.push('  no enrollments');
  for (const b of view.blocks) {
    out.push('', b.title, `  started ${b.started}`);
    for (const line of b.lines) {
      out.push(`  ${(line.when ?? '').padEnd(16)} ${line.text}`);
      const text = line.message?.text?.replace(/\s+/g, ' ').trim();
      if (text) out.push(`  ${''.padEnd(16)}     ${text.slice(0, 160)}`);
    }
    out.push(`  ended: ${b.ending}`);
  }
  if (view.skipped.length > 0) out.push('', 'entries skipped');
  for (const line of view.skipped) out.push(`  ${(line.when ?? '').padEnd(16)} ${line.text}`);
  return `${out.join('\n')}\n`;
}
