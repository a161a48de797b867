import type { StateMachineDefinition } from 'aws-local-stepfunctions';

type AnyState = StateMachineDefinition['States'][string];
type TaskLike = Extract<AnyState, { Type: 'Task' }>;
type WaitLike = Extract<AnyState, { Type: 'Wait' }>;
type Retrier = NonNullable<TaskLike['Retry']>[number];
type Catcher = NonNullable<TaskLike['Catch']>[number];

/** The resource of the stand-in Task that replaces each Wait state locally. */
export const LOCAL_WAIT_RESOURCE = 'arn:aws:lambda:us-east-1:000000000000:function:journeys-local-wait';

/**
 * The interpreter's own Task timer; ours runs instead (on the runner's clock, and past 24.8
 * days), so the interpreter's is pushed to the largest value setTimeout takes.
 */
const INTERPRETER_TASK_TIMEOUT = 2_147_483;

/** What the runner needs to know about one Task state of the original definition. */
export type TaskInfo = { resource: string; timeoutSeconds?: number; waitsForToken: boolean };

export type LocalDefinition = {
  /** The definition the interpreter runs: Waits turned into stand-in Tasks, Task timeouts lifted. */
  definition: StateMachineDefinition;
  /** Original state types by name: visited paths report these. */
  stateTypes: ReadonlyMap<string, AnyState['Type']>;
  tasks: ReadonlyMap<string, TaskInfo>;
  waits: ReadonlySet<string>;
  /** The retriers of each state that has any, by state name: the runner times retries itself. */
  retriers: ReadonlyMap<string, Retrier[]>;
  /** The catchers of each state that has any, by state name: the runner tells the interpreter which errors they take. */
  catchers: ReadonlyMap<string, Catcher[]>;
};

/**
 * Prepares a definition for the local interpreter. A Wait becomes a Task on a
 * local sleep (same name, same InputPath/OutputPath/Next, result discarded) so
 * that Timestamp and TimestampPath waits obey the time scale; the number of
 * states entered is unchanged.
 */
export function localDefinition(original: StateMachineDefinition): LocalDefinition {
  const states: Record<string, AnyState> = {};
  const stateTypes = new Map<string, AnyState['Type']>();
  const tasks = new Map<string, TaskInfo>();
  const waits = new Set<string>();
  const retriers = new Map<string, Retrier[]>();
  const catchers = new Map<string, Catcher[]>();
  for (const [name, state] of Object.entries(original.States)) {
    stateTypes.set(name, state.Type);
    if (state.Type === 'Wait') {
      waits.add(name);
      states[name] = waitAsTask(state);
      continue;
    }
    if (state.Type === 'Task') {
      tasks.set(name, taskInfo(state));
      states[name] = { ...state, TimeoutSeconds: INTERPRETER_TASK_TIMEOUT };
    } else {
      states[name] = state;
    }
    if ('Retry' in state && state.Retry !== undefined) {
      retriers.set(name, state.Retry);
    }
    if ('Catch' in state && state.Catch !== undefined) {
      catchers.set(name, state.Catch);
    }
  }
  return { definition: { ...original, States: states }, stateTypes, tasks, waits, retriers, catchers };
}

function taskInfo(state: TaskLike): TaskInfo {
  return {
    resource: state.Resource,
    waitsForToken: state.Resource.endsWith('.waitForTaskToken'),
    ...(state.TimeoutSeconds === undefined ? {} : { timeoutSeconds: state.TimeoutSeconds }),
  };
}

function waitAsTask(state: WaitLike): AnyState {
  const { Type: _type, Seconds, Timestamp, SecondsPath, TimestampPath, ...rest } = state;
  let parameters: Record<string, string | number> = { seconds: 0 };
  if (Seconds !== undefined) parameters = { seconds: Seconds };
  else if (Timestamp !== undefined) parameters = { timestamp: Timestamp };
  else if (SecondsPath !== undefined) parameters = { 'seconds.$': SecondsPath };
  else if (TimestampPath !== undefined) parameters = { 'timestamp.$': TimestampPath };
  return {
    ...rest,
    Type: 'Task',
    Resource: LOCAL_WAIT_RESOURCE,
    Parameters: parameters,
    ResultPath: null,
    TimeoutSeconds: INTERPRETER_TASK_TIMEOUT,
  };
}
