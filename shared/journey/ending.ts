import * as z from '#shared/zod.ts';

/**
 * A step that failed under the failure policy `exit` ends its enrollment
 * through a Pass state that records `$.exit = { stepId, reason, error }`
 * (compile/failure.ts), with the caught error left in `$.failure`. The
 * execution then SUCCEEDED like one that ran to an exit step; this reads
 * the difference back from the execution output, so every surface that says
 * how an enrollment ended (scenario outcome, timeline, trace, console,
 * status) says the customer left because that step failed.
 */
export type StepFailure = {
  stepId: string;
  /** The error's name (`Journeys.ProfileValue`, `States.Timeout`). */
  error: string;
  /** What the failed task said, when it said anything. */
  cause?: string;
};

/** The most of a failure's message an ending shows. */
const CAUSE_CHARS = 300;

const FailedExit = z.object({
  exit: z.object({ stepId: z.string(), error: z.string() }),
  failure: z.optional(z.object({ Cause: z.optional(z.string()) })),
});
const LambdaCause = z.object({ errorMessage: z.string() });

/** The step failure that ended an execution, from its output (JSON text); undefined for any other end. */
export function stepFailureOf(output: string | undefined): StepFailure | undefined {
  const parsed = FailedExit.safeParse(parseJson(output)).data;
  if (parsed === undefined) return undefined;
  const cause = causeText(parsed.failure?.Cause);
  return {
    stepId: parsed.exit.stepId,
    error: parsed.exit.error,
    ...(cause === undefined ? {} : { cause }),
  };
}

/**
 * `left because wait-renewal failed (Journeys.ProfileValue: profile.traits.renewalDate has no value)`;
 * `at` (` Mon 02 Mar 09:00`) goes after "left".
 */
export function describeStepFailure(f: StepFailure, at = ''): string {
  return `left${at} because ${f.stepId} failed (${f.error}${f.cause === undefined ? '' : `: ${f.cause}`})`;
}

/** A Lambda's cause is its error as JSON: its message reads better; any other cause is kept as said. */
function causeText(cause: string | undefined): string | undefined {
  if (cause === undefined || cause.trim() === '') return undefined;
  const text = LambdaCause.safeParse(parseJson(cause)).data?.errorMessage ?? cause;
  return text.length > CAUSE_CHARS ? `${text.slice(0, CAUSE_CHARS)}…` : text;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
