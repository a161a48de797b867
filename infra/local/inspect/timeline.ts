import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { readJsonFile } from '#infra/cli/files.ts';
import { classifyFeedback } from '#shared/delivery/feedback.ts';
import { describeSkip } from '#shared/ingest/entry-skip.ts';
import { describeStepFailure, stepFailureOf } from '#shared/journey/ending.ts';
import { Journey, type Step } from '#shared/journey/schema.ts';
import { describeRefusedOptIn } from '#shared/profile/refused-opt-in.ts';
import { isValidTimeZone } from '#shared/time.ts';
import { type Activity, readActivityLog } from '../runtime/activity.ts';
import { readConversions } from '../runtime/conversions.ts';
import { readArchiveLines } from '../services/eventbridge/archive.ts';
import { readOutbox } from '../services/pinpoint/outbox.ts';
import { storedEmails } from '../services/ses/store.ts';
import { type ExecutionRecord, readExecutions } from '../services/stepfunctions/api/executions.ts';
import { branchTaken, historyReader, type Route, routeOf } from './decisions.ts';
import { customerKeyOf, parseJson, rejectionReader } from './rejected-events.ts';
import { formatWhen } from './when.ts';

const Archived = z.object({
  event: z.object({
    time: z.string(),
    'detail-type': z.string(),
    detail: z
      .object({
        userId: z.unknown().optional(),
        anonymousId: z.unknown().optional(),
        // Any shape: an event ingest rejected for its fields is still on the timeline.
        event: z.unknown().optional(),
        timestamp: z.unknown().optional(),
        traits: z.unknown().optional(),
      })
      .loose(),
  }),
});
const Zoned = z.object({ timezone: z.string() }).loose();
const Enrollment = z
  .object({
    userId: z.string(),
    journeyId: z.string(),
    enrollmentId: z.string().optional(),
    trigger: z.object({ type: z.string() }).loose(),
    buckets: z.record(z.string(), z.number()).default({}),
  })
  .loose();
const DEFERRED = 'Journeys.Deferred: ';
const Match = z.object({ match: z.number() });
const TaskInput = z.object({ userId: z.string(), journeyId: z.string(), stepId: z.string() }).loose();
const SendOutput = z
  .object({ status: z.string(), messageId: z.string().optional(), reason: z.string().optional() })
  .loose();

type TimelineLine = { at: string; text: string };
/** A customer's lines, oldest first, and the time zone of their profile when an identify gave one. */
export type CustomerTimeline = { zone?: string; lines: TimelineLine[] };

/**
 * A readable timeline per customer: events received, enrollments, messages
 * with their rendered text (outbox and SES store) and what the provider
 * reported back (delivered, bounced…), the variant each split gave and the
 * branch each branch took (named from the journey files of `journeysDir`
 * when given: `<id>.json` as last deployed), deferrals with their reason,
 * and each entry into a journey an event did not make, with why.
 */
export async function customerTimelines(
  dataDir: string,
  sesEndpoint?: string,
  journeysDir?: string,
): Promise<Map<string, CustomerTimeline>> {
  const journeys = await journeyFiles(journeysDir);
  const timelines = new Map<string, CustomerTimeline>();
  const of = (user: string) => {
    const timeline = timelines.get(user) ?? { lines: [] };
    timelines.set(user, timeline);
    return timeline;
  };
  const add = (user: string, at: string, text: string) => of(user).lines.push({ at, text });
  // Delivery receipts name a provider message, not a customer: placed once the sends are known.
  const reports: { at: string; messageId: string; outcome: string }[] = [];
  const rejection = await rejectionReader(dataDir);
  for (const row of await readArchiveLines(dataDir)) {
    const parsed = Archived.safeParse(JSON.parse(row));
    if (!parsed.success) continue;
    const { event } = parsed.data;
    // Filed under the key ingest reads, so the customer's events and enrollments share a timeline.
    const user = customerKeyOf(event.detail);
    const turnedAway = rejection(event.detail);
    if (user === undefined) {
      const feedback = classifyFeedback(event.detail);
      if (feedback !== undefined) reports.push({ at: event.time, ...feedback });
      continue;
    }
    // An unknown zone is left out of the profile (it keeps the one it had): so is it here.
    const zone = Zoned.safeParse(event.detail.traits).data?.timezone;
    if (zone !== undefined && isValidTimeZone(zone)) of(user).zone = zone;
    const name = typeof event.detail.event === 'string' ? event.detail.event : event['detail-type'];
    const happened = typeof event.detail.timestamp === 'string' ? event.detail.timestamp : undefined;
    // A rejected event changed nothing (its timestamp may be what was wrong): its reasons replace it.
    const rejected = turnedAway?.startsWith('rejected') === true;
    const when = rejected ? '' : dated(event.time, happened);
    add(user, event.time, `event  ${name}${when}${turnedAway === undefined ? '' : ` — ${turnedAway}`}`);
  }
  const { tasks: activities, skips, refusedOptIns } = await readActivityLog(dataDir);
  // After the events: at one instant the event leads the entries it did not make.
  for (const { at, entrySkipped } of skips) add(entrySkipped.userId, at, describeSkip(entrySkipped));
  for (const { at, optInRefused } of refusedOptIns)
    add(optInRefused.userId, at, describeRefusedOptIn(optInRefused));
  // A task in flight when its execution stops is recorded after the stop: the end line follows it.
  const lastTask = new Map(activities.map((a) => [a.execution, a.at]));
  const goals = new Map<string, string>();
  for (const c of await readConversions(dataDir)) goals.set(c.enrollmentId, c.at);
  const history = await historyReader(dataDir);
  const matches = branchMatches(activities);
  const routes = new Map<string, Route>();
  const userOf = new Map<string, string>();
  for (const record of (await readExecutions(join(dataDir, 'stepfunctions', 'executions.jsonl'))).values()) {
    const input = Enrollment.safeParse(parseJson(record.input)).data;
    if (input === undefined) continue;
    // Without the journey its splits and branches cannot be named: the evaluate answers stand alone.
    const journey = journeys.get(input.journeyId);
    if (journey !== undefined) {
      const where = { journeyId: input.journeyId, journey, buckets: input.buckets };
      const route = routeOf(await history(record.executionArn), where, matches.get(record.name) ?? new Map());
      if (route.visits.length > 0) routes.set(record.name, route);
    }
    userOf.set(record.name, input.userId);
    const how = input.trigger.type === 'segment' ? ' (segment run)' : '';
    add(input.userId, isoOf(record.startDate), `enter  ${input.journeyId}${how}`);
    // A goal with `exit: false` leaves the execution running: the conversion is a line of its own.
    const goalAt = input.enrollmentId === undefined ? undefined : goals.get(input.enrollmentId);
    if (goalAt !== undefined) add(input.userId, goalAt, `goal   ${input.journeyId}: converted`);
    const end = describeEnd(record, input.journeyId);
    if (end === undefined || record.stopDate === undefined) continue;
    const lastMs = Date.parse(lastTask.get(record.name) ?? '');
    const endMs = Math.max(record.stopDate * 1000, Number.isNaN(lastMs) ? 0 : lastMs);
    add(input.userId, new Date(endMs).toISOString(), end);
  }
  const texts = await renderedTexts(dataDir, sesEndpoint);
  const sends = new Map<string, { userId: string; where: string; order: number }>();
  // Each execution's decisions go in among its tasks in the order its history has them.
  const walked = new Map<string, { pos: number; next: number; userId: string }>();
  const flush = (execution: string, upTo: number) => {
    const route = routes.get(execution);
    const walk = walked.get(execution);
    if (route === undefined || walk === undefined) return;
    for (; walk.next < route.decisions.length; walk.next++) {
      const decision = route.decisions[walk.next];
      if (decision === undefined || decision.visit > upTo) break;
      add(walk.userId, decision.at, decision.text);
    }
  };
  for (const activity of activities) {
    const input = TaskInput.safeParse(activity.input).data;
    if (input === undefined) continue;
    const where = `${input.journeyId}/${input.stepId}`;
    const route = routes.get(activity.execution);
    if (route !== undefined) {
      const walk = walked.get(activity.execution) ?? { pos: 0, next: 0, userId: input.userId };
      walked.set(activity.execution, walk);
      const visit = route.visits.indexOf(input.stepId, walk.pos);
      if (visit >= 0) walk.pos = visit;
      flush(activity.execution, walk.pos);
    }
    const journey = journeys.get(input.journeyId);
    // A customer without a zone of their own waits and is deferred in the journey's default zone.
    const zone = of(input.userId).zone ?? journey?.settings.defaultTimezone;
    const text = describeActivity(where, activity, texts, zone, {
      routed: route !== undefined,
      step:
        journey !== undefined && Object.hasOwn(journey.steps, input.stepId)
          ? journey.steps[input.stepId]
          : undefined,
    });
    if (text !== undefined) add(input.userId, activity.at, text);
    const messageId = SendOutput.safeParse(activity.output).data?.messageId;
    if (messageId !== undefined) sends.set(messageId, { userId: input.userId, where, order: sends.size });
  }
  for (const [execution, route] of routes) {
    if (!walked.has(execution)) {
      const userId = userOf.get(execution);
      if (userId === undefined) continue;
      walked.set(execution, { pos: 0, next: 0, userId });
    }
    flush(execution, route.visits.length);
  }
  // Reports at one instant in the order of their sends, not of their arrival on the bus (which
  // concurrent deliveries can swap): the same timeline on every run.
  const placed = reports.flatMap((report) => {
    const send = sends.get(report.messageId);
    return send === undefined ? [] : [{ report, send }];
  });
  placed.sort((a, b) => Date.parse(a.report.at) - Date.parse(b.report.at) || a.send.order - b.send.order);
  for (const { report, send } of placed)
    add(send.userId, report.at, `${report.outcome.padEnd(6)} ${send.where}`);
  // By instant, not text: an event's time has no milliseconds (as EventBridge writes it), and
  // "…09:00:00Z" sorts after "…09:00:00.000Z". Stable: at one instant an event (added first) leads
  // what it caused, and the end line (added before its tasks) goes last.
  for (const { lines } of timelines.values())
    lines.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || Number(isEnd(a)) - Number(isEnd(b)));
  return timelines;
}

/** The journeys of a folder by id (`<id>.json` that parses as a journey); none without a folder. */
async function journeyFiles(journeysDir: string | undefined): Promise<Map<string, Journey>> {
  const journeys = new Map<string, Journey>();
  if (journeysDir === undefined) return journeys;
  const files = await readdir(journeysDir).catch(() => []);
  for (const file of files.filter((f) => f.endsWith('.json'))) {
    const read = await readJsonFile(join(journeysDir, file));
    const parsed = Journey.safeParse(read.ok ? read.value : undefined);
    if (parsed.success && `${parsed.data.id}.json` === file) journeys.set(parsed.data.id, parsed.data);
  }
  return journeys;
}

/** What the timeline knows of an activity's step: its definition, and whether the history tells its route. */
type StepFacts = { step: Step | undefined; routed: boolean };

function describeActivity(
  where: string,
  activity: Activity,
  texts: Map<string, string>,
  zone: string | undefined,
  facts: StepFacts,
): string | undefined {
  const { error, detail } = activity;
  if (error === undefined) {
    const text = describeTask(where, activity.output, texts, facts);
    return text === null ? stepTask(where, activity, facts.step, zone) : text;
  }
  if (!error.startsWith(DEFERRED)) return `error  ${where}: ${error}`;
  // A deferral is the journey working as designed: the send is tried again at that time.
  const until = formatWhen(error.slice(DEFERRED.length), zone);
  return `deferred ${where} until ${until}${zone === undefined ? ' UTC' : ' local'}${detail === undefined ? '' : ` (${detail})`}`;
}

function isEnd(line: TimelineLine): boolean {
  return /^(done|stop|failed|timed_out) /.test(line.text);
}

/** How an enrollment ended (a goal or exit event stops it); undefined while it runs. */
function describeEnd(record: ExecutionRecord, journeyId: string): string | undefined {
  switch (record.status) {
    case 'RUNNING':
      return undefined;
    case 'SUCCEEDED': {
      const failure = stepFailureOf(record.output);
      return `done   ${journeyId}${failure === undefined ? '' : `: ${describeStepFailure(failure)}`}`;
    }
    case 'ABORTED':
      return `stop   ${journeyId}${record.cause === undefined ? '' : `: ${record.cause}`}`;
    default:
      return `${record.status.toLowerCase()} ${journeyId}${record.error === undefined ? '' : `: ${record.error}`}`;
  }
}

/** An event sent long after it happened (an import, a backfill) says when it happened. */
function dated(received: string, happened: string | undefined): string {
  if (happened === undefined || Date.parse(received) - Date.parse(happened) < 86_400_000) return '';
  return ` (happened ${formatWhen(happened)} UTC)`;
}

function isoOf(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString();
}

/** The evaluate function's answer for each branch on the profile, by execution and step, in order. */
function branchMatches(activities: readonly Activity[]): Map<string, Map<string, number[]>> {
  const out = new Map<string, Map<string, number[]>>();
  for (const activity of activities) {
    const input = TaskInput.safeParse(activity.input).data;
    const match = Match.safeParse(activity.output).data;
    if (input === undefined || match === undefined) continue;
    const steps = out.get(activity.execution) ?? new Map<string, number[]>();
    out.set(activity.execution, steps);
    steps.set(input.stepId, [...(steps.get(input.stepId) ?? []), match.match]);
  }
  return out;
}

/** A send or a branch decision; undefined: no line (the history tells it); null: another kind of task. */
function describeTask(
  where: string,
  output: unknown,
  texts: Map<string, string>,
  facts: StepFacts,
): string | null | undefined {
  const send = SendOutput.safeParse(output).data;
  if (send !== undefined) {
    const text = send.messageId === undefined ? undefined : texts.get(send.messageId);
    const detail = send.reason ?? text ?? '';
    return `${send.status.padEnd(6)} ${where}${detail === '' ? '' : ` — ${detail}`}`;
  }
  const match = Match.safeParse(output).data;
  // With the history, the branch line comes from it, with the step it led to.
  if (match !== undefined && facts.routed) return undefined;
  if (match !== undefined) {
    const taken =
      facts.step?.type === 'branch'
        ? branchTaken(facts.step, '', match.match)
        : match.match < 0
          ? 'otherwise'
          : `branch ${match.match + 1}`;
    return `branch ${where}: ${taken}`;
  }
  return null;
}

/**
 * A task of a non-message step, in the step's words where the journey says
 * what it is (the task of the step itself, or a waitForEvent's timeout).
 */
function stepTask(
  where: string,
  activity: Activity,
  step: Step | undefined,
  zone: string | undefined,
): string {
  const role = activity.state.includes('.') ? activity.state.slice(activity.state.indexOf('.') + 1) : '';
  const until = z.object({ at: z.string() }).safeParse(activity.output).data?.at;
  if (step?.type === 'wait' && role === '' && until !== undefined)
    return `wait   ${where} until ${formatWhen(until, zone)}${zone === undefined ? ' UTC' : ' local'}`;
  if (step?.type === 'updateProfile' && role === '') return `update ${where}: profile updated`;
  if (step?.type === 'emit' && role === '') return `emit   ${where}: ${step.event}`;
  if (step?.type === 'waitForEvent' && role === 'timedOut')
    return `timeout ${where}: no ${step.event} in time`;
  return `task   ${where}${role === '' ? '' : ` (${role})`}`;
}

async function renderedTexts(dataDir: string, sesEndpoint: string | undefined): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  for (const m of await readOutbox(dataDir)) {
    texts.set(
      m.messageId,
      `${m.channel} to ${m.to}: ${m.title === undefined ? '' : `${m.title} — `}${m.body}`,
    );
  }
  if (sesEndpoint === undefined) return texts;
  for (const email of await storedEmails(sesEndpoint, dataDir)) {
    texts.set(
      email.messageId,
      `email "${email.subject ?? ''}": ${emailText(email.body).replace(/\s+/g, ' ').slice(0, 160)}`,
    );
  }
  return texts;
}

/** The emulator keeps SendEmail's content under `body`; an HTML-only message is shown without its tags. */
function emailText(body: { text?: string; html?: string } | undefined): string {
  if (body?.text !== undefined) return body.text;
  return (body?.html ?? '').replace(/<[^>]*>/g, ' ');
}
