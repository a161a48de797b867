import {
  Context,
  type Emitter,
  type Liquid,
  type Parser,
  type Tag,
  type TagToken,
  type TopLevelToken,
  tags,
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

const BuiltinCapture: TagConstructor | undefined = tags.capture;
if (BuiltinCapture === undefined) throw new Error('liquidjs has no capture tag');
/** The builtin's own render (an abstract method to the type checker, so not reachable through `super`). */
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
