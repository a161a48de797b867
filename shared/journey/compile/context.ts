import type { ChoiceBranch } from '../../conditions/choice.ts';
import { pathSegments } from '../../conditions/path.ts';
import { CONTRACT_VERSION } from '../../tasks/version.ts';
import { type Journey, STEP_ID, type Step } from '../schema.ts';
import type { Json, JsonObject, State } from './asl.ts';
import type { Bindings } from './bindings.ts';
import { referencePath } from './reference-path.ts';

/** What a step renderer knows besides its own step. */
export type RenderContext = {
  journey: Journey;
  bindings: Bindings;
  /** True when every path to the step passed an awaited event (`$.event` is surely set). */
  hasEvent: (stepId: string) => boolean;
  /** The Choice a step compiles to when it is nothing but a Choice (a data-only branch, a split). */
  choiceOf: (stepId: string) => { Choices: ChoiceBranch[]; Default: string } | undefined;
  /** True when the step is on a loop: an enrollment may visit it more than once. */
  onLoop: (stepId: string) => boolean;
  /** True for a waitForEvent an answered wait for the same event may precede (`$.event.messageId` is read). */
  afterAnswer: (stepId: string) => boolean;
};

/** The states of one step, its own state (named after the step id) first. */
export type Rendered = [name: string, state: State][];

export type StepRenderer<S extends Step> = (id: string, step: S, ctx: RenderContext) => Rendered;

/** Names of the helper states of a step: derived from the step id, never clashing with one (ids have no '.'). */
export const stateName = {
  deferred: (id: string) => `${id}.deferred`,
  defer: (id: string) => `${id}.defer`,
  failed: (id: string) => `${id}.failed`,
  countFailure: (id: string) => `${id}.countFailure`,
  exhausted: (id: string) => `${id}.exhausted`,
  send: (id: string) => `${id}.send`,
  at: (id: string) => `${id}.at`,
  route: (id: string) => `${id}.route`,
  timedOut: (id: string) => `${id}.timedOut`,
  set: (id: string) => `${id}.set`,
  unset: (id: string) => `${id}.unset`,
} as const;

/**
 * The step a compiled state belongs to: `<stepId>` or `<stepId>.<role>`;
 * undefined for a journey-level state such as the context entry state.
 */
export function stepOfState(name: string): string | undefined {
  const step = name.split('.')[0] ?? name;
  return STEP_ID.test(step) ? step : undefined;
}

/** The fields every task input carries (shared/tasks.ts): contract version and who/where. */
export function taskBase(ctx: RenderContext, stepId: string): JsonObject {
  return {
    v: CONTRACT_VERSION,
    journeyId: ctx.journey.id,
    'journeyVersion.$': '$.journeyVersion',
    'enrollmentId.$': '$.enrollmentId',
    'userId.$': '$.userId',
    stepId,
  };
}

/** The trigger, and the last awaited event when the step surely has one. */
export function eventData(ctx: RenderContext, stepId: string): JsonObject {
  return ctx.hasEvent(stepId)
    ? { 'trigger.$': '$.trigger', 'event.$': '$.event' }
    : { 'trigger.$': '$.trigger' };
}

/** The Reference Path of a `trigger.*`, `event.*` or `context.*` path in the execution state. */
export function executionPath(path: string): string {
  const [root, ...rest] = pathSegments(path);
  if (root !== 'trigger' && root !== 'event' && root !== 'context') {
    throw new Error(`${path}: only trigger.*, event.* and context.* values are carried in the execution`);
  }
  return referencePath(`$.${root}`, rest);
}

/** The journey context for a task input, when the journey declares one (it is always set then). */
export function contextData(ctx: RenderContext): JsonObject {
  return hasContext(ctx.journey) ? { 'context.$': '$.context' } : {};
}

/** True when the journey declares context variables (then `$.context` is set from the first state on). */
export function hasContext(journey: Journey): boolean {
  return Object.keys(journey.context ?? {}).length > 0;
}

/** The object without its undefined fields (JSON has no undefined). */
export function compact(fields: { [key: string]: Json | undefined }): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return out;
}
