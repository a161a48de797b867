import { durationSeconds, MAX_EXECUTION_SECONDS } from '../../time.ts';
import { dataBranchChoice } from '../compile/branch.ts';
import { cyclicComponents, type Edge, edgesOf } from '../graph.ts';
import type { Step } from '../schema.ts';
import { type Violation, violation } from '../violations.ts';
import type { CheckContext } from './context.ts';

/** Step Functions fails a Standard execution whose history reaches this many events. */
export const MAX_HISTORY_EVENTS = 25_000;

/** The error and cause of an execution Step Functions failed because its history was full. */
export const HISTORY_FULL = {
  error: 'States.Runtime',
  cause: `The execution reached the maximum number of history events (${MAX_HISTORY_EVENTS}).`,
} as const;

/**
 * History events Step Functions records for one state on the way through, as
 * AWS counts them: a Wait, Pass or Choice is entered and exited (2); a Task
 * that runs a Lambda function adds its scheduled, started and succeeded
 * events (LambdaFunction* for a function ARN, Task* for an integration such as
 * events:putEvents or http:invoke: 5); a `.waitForTaskToken` Task also records
 * TaskSubmitted once the function has returned (6), and one that times out
 * records TaskTimedOut in place of TaskSucceeded (6).
 */
const EVENTS = { flow: 2, task: 5, tokenTask: 6 } as const;

/**
 * History events one visit of a compiled state adds, counted as
 * {@link EVENTS} does: what a run of the state machine adds up against
 * {@link MAX_HISTORY_EVENTS}.
 */
export function stateHistoryEvents(state: { Type: string; Resource?: string }): number {
  if (state.Type !== 'Task') return EVENTS.flow;
  return state.Resource?.endsWith('.waitForTaskToken') === true ? EVENTS.tokenTask : EVENTS.task;
}

/**
 * History events one visit of the step adds at the least, counted on the
 * states the compiler emits for a step on a loop (see compile/*):
 * a message enters a visit (a Pass) then sends (a Lambda Task), with an
 * outcome a Choice after; a wait on a profile date or a window computes the
 * instant (a Lambda Task) then waits; a waitForEvent the clock moves on is a
 * token Task that times out, then a Lambda Task that settles it; a branch on
 * the profile asks the evaluate function, then routes (a Choice); a webhook
 * is an http:invoke Task (its response mapping, when it has one, is not counted).
 */
function historyEvents(step: Step | undefined): number {
  const { flow, task, tokenTask } = EVENTS;
  switch (step?.type) {
    case 'email':
    case 'sms':
    case 'push':
      return flow + task + (step.onOutcome === undefined ? 0 : flow);
    case 'wait':
      return step.untilDate === undefined &&
        step.window === undefined &&
        !(step.until !== undefined && step.for !== undefined)
        ? flow
        : task + flow;
    case 'waitForEvent':
      return tokenTask + task;
    case 'branch':
      return dataBranchChoice(step) === undefined ? task + flow : flow;
    case 'webhook':
    case 'updateProfile':
    case 'emit':
      return task;
    default:
      return flow;
  }
}

/**
 * Seconds the clock surely moves when a customer leaves `step` along `edge`;
 * `undefined` for an edge a customer's own event takes (a `waitForEvent`'s
 * `onEvent`): how often that comes round is the customer's, not the journey's.
 */
function edgeSeconds(step: Step, edge: Edge): number | undefined {
  if (step.type === 'wait') return step.for === undefined ? 0 : (durationSeconds(step.for) ?? 0);
  if (step.type !== 'waitForEvent') return 0;
  return edge.field[0] === 'onEvent' ? undefined : (durationSeconds(step.timeout) ?? 0);
}

function isTimed(step: Step | undefined): boolean {
  return step?.type === 'wait' || step?.type === 'waitForEvent';
}

type Round = { seconds: number; path: string[] };

/** The edges inside a loop the clock can take, each with the seconds it surely takes. */
type Arcs = Map<string, { to: string; seconds: number }[]>;

function arcsOf(members: ReadonlySet<string>, steps: Readonly<Record<string, Step>>): Arcs {
  const arcs: Arcs = new Map();
  for (const id of members) {
    const step = steps[id];
    if (step === undefined) continue;
    const out: { to: string; seconds: number }[] = [];
    for (const edge of edgesOf(step)) {
      const seconds = edgeSeconds(step, edge);
      if (seconds !== undefined && members.has(edge.to)) out.push({ to: edge.to, seconds });
    }
    arcs.set(id, out);
  }
  return arcs;
}

/** The fastest way round from `from` back to it inside `members`, on the clock alone (Dijkstra). */
function fastestRound(from: string, arcs: Arcs): Round | undefined {
  const seconds = new Map<string, number>([[from, 0]]);
  const previous = new Map<string, string>();
  const queue = new MinQueue();
  queue.push(0, from);
  let back: { seconds: number; last: string } | undefined;
  for (let item = queue.pop(); item !== undefined; item = queue.pop()) {
    const [at, id] = item;
    if (at > (seconds.get(id) ?? Number.POSITIVE_INFINITY)) continue;
    if (back !== undefined && at >= back.seconds) break;
    for (const arc of arcs.get(id) ?? []) {
      const total = at + arc.seconds;
      if (arc.to === from) {
        if (back === undefined || total < back.seconds) back = { seconds: total, last: id };
      } else if (total < (seconds.get(arc.to) ?? Number.POSITIVE_INFINITY)) {
        seconds.set(arc.to, total);
        previous.set(arc.to, id);
        queue.push(total, arc.to);
      }
    }
  }
  if (back === undefined) return undefined;
  const path = [back.last];
  for (let id = previous.get(back.last); id !== undefined; id = previous.get(id)) path.unshift(id);
  return { seconds: back.seconds, path };
}

/** A binary heap of (seconds, step id), smallest first. */
class MinQueue {
  private readonly items: [number, string][] = [];

  push(key: number, id: string): void {
    const items = this.items;
    items.push([key, id]);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const [a, b] = [items[parent], items[i]];
      if (a === undefined || b === undefined || a[0] <= b[0]) break;
      [items[parent], items[i]] = [b, a];
      i = parent;
    }
  }

  pop(): [number, string] | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    items[0] = last;
    let i = 0;
    for (;;) {
      const [l, r] = [2 * i + 1, 2 * i + 2];
      let smallest = i;
      if ((items[l]?.[0] ?? Number.POSITIVE_INFINITY) < (items[smallest]?.[0] ?? 0)) smallest = l;
      if ((items[r]?.[0] ?? Number.POSITIVE_INFINITY) < (items[smallest]?.[0] ?? 0)) smallest = r;
      if (smallest === i) return top;
      const [a, b] = [items[i], items[smallest]];
      if (a === undefined || b === undefined) return top;
      [items[i], items[smallest]] = [b, a];
      i = smallest;
    }
  }
}

/**
 * A loop the clock drives (its waits end, it goes round) adds history events
 * on every round; an execution that reaches 25,000 fails, however long its
 * year still had to run. A warning: the customer may leave the loop long
 * before (a trait counted and branched on, a goal), which no check can know.
 * Loops with no wait are refused elsewhere; a loop that goes round only on
 * the customer's own events is left alone.
 */
export function loopHistoryWarnings({ steps }: CheckContext): Violation[] {
  const found: Violation[] = [];
  for (const component of cyclicComponents(Object.keys(steps), steps)) {
    const arcs = arcsOf(new Set(component), steps);
    let fastest: Round | undefined;
    // A round the clock drives passes a wait: start from those only.
    for (const id of component.filter((id) => isTimed(steps[id]))) {
      const round = fastestRound(id, arcs);
      if (round !== undefined && (fastest === undefined || round.seconds < fastest.seconds)) fastest = round;
    }
    if (fastest === undefined || fastest.seconds <= 0) continue;
    const perRound = fastest.path.reduce((n, id) => n + historyEvents(steps[id]), 0);
    const rounds = Math.floor(MAX_HISTORY_EVENTS / perRound);
    if (rounds * fastest.seconds >= MAX_EXECUTION_SECONDS) continue;
    const days = Math.floor((rounds * fastest.seconds) / 86_400);
    // Named in the order a customer goes round, from the first id, so the same loop reads the same.
    const first = fastest.path.indexOf([...fastest.path].sort()[0] ?? '');
    const loop = [...fastest.path.slice(first), ...fastest.path.slice(0, first)];
    found.push(
      violation(
        ['steps', loop[0] ?? ''],
        'loop.history',
        `The loop ${named(loop)} can go round every ${roundTime(fastest.seconds)}; an execution keeps at most ${MAX_HISTORY_EVENTS.toLocaleString('en-US')} history events, which this loop fills in ${days < 1 ? 'less than a day' : `about ${days} day${days === 1 ? '' : 's'}`} (${rounds.toLocaleString('en-US')} rounds): a customer still in it then fails. Wait longer in the loop, or leave it after a number of rounds (increment a trait and branch on it).`,
      ),
    );
  }
  return found;
}

/** The loop's steps in order, the first eight of a longer one. */
function named(loop: readonly string[]): string {
  const shown = loop.slice(0, 8).map((id) => `"${id}"`);
  if (loop.length > 8) shown.push(`… (${loop.length} steps)`);
  return shown.join(' → ');
}

function roundTime(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} day${seconds === 86_400 ? '' : 's'}`;
  if (seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? '' : 's'}`;
  if (seconds % 60 === 0) return `${seconds / 60} minute${seconds === 60 ? '' : 's'}`;
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}
