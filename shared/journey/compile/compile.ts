import type { ChoiceBranch } from '../../conditions/choice.ts';
import { cyclicComponents, reachableFrom } from '../graph.ts';
import type { Journey, Step } from '../schema.ts';
import { type Asl, type State, successors } from './asl.ts';
import { type Bindings, PLACEHOLDER_BINDINGS } from './bindings.ts';
import { dataBranchChoice, renderBranch } from './branch.ts';
import type { RenderContext, Rendered } from './context.ts';
import { renderEmit } from './emit.ts';
import { renderExit } from './exit.ts';
import { stepsWithEvent, waitsAfterAnswer } from './flow.ts';
import { renderMessage } from './message.ts';
import { renderSplit, splitChoice } from './split.ts';
import { CONTEXT_INIT_STATE, renderContextInit, renderUpdateContext } from './update-context.ts';
import { renderUpdateProfile } from './update-profile.ts';
import { renderWait } from './wait.ts';
import { NO_ANSWER_STATE, renderNoAnswer, renderWaitForEvent } from './wait-for-event.ts';
import { renderWebhook } from './webhook.ts';

function assertNever(value: never): never {
  throw new Error(`Unknown step type: ${JSON.stringify(value)}`);
}

function renderStep(id: string, step: Step, ctx: RenderContext): Rendered {
  switch (step.type) {
    case 'email':
    case 'sms':
    case 'push':
      return renderMessage(id, step, ctx);
    case 'wait':
      return renderWait(id, step, ctx);
    case 'waitForEvent':
      return renderWaitForEvent(id, step, ctx);
    case 'branch':
      return renderBranch(id, step, ctx);
    case 'split':
      return renderSplit(id, step, ctx);
    case 'updateProfile':
      return renderUpdateProfile(id, step, ctx);
    case 'emit':
      return renderEmit(id, step, ctx);
    case 'updateContext':
      return renderUpdateContext(id, step, ctx);
    case 'webhook':
      return renderWebhook(id, step, ctx);
    case 'exit':
      return renderExit(id, step, ctx);
    default:
      return assertNever(step);
  }
}

/** The Choice a step is when it is nothing but a Choice, so a preceding message's Choice can take it over. */
function choiceOf(journey: Journey, id: string): { Choices: ChoiceBranch[]; Default: string } | undefined {
  const step = journey.steps[id];
  if (step?.type === 'branch') return dataBranchChoice(step);
  if (step?.type === 'split') return splitChoice(id, step);
  return undefined;
}

/** Keeps the states reachable from `start`, in rendering order (a Choice taken over may be left unreached). */
function reachableStates(start: string, states: ReadonlyMap<string, State>): Record<string, State> {
  const seen = new Set<string>();
  const queue = [start];
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    const state = states.get(name);
    if (seen.has(name) || state === undefined) continue;
    seen.add(name);
    queue.push(...successors(state));
  }
  const out: Record<string, State> = {};
  for (const [name, state] of states) if (seen.has(name)) out[name] = state;
  return out;
}

/**
 * Compiles a valid journey to an Amazon States Language definition: pure and
 * deterministic (the same journey and bindings give byte-identical JSON),
 * state names derived from step ids, JSONPath only, and no state that does
 * no work — Step Functions bills every transition.
 *
 * @param journey - a parsed journey that passed graph validation
 * @param bindings - the resources the definition names; `${...}` placeholders by default
 */
export function compile(journey: Journey, bindings: Bindings = PLACEHOLDER_BINDINGS): Asl {
  const reachable = reachableFrom(journey.start, journey.steps);
  const withEvent = stepsWithEvent(journey, reachable);
  const onLoop = new Set(cyclicComponents(reachable, journey.steps).flat());
  const afterAnswer = waitsAfterAnswer(journey, reachable);
  const ctx: RenderContext = {
    journey,
    bindings,
    hasEvent: (id) => withEvent.has(id),
    choiceOf: (id) => choiceOf(journey, id),
    onLoop: (id) => onLoop.has(id),
    afterAnswer: (id) => afterAnswer.has(id),
  };
  const states = new Map<string, State>(renderContextInit(journey));
  for (const id of reachable) {
    const step = journey.steps[id];
    if (step === undefined) continue;
    for (const [name, state] of renderStep(id, step, ctx)) states.set(name, state);
  }
  let startAt = states.has(CONTEXT_INIT_STATE) ? CONTEXT_INIT_STATE : journey.start;
  // A wait that may follow an answered one, but not on every path, reads `$.event.messageId`: set it first.
  if ([...afterAnswer].some((id) => !withEvent.has(id))) {
    states.set(NO_ANSWER_STATE, renderNoAnswer(startAt));
    startAt = NO_ANSWER_STATE;
  }
  return {
    Comment: `Journey ${journey.id}: ${journey.name}`,
    StartAt: startAt,
    States: reachableStates(startAt, states),
  };
}
