import type { ChoiceBranch } from '../../conditions/choice.ts';

/**
 * Typed Amazon States Language, the subset the compiler emits (JSONPath
 * flavour only: the offline interpreter silently ignores JSONata).
 */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Where a state goes next: `Next`, or `End` for a terminal Task/Pass. */
type Transition = { Next: string } | { End: true };

export type Retrier = {
  ErrorEquals: string[];
  IntervalSeconds: number;
  MaxAttempts: number;
  BackoffRate: number;
  JitterStrategy?: 'FULL' | 'NONE';
};

export type Catcher = { ErrorEquals: string[]; Next: string; ResultPath: string };

export type TaskState = {
  Type: 'Task';
  Comment?: string;
  Resource: string;
  Parameters: JsonObject;
  ResultSelector?: JsonObject;
  ResultPath: string | null;
  TimeoutSeconds?: number;
  Retry?: Retrier[];
  Catch?: Catcher[];
} & Transition;

export type ChoiceState = {
  Type: 'Choice';
  Comment?: string;
  Choices: ChoiceBranch[];
  Default: string;
};

export type WaitState = {
  Type: 'Wait';
  Comment?: string;
  Next: string;
} & ({ Seconds: number } | { Timestamp: string } | { TimestampPath: string });

/** A Pass writes a constant (`Result`) or data it reshapes (`Parameters`) at `ResultPath`. */
export type PassState = {
  Type: 'Pass';
  Comment?: string;
  ResultPath: string;
} & ({ Result: JsonObject } | { Parameters: JsonObject }) &
  Transition;

type SucceedState = { Type: 'Succeed'; Comment?: string };

export type State = TaskState | ChoiceState | WaitState | PassState | SucceedState;

/** A state machine definition. States are listed in a stable order (the output is byte-deterministic). */
export type Asl = {
  Comment: string;
  StartAt: string;
  States: Record<string, State>;
};

/** The state names a state can go to next, in its own order. */
export function successors(state: State): string[] {
  switch (state.Type) {
    case 'Choice':
      return [...state.Choices.map((c) => c.Next), state.Default];
    case 'Task':
      return [...('Next' in state ? [state.Next] : []), ...(state.Catch ?? []).map((c) => c.Next)];
    case 'Wait':
      return [state.Next];
    case 'Pass':
      return 'Next' in state ? [state.Next] : [];
    case 'Succeed':
      return [];
  }
}
