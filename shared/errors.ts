/**
 * One registry of error names: handlers throw these, the compiler matches
 * them in Retry and Catch. Step Functions sees a Lambda error by its `name`.
 */
export const ErrorName = {
  /** A provider or table throttled us: retry with backoff. */
  Throttled: 'Journeys.Throttled',
  /** A transient failure (timeout, 5xx): retry with backoff. */
  Transient: 'Journeys.Transient',
  /** The message cannot be delivered (rejected address, provider refusal): follow the failure policy. */
  DeliveryFailed: 'Journeys.DeliveryFailed',
  /** The template failed to render (missing variable, syntax): follow the failure policy. */
  TemplateFailed: 'Journeys.TemplateFailed',
  /**
   * A send whose provider may or may not have accepted the message (a 5xx or
   * a timeout after the request went out). Recorded as "outcome unknown";
   * retried only by a step with `onUnknown: "retry"`.
   */
  OutcomeUnknown: 'Journeys.OutcomeUnknown',
  /** A task received input it cannot handle (contract version, shape): follow the failure policy. */
  InvalidInput: 'Journeys.InvalidInput',
  /**
   * A value on the profile cannot serve the step (a date to wait for is
   * missing, a trait to increment is not a number): follow the failure policy.
   */
  ProfileValue: 'Journeys.ProfileValue',
  /**
   * Not a failure: the message must wait (quiet hours, a frequency cap). The
   * message is the ISO timestamp to try again at. Signalled as an error so a
   * message that goes out costs one state transition, not two.
   */
  Deferred: 'Journeys.Deferred',
  /**
   * The failure path of a send met an attempt still holding the send's claim:
   * its outcome is not final yet. The compiled journey counts again after the
   * claim's lease, so that outcome is counted (or settled as unknown), never lost.
   */
  SendInProgress: 'Journeys.SendInProgress',
} as const;
export type ErrorName = (typeof ErrorName)[keyof typeof ErrorName];

/** Errors worth retrying, ours and those the Lambda service reports. */
export const RETRYABLE_ERRORS = [
  ErrorName.Throttled,
  ErrorName.Transient,
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

/**
 * How Step Functions reports a Lambda invocation that died (timeout, out of
 * memory) without returning: the send-message task is revisited once, after
 * its claim's lease, so the delivery record is settled rather than left "sending".
 */
export const LAMBDA_CRASH_ERRORS = ['Lambda.Unknown', 'Sandbox.Timedout'] as const;

/** Errors that will not succeed on retry: the step's failure policy applies. */
export const PERMANENT_ERRORS = [
  ErrorName.DeliveryFailed,
  ErrorName.TemplateFailed,
  ErrorName.InvalidInput,
  ErrorName.ProfileValue,
] as const;

/**
 * The stats metric that counts a step's failures of one kind: bounded,
 * because error names come from this registry (anything else counts as
 * `failed.other`).
 */
export function failureMetric(errorName: string): string {
  const known = Object.entries(ErrorName).find(([, name]) => name === errorName);
  if (known !== undefined) return `failed.${known[0]}`;
  const family = SERVICE_FAILURES.find(([prefix]) => errorName.startsWith(prefix));
  return `failed.${family === undefined ? 'other' : family[1]}`;
}

/** Errors Step Functions or a service integration raise, by the kind a marketer reads. */
const SERVICE_FAILURES: readonly (readonly [prefix: string, kind: string])[] = [
  // events:putEvents: the bus refused an entry (FailedEntry) or the call failed.
  ['EventBridge.', 'EventBus'],
  ['States.Timeout', 'Timeout'],
  ['Lambda.', 'Function'],
  ['Sandbox.', 'Function'],
];

/** Base of the named errors; `name` is what Step Functions matches. */
export class JourneyError extends Error {
  constructor(
    override readonly name: ErrorName,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export class ThrottledError extends JourneyError {
  constructor(message: string) {
    super(ErrorName.Throttled, message, true);
  }
}
export class TransientError extends JourneyError {
  constructor(message: string) {
    super(ErrorName.Transient, message, true);
  }
}
export class DeliveryFailedError extends JourneyError {
  constructor(message: string) {
    super(ErrorName.DeliveryFailed, message, false);
  }
}
/**
 * A message refused for its recipient alone (a dead push token, a number the
 * carrier cannot reach, an address no mail server takes): the customer's
 * data, counted as failed, not a fault of the account or the code.
 */
export class RecipientRefusedError extends DeliveryFailedError {}

/**
 * A message the provider refused because its recipient opted out of this
 * sender (an SMS number that replied STOP): a delivery failure, and a consent
 * change the send records so later messages are not tried again.
 */
export class OptedOutError extends RecipientRefusedError {
  constructor(message: string) {
    super(`the recipient opted out of messages from this sender (a STOP reply): ${message}`);
  }
}
export class OutcomeUnknownError extends JourneyError {
  constructor(message: string) {
    super(ErrorName.OutcomeUnknown, message, false);
  }
}
export class TemplateFailedError extends JourneyError {
  constructor(message: string) {
    super(ErrorName.TemplateFailed, message, false);
  }
}
export class ProfileValueError extends JourneyError {
  constructor(message: string) {
    super(ErrorName.ProfileValue, message, false);
  }
}

/**
 * A send an earlier attempt made fail for good, met again (a retry that wrote
 * the count the failure still owed, or a duplicate invocation): it ends the
 * same way, under the same name, so the step takes its failure policy.
 */
export class RecordedFailureError extends JourneyError {
  constructor(name: ErrorName, message: string) {
    super(name, message, false);
  }
}

/** Errors Step Functions itself raises, matched in Retry and Catch. */
export const StatesError = {
  /** A Task's TimeoutSeconds expired (a waitForEvent step's timeout). */
  Timeout: 'States.Timeout',
  /** Any Task failure but a timeout (e.g. retries of a transient error are exhausted). */
  TaskFailed: 'States.TaskFailed',
  /** Every error: a catcher or retrier naming it comes last, alone in its ErrorEquals. */
  All: 'States.ALL',
  /**
   * A state's input or output, or a Task's result, past the 256 KB payload quota. A terminal error:
   * neither `States.ALL` nor `States.TaskFailed` catches it, only a catcher that names it.
   */
  DataLimitExceeded: 'States.DataLimitExceeded',
  /** A failure Step Functions cannot process (a path not found in the input): never retried, never caught. */
  Runtime: 'States.Runtime',
} as const;

/** Errors of the EventBridge integration (`events:putEvents`) worth retrying; FailedEntry is a throttled or failed entry. */
export const EVENTBRIDGE_RETRYABLE_ERRORS = [
  'EventBridge.FailedEntry',
  'EventBridge.ThrottlingException',
  'EventBridge.InternalException',
] as const;

/** The failure path of a send met an attempt that still holds its claim, until `until`. */
export class SendInProgressError extends JourneyError {
  constructor(until: string) {
    super(ErrorName.SendInProgress, `an attempt of this send holds it until ${until}`, true);
  }
}

/** A send that must wait until `until` (ISO timestamp); the compiled journey waits and tries again. */
export class DeferredError extends JourneyError {
  constructor(readonly until: string) {
    super(ErrorName.Deferred, until, false);
  }
}
