import type * as z from 'zod';

/** One problem in a journey: where it is, a stable code, and a sentence a marketer understands. */
export type Violation = {
  /** Where, as a dotted path into the journey file: `steps.wait-order.onTimeout`, `steps.ab.variants[2].weight`. */
  path: string;
  /** A stable machine-readable kind, e.g. `next.dangling`. */
  code: ViolationCode;
  message: string;
};

export type ViolationCode =
  | 'json.invalid'
  | 'schema.invalid'
  | 'start.dangling'
  | 'next.dangling'
  | 'step.unreachable'
  | 'path.never-ends'
  | 'cycle.no-wait'
  | 'split.weights'
  | 'split.duplicate-variant'
  | 'template.missing'
  | 'template.channel'
  | 'template.invalid'
  | 'wait.too-long'
  | 'wait.window'
  | 'timezone.unknown'
  | 'quiet-hours.malformed'
  | 'trigger.field'
  | 'value.source'
  | 'history.window'
  | 'settings.dates'
  | 'update.overlap';

/** Formats path segments as `steps.ab.variants[2].weight`. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of segments) {
    const name = String(segment);
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (!/^[A-Za-z0-9_$-]+$/.test(name)) out += `[${JSON.stringify(name)}]`;
    else out += out === '' ? name : `.${name}`;
  }
  return out === '' ? '(journey)' : out;
}

/** Builds a violation at `segments`. */
export function violation(segments: readonly PropertyKey[], code: ViolationCode, message: string): Violation {
  return { path: formatPath(segments), code, message };
}

/** Turns zod issues into violations with plain sentences, prefixed by `prefix`. */
export function fromZodIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PropertyKey[] = [],
): Violation[] {
  return issues.map((issue) => violation([...prefix, ...issue.path], 'schema.invalid', describeIssue(issue)));
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be ${article(issue.expected)}`;
    case 'unrecognized_keys':
      return `has ${issue.keys.length === 1 ? 'an unknown field' : 'unknown fields'} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_union':
      if ('note' in issue && issue.note === 'No matching discriminator') return issue.message;
      return isConditionPath(issue.path)
        ? 'is not a valid condition: use all / any / not, { "path": ..., "<operator>": value } or { "performed": ... }'
        : 'does not match any of the allowed forms';
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return issue.message;
  }
}

function article(expected: string): string {
  const noun = expected === 'object' ? 'an object' : expected === 'array' ? 'a list' : `a ${expected}`;
  return noun;
}

const CONDITION_KEYS = new Set(['where', 'when', 'audience', 'segment', 'all', 'any', 'not']);

function isConditionPath(path: readonly PropertyKey[]): boolean {
  return path.some((segment) => typeof segment === 'string' && CONDITION_KEYS.has(segment));
}
