import { compile } from './compile/compile.ts';
import type { Journey } from './schema.ts';
import { type Violation, violation } from './violations.ts';

/**
 * The most steps a journey holds. A state machine definition is at most
 * 1 MB in Step Functions and a message step compiles to 2–10 KB of ASL, so a
 * larger journey could not be deployed; the bound also keeps every graph
 * check's walk shallow.
 */
export const MAX_STEPS = 500;

/**
 * The deepest a journey file nests objects and lists. Real journeys stay
 * under 15 (a condition three `all`/`any` levels deep in a branch is 12);
 * the bound keeps every recursive reader (the schema, conditions, the
 * compiler) far from the stack's end.
 */
export const MAX_NESTING = 48;

/**
 * Problems of size that make the rest of validation pointless or unsafe: a
 * file nested deeper than {@link MAX_NESTING} or with more than
 * {@link MAX_STEPS} steps. Iterative, so no input exhausts the stack.
 */
export function boundViolations(input: object): Violation[] {
  const tooDeep = firstTooDeep(input);
  if (tooDeep !== undefined) {
    return [
      violation(
        tooDeep,
        'journey.too-large',
        `nests objects and lists more than ${MAX_NESTING} levels deep; a journey needs far fewer (simplify this condition or value).`,
      ),
    ];
  }
  const steps: unknown = new Map(Object.entries(input)).get('steps');
  if (typeof steps !== 'object' || steps === null || Array.isArray(steps)) return [];
  const count = Object.keys(steps).length;
  return count > MAX_STEPS
    ? [
        violation(
          ['steps'],
          'journey.too-large',
          `has ${count} steps; a journey can have at most ${MAX_STEPS} (Step Functions accepts a state machine of at most 1 MB). Split it into several journeys linked by emitted events.`,
        ),
      ]
    : [];
}

/** The path to the first value nested deeper than {@link MAX_NESTING}, if any. */
function firstTooDeep(input: object): PropertyKey[] | undefined {
  const stack: { value: object; path: PropertyKey[] }[] = [{ value: input, path: [] }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { value, path } = next;
    if (path.length > MAX_NESTING) return path;
    for (const [key, child] of Object.entries(value)) {
      if (typeof child === 'object' && child !== null)
        stack.push({ value: child, path: [...path, Array.isArray(value) ? Number(key) : key] });
    }
  }
  return undefined;
}

/** The largest state machine definition Step Functions accepts (a hard quota). */
export const MAX_DEFINITION_BYTES = 1024 * 1024;

/**
 * What one resource reference can grow by when deployed: the compiled
 * definition holds `${Placeholder}`s that become ARNs and names (an ARN with
 * a long function name is under 160 characters).
 */
const BINDING_ALLOWANCE = 160;

/**
 * A journey within the step bound can still compile past what Step Functions
 * accepts (each fallback and outcome wait adds states): its definition's size
 * once deployed, estimated from the compiled one, must fit.
 */
export function definitionViolations(journey: Journey): Violation[] {
  const text = JSON.stringify(compile(journey));
  const references = text.split('${').length - 1;
  const bytes = new TextEncoder().encode(text).length + references * BINDING_ALLOWANCE;
  if (bytes <= MAX_DEFINITION_BYTES) return [];
  return [
    violation(
      ['steps'],
      'journey.too-large',
      `compile to a state machine of about ${Math.ceil(bytes / 1024)} KB; Step Functions accepts at most ${MAX_DEFINITION_BYTES / 1024} KB. Split the journey into several linked by emitted events, or use fewer fallbacks and outcome waits.`,
    ),
  ];
}
