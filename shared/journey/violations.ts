import type * as z from 'zod';
import { COMPARISON_OPERATORS } from '../conditions/mini-schema.ts';

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
  | 'id.file-name'
  | 'journey.too-large'
  | 'schema.invalid'
  | 'start.dangling'
  | 'next.dangling'
  | 'step.unreachable'
  | 'path.never-ends'
  | 'cycle.no-wait'
  | 'loop.history'
  | 'schedule.never-runs'
  | 'split.weights'
  | 'split.duplicate-variant'
  | 'split.holdout-messaged'
  | 'template.missing'
  | 'template.channel'
  | 'template.placeholder'
  | 'template.invalid'
  | 'wait.too-long'
  | 'wait.window'
  | 'wait.exits'
  | 'event.spelling'
  | 'trait.spaces'
  | 'value.length'
  | 'update.value'
  | 'timezone.unknown'
  | 'quiet-hours.malformed'
  | 'trigger.field'
  | 'condition.field'
  | 'condition.literal'
  | 'value.source'
  | 'value.name'
  | 'history.window'
  | 'settings.dates'
  | 'update.overlap'
  | 'duration.zero'
  | 'duration.too-long'
  | 'duration.too-short'
  | 'condition.order'
  | 'context.undeclared'
  | 'webhook.connection'
  | 'webhook.url'
  | 'context.type'
  | 'context.size'
  | 'context.place'
  | 'experiment.goal'
  | 'goal.window'
  | 'experiment.variants'
  | 'experiment.window'
  | 'outcome.both'
  | 'outcome.channel'
  | 'outcome.window'
  | 'profile.share'
  | 'template.variable';

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

/**
 * The field names a format knows ({@link fieldNames}), or a function that
 * makes them: called only once an unknown field is found, so a file without
 * one never pays for generating a JSON Schema.
 */
export type KnownFields = ReadonlySet<string> | (() => ReadonlySet<string>);

/**
 * Turns zod issues into violations with plain sentences, prefixed by
 * `prefix`. With `fields` (the names the format knows), an unknown field
 * close to one of them says which it was meant to be.
 */
export function fromZodIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PropertyKey[] = [],
  fields?: KnownFields,
): Violation[] {
  return issues.flatMap((issue) => {
    const branch = matchingBranch(issue);
    if (branch !== undefined) return fromZodIssues(branch, [...prefix, ...issue.path], fields);
    const path = [...prefix, ...issue.path];
    const hint =
      issue.code === 'unrecognized_keys' && fields !== undefined
        ? meantFields(issue.keys, fields)
        : eventMatcherHint(issue, path);
    return [violation(path, 'schema.invalid', `${describeIssue(issue)}${hint}`)];
  });
}

/**
 * ` : write { "event": "Unsubscribed" }` for an event name written where an
 * event matcher goes (`goal`, an `exitOn` item): the name alone reads naturally
 * but the matcher is an object, so that it can carry a `where`.
 */
function eventMatcherHint(issue: z.core.$ZodIssue, path: readonly PropertyKey[]): string {
  if (issue.code !== 'invalid_type' || issue.expected !== 'object' || typeof issue.input !== 'string')
    return '';
  const matcher =
    (path.length === 1 && path[0] === 'goal') ||
    (path.length === 2 && path[0] === 'exitOn' && typeof path[1] === 'number');
  return matcher ? `: write { "event": ${JSON.stringify(issue.input)} }` : '';
}

/** {@link fieldNames} of a JSON Schema made on first use, then kept. */
export function lazyFieldNames(jsonSchema: () => unknown): () => ReadonlySet<string> {
  let names: ReadonlySet<string> | undefined;
  return () => {
    names ??= fieldNames(jsonSchema());
    return names;
  };
}

/** Every property name a JSON Schema declares, at any depth: the fields a format knows. */
export function fieldNames(jsonSchema: unknown): Set<string> {
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'properties' && typeof value === 'object' && value !== null)
          for (const name of Object.keys(value)) names.add(name);
        visit(value);
      }
    }
  };
  visit(jsonSchema);
  return names;
}

/** ` (did you mean "next"?)` for unknown fields that are a slip away from a known one. */
export function meantFields(keys: readonly string[], fields: KnownFields): string {
  const known = typeof fields === 'function' ? fields() : fields;
  const meant = keys.flatMap((key) => {
    const near = closestField(key, known);
    return near === undefined ? [] : [`"${near}"${keys.length > 1 ? ` for "${key}"` : ''}`];
  });
  return meant.length === 0 ? '' : ` (did you mean ${meant.join(', ')}?)`;
}

/** The known field a name was most likely meant to be: the same but for case, or one or two slips away. */
export function closestField(name: string, fields: ReadonlySet<string>): string | undefined {
  if (fields.has(name)) return undefined;
  const lower = name.toLowerCase();
  // A short name is one slip from many others: allow one there, two in longer names.
  const allowed = name.length <= 4 ? 1 : 2;
  let best: { field: string; distance: number } | undefined;
  for (const field of fields) {
    const distance = field.toLowerCase() === lower ? 0 : slips(lower, field.toLowerCase(), allowed);
    if (distance <= allowed && (best === undefined || distance < best.distance)) best = { field, distance };
  }
  return best?.field;
}

/**
 * Edits between two names — a letter added, dropped, changed, or two swapped
 * (optimal string alignment) — or `limit + 1` once past the limit.
 */
function slips(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, (before[j - 2] ?? 0) + 1);
      current.push(d);
    }
    before = previous;
    previous = current;
  }
  return Math.min(previous[b.length] ?? limit + 1, limit + 1);
}

/**
 * The one form of a union the value was meant to be — the only branch whose
 * problems are all inside the value, not the value's own type or keys — so
 * its problems are reported rather than "matches none of the forms".
 */
function matchingBranch(issue: z.core.$ZodIssue): z.core.$ZodIssue[] | undefined {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return undefined;
  const inside = issue.errors.filter(
    (branch) => branch.length > 0 && branch.every((i) => i.path.length > 0 && !isNoDiscriminator(i)),
  );
  const discriminated = issue.errors.filter(
    (branch) => branch.length === 1 && branch.some(isNoDiscriminator),
  );
  if (inside.length === 1) return inside[0];
  if (inside.length === 0 && discriminated.length === 1) return discriminated[0];
  return undefined;
}

function isNoDiscriminator(issue: z.core.$ZodIssue): boolean {
  return issue.code === 'invalid_union' && 'note' in issue && issue.note === 'No matching discriminator';
}

/** The discriminator value given, when the issue is about one. */
function discriminatorValue(issue: z.core.$ZodIssue): unknown {
  if (!('discriminator' in issue) || typeof issue.discriminator !== 'string') return undefined;
  const input: unknown = issue.input;
  if (typeof input !== 'object' || input === null) return undefined;
  return new Map(Object.entries(input)).get(issue.discriminator);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      // A schema that says what form it needs ("must be a window …") is more help than the type's name.
      return `${issue.message.startsWith('Invalid input') ? `must be ${article(issue.expected)}` : issue.message}, got ${describeValue(issue.input)}`;
    case 'unrecognized_keys':
      return `has ${issue.keys.length === 1 ? 'an unknown field' : 'unknown fields'} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_union':
      if (isNoDiscriminator(issue)) {
        const options = 'options' in issue && Array.isArray(issue.options) ? issue.options : [];
        return `must be one of ${options.map((o) => JSON.stringify(o)).join(', ')}${got(discriminatorValue(issue))}`;
      }
      if (isConditionPath(issue.path)) {
        const operator = unknownOperator(issue.input);
        if (operator !== undefined) return `is not a valid condition: ${operator}`;
        return 'is not a valid condition: use all / any / not, { "path": ..., "<operator>": value } or { "performed": ... }';
      }
      return describeForms(issue.errors, issue.input);
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return 'must not be empty';
      if (issue.origin === 'array')
        return `needs at least ${issue.minimum} item${Number(issue.minimum) === 1 ? '' : 's'}`;
      // A bound the schema did not word itself reads like the other problems: the bound, then the value.
      if (issue.origin === 'number' && issue.message.startsWith('Too small'))
        return `must be ${issue.inclusive ? 'at least' : 'more than'} ${issue.minimum}${got(issue.input)}`;
      return issue.message;
    case 'too_big':
      if (issue.origin === 'number' && issue.message.startsWith('Too big'))
        return `must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}${got(issue.input)}`;
      return issue.message;
    case 'invalid_key':
      // The key's own problems (a pattern it must match), not zod's "Invalid key in record".
      return `key ${JSON.stringify(issue.input)} ${issue.issues.map((inner) => inner.message).join('; ')}`;
    case 'invalid_value':
      if (issue.input === undefined)
        return `is required: one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}${got(issue.input)}`;
    default:
      return issue.message;
  }
}

/**
 * What a value matching none of a union's forms should have been, from each
 * form's own problems: a type (`a string`), or an object with the fields it
 * requires (`{ "from": … }`).
 */
function describeForms(branches: readonly (readonly z.core.$ZodIssue[])[], input: unknown): string {
  const forms = branches.map((branch) => {
    const wrongType = branch.find((i) => i.path.length === 0 && i.code === 'invalid_type');
    if (wrongType?.code === 'invalid_type') return article(wrongType.expected);
    const wrongValue = branch.find((i) => i.path.length === 0 && i.code === 'invalid_value');
    if (wrongValue?.code === 'invalid_value')
      return wrongValue.values.map((v) => JSON.stringify(v)).join(', ');
    const required = branch
      .filter((i) => i.code === 'invalid_type' && i.path.length === 1 && i.input === undefined)
      .map((i) => `"${String(i.path[0])}": …`);
    return required.length > 0 ? `{ ${required.join(', ')} }` : undefined;
  });
  const known = [...new Set(forms.filter((f) => f !== undefined))];
  if (known.length === 0 || known.length < forms.length)
    return `does not match any of the allowed forms${got(input)}`;
  const listed = known.length === 1 ? known[0] : `${known.slice(0, -1).join(', ')} or ${known.at(-1)}`;
  return `must be ${listed}${got(input)}`;
}

/** How a wrong value reads in a message: `the string "three"`, `the number 42`, `a list`. */
/** A value as a problem names it: `the string "x"`, `the number 3`, `a list`, `null`, `an object with "a"`. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `the ${typeof value} ${value}`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value !== 'object') return `a ${typeof value}`;
  const keys = Object.keys(value);
  if (keys.length === 0) return 'an empty object';
  const shown = keys
    .slice(0, 3)
    .map((k) => `"${k}"`)
    .join(', ');
  return `an object with ${shown}${keys.length > 3 ? '…' : ''}`;
}

function got(input: unknown): string {
  return input === undefined ? '' : `, got ${describeValue(input)}`;
}

function article(expected: string): string {
  // A record is an object to whoever writes the file.
  const noun =
    expected === 'object' || expected === 'record'
      ? 'an object'
      : expected === 'array'
        ? 'a list'
        : expected === 'int'
          ? 'a whole number'
          : `a ${expected}`;
  return noun;
}

const CONDITION_KEYS = new Set(['where', 'when', 'audience', 'segment', 'all', 'any', 'not']);

/** How other tools spell the comparison operators. */
const OPERATOR_ALIASES = new Map([
  ['equals', 'eq'],
  ['equal', 'eq'],
  ['is', 'eq'],
  ['notEquals', 'ne'],
  ['notEqual', 'ne'],
  ['neq', 'ne'],
  ['greaterThan', 'gt'],
  ['greaterThanOrEqual', 'gte'],
  ['lessThan', 'lt'],
  ['lessThanOrEqual', 'lte'],
  ['oneOf', 'in'],
  ['includes', 'contains'],
]);

/**
 * `"greaterThan" is not an operator (did you mean "gt"?); the operators are …`
 * for a comparison (an object with a `path`) whose operator is not one.
 */
function unknownOperator(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input) || !Object.hasOwn(input, 'path'))
    return undefined;
  const operators = new Set<string>(COMPARISON_OPERATORS);
  const unknown = Object.keys(input).filter((key) => key !== 'path' && !operators.has(key));
  const [key] = unknown;
  if (key === undefined || unknown.length > 1) return undefined;
  const meant = OPERATOR_ALIASES.get(key) ?? closestField(key, operators);
  const hint = meant === undefined ? '' : ` (did you mean "${meant}"?)`;
  return `"${key}" is not an operator${hint}; the operators are ${COMPARISON_OPERATORS.join(', ')}`;
}

function isConditionPath(path: readonly PropertyKey[]): boolean {
  return path.some((segment) => typeof segment === 'string' && CONDITION_KEYS.has(segment));
}

const CHANNEL_WORDS: ReadonlyMap<string, string> = new Map([
  ['email', 'an email'],
  ['sms', 'an SMS'],
  ['push', 'a push'],
]);

/** A channel as a sentence says it, with its article: "an email", "an SMS", "a push". */
export function aChannel(channel: string): string {
  return CHANNEL_WORDS.get(channel) ?? `a ${channel}`;
}
