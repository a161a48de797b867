/**
 * What a step's failure counters (`failed.<kind>`, errors.ts failureMetric)
 * mean to a marketer: one table for the text report, the page and the JSON.
 * A kind missing from it (counted by a newer release) is shown by its name.
 */

const LABELS: ReadonlyMap<string, string> = new Map([
  ['Throttled', 'throttled past its retries'],
  ['Transient', 'a temporary error past its retries'],
  ['DeliveryFailed', 'the provider refused the message'],
  ['TemplateFailed', 'the template could not be rendered'],
  ['OutcomeUnknown', 'the provider may or may not have taken it'],
  ['InvalidInput', 'the step could not use its input'],
  ['ProfileValue', 'a profile value could not serve the step (missing, or of another type)'],
  ['Deferred', 'put off past its retries'],
  ['SendInProgress', 'an earlier attempt was still sending'],
  ['EventBus', 'the event bus refused the event'],
  ['Timeout', 'the step timed out'],
  ['Function', 'the function stopped (timeout, out of memory, service error)'],
  ['other', 'another error'],
]);

const PREFIX = 'failed.';

/** The kind a counter names (`failed.ProfileValue` → `ProfileValue`), or undefined for any other metric. */
export function failureKind(metric: string): string | undefined {
  return metric.startsWith(PREFIX) ? metric.slice(PREFIX.length) : undefined;
}

/** What a marketer reads for a failure kind: its words, or the kind itself when it has none. */
export function failureLabel(kind: string): string {
  return LABELS.get(kind) ?? kind;
}
