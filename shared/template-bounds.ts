import {
  Context,
  type Emitter,
  type Liquid,
  type Parser,
  Tag,
  type TagToken,
  type Template,
  type TopLevelToken,
  TypeGuards,
  tags,
  toValueSync,
} from 'liquidjs';

/**
 * How much one render of one template field may do, counted rather than
 * timed, so a render passes or fails the same way on any machine at any
 * load: on AWS, in the local runtime, in `journeys test` and in a
 * simulation alike.
 *
 * - `steps`: liquidjs checks its render limit before each tag or output it
 *   renders and each time it enters a block (a loop's body once per pass,
 *   an `if` branch, a `capture`). Each check counts one step here, so every
 *   pass of every loop counts, nested loops, `tablerow` and the `else` of an
 *   empty loop included. Between two steps a render does work bounded by
 *   the text of one tag (the parse limit) and by what it allocates (the
 *   memory limit).
 * - `memory`: liquidjs's allocation count — a range's length, what string
 *   and array filters make — plus, here, every `capture`'s text (liquidjs
 *   counts none) and the field's whole output.
 * - `parseChars`: the longest source text a field may have.
 */
export const TEMPLATE_LIMITS = {
  steps: 200_000,
  parseChars: 1_000_000,
  memory: 20_000_000,
} as const;

/** Why a render past the step bound fails: the same words wherever it runs. */
export const STEP_LIMIT_REASON = `the template takes more than ${TEMPLATE_LIMITS.steps.toLocaleString('en-US')} render steps (each tag or output rendered, each pass of a loop): a loop over too many items, or loops nested too deep`;

/** What liquidjs says when the memory limit is passed, and what a render says instead. */
const MEMORY_LIMIT_MESSAGE = 'memory alloc limit exceeded';
const MEMORY_LIMIT_REASON = `the template makes more than ${TEMPLATE_LIMITS.memory.toLocaleString('en-US')} characters or list items (ranges, text and list filters, captures, its output)`;

/** A render's failure in the words a marketer reads: the bound passed, where liquidjs says it. */
export function boundReason(message: string): string {
  return message.startsWith(MEMORY_LIMIT_MESSAGE)
    ? MEMORY_LIMIT_REASON + message.slice(MEMORY_LIMIT_MESSAGE.length)
    : message;
}

/** Thrown at the step past the bound; liquidjs may wrap it, so a render also remembers it tripped. */
class StepLimitError extends Error {
  constructor() {
    super(STEP_LIMIT_REASON);
    this.name = 'StepLimitError';
  }
}

/** One render's count of steps; `exceeded` once the bound is passed, however liquidjs reports it. */
export type StepCount = { left: number; exceeded: boolean };

/**
 * The context of one render, counting steps instead of reading the clock:
 * liquidjs hands its render limit the time at each step, and here each call
 * is one step whatever the time says (the engines set no time limit).
 */
export function countedContext(liquid: Liquid, data: object, count: StepCount): Context {
  const context = new Context(data, liquid.options, { sync: true }, { liquid });
  context.renderLimit.check = () => {
    count.left -= 1;
    if (count.left >= 0) return;
    count.exceeded = true;
    throw new StepLimitError();
  };
  return context;
}

/** A fresh count for one render. */
export function stepCount(): StepCount {
  return { left: TEMPLATE_LIMITS.steps, exceeded: false };
}

type TagConstructor = new (token: TagToken, remain: TopLevelToken[], liquid: Liquid, parser: Parser) => Tag;

/** liquidjs's own `capture`, and its render (an abstract method to the type checker, so not reachable through `super`). */
const BuiltinCapture: TagConstructor = (() => {
  const builtin: TagConstructor | undefined = tags.capture;
  if (builtin === undefined) throw new Error('liquidjs has no capture tag');
  return builtin;
})();
const builtinCaptureRender: Tag['render'] = Reflect.get(BuiltinCapture, 'prototype').render;

/**
 * `capture` whose text counts against the memory limit: liquidjs counts
 * none, so a capture that holds itself twice (`{% capture s %}{{ s }}{{ s }}{% endcapture %}`)
 * doubled in a few steps, to hundreds of megabytes.
 */
class CountedCapture extends BuiltinCapture {
  override *render(context: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    yield builtinCaptureRender.call(this, context, emitter);
    const name: unknown = Reflect.get(this, 'variable');
    const captured: unknown = typeof name === 'string' ? context.bottom()[name] : undefined;
    if (typeof captured === 'string') context.memoryLimit.use(captured.length);
  }
}

/** Replaces `capture` on an engine with the counted one. */
export function countCaptures(liquid: Liquid): void {
  liquid.registerTag('capture', CountedCapture);
}

/** Loop tags whose passes are known before any data is read: over a range of two numbers, no `limit` or `offset`. */
const LOOP_TAGS: ReadonlySet<string> = new Set(['for', 'tablerow']);

/** The passes of a loop over a written range (`(1..5000)`), or undefined when data or a modifier decides them. */
function writtenPasses(node: Tag): number | undefined {
  if (!LOOP_TAGS.has(node.name)) return undefined;
  const collection: unknown = Reflect.get(node, 'collection');
  if (!TypeGuards.isRangeToken(collection)) return undefined;
  const { lhs, rhs } = collection;
  if (!TypeGuards.isNumberToken(lhs) || !TypeGuards.isNumberToken(rhs)) return undefined;
  const hash: unknown = Reflect.get(node, node.name === 'for' ? 'hash' : 'args');
  const modifiers: unknown =
    typeof hash === 'object' && hash !== null ? Reflect.get(hash, 'hash') : undefined;
  if (typeof modifiers === 'object' && modifiers !== null && ('limit' in modifiers || 'offset' in modifiers))
    return undefined;
  return Math.max(0, Math.floor(rhs.content) - Math.ceil(lhs.content) + 1);
}

function childrenOf(node: Template): Template[] {
  const children = node.children?.(false, true);
  return children === undefined ? [] : toValueSync(children);
}

/** Whether a `break` may end a loop early somewhere within. */
function mayBreak(nodes: readonly Template[]): boolean {
  return nodes.some((node) => (node instanceof Tag && node.name === 'break') || mayBreak(childrenOf(node)));
}

/**
 * The fewest steps a render of these nodes takes, whatever the data: each
 * node one, the list one, and a loop over a written range its passes times
 * its body's (a body whose `break` may end it early counts once). What only
 * data decides (a branch, a loop over a list) counts as nothing.
 */
function fewestSteps(nodes: readonly Template[]): number {
  let steps = 1;
  for (const node of nodes) {
    steps += 1;
    if (!(node instanceof Tag)) continue;
    const body = childrenOf(node);
    const passes = writtenPasses(node);
    if (passes !== undefined && !mayBreak(body)) steps += passes * fewestSteps(body);
    else if (node.name === 'capture') steps += fewestSteps(body);
  }
  return steps;
}

/**
 * Why every render of a parsed field would pass the step bound, whatever the
 * data (loops over written ranges that alone take more steps), or undefined.
 * What data decides is left to the render, which counts the same way.
 */
export function certainStepOverrun(nodes: readonly Template[]): string | undefined {
  const steps = fewestSteps(nodes);
  if (steps <= TEMPLATE_LIMITS.steps) return undefined;
  const at = nodes.find((node) => node instanceof Tag && fewestSteps([node]) > TEMPLATE_LIMITS.steps);
  const [line, column] = at?.token.getPosition() ?? [1, 1];
  const counted = steps > 1e15 ? 'more than a quadrillion' : `at least ${steps.toLocaleString('en-US')}`;
  return `its loops over written ranges (line ${line}, column ${column}) take ${counted} render steps whatever the data, over the ${TEMPLATE_LIMITS.steps.toLocaleString('en-US')} a render may take: every send would fail`;
}
