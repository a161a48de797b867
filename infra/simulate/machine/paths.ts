import type { Json, JsonObject } from '#shared/journey/compile/asl.ts';

/**
 * JSONPath as compiled journeys use it: Reference Paths (`$.a.b`,
 * `$.buckets['split']`, `$[0]`) on the state, `$$.` on the context object,
 * Parameters with `.$` keys and the `States.StringToJson` intrinsic. Anything
 * else fails loudly, naming the path, instead of simulating something else.
 */

export class StatesError extends Error {
  constructor(
    name: string,
    readonly detail: string,
  ) {
    super(detail);
    this.name = name;
  }
}

const STEP = /^(?:\.([A-Za-z_][\w-]*)|\['([^']*)'\]|\[(\d+)\])/;
const parsed = new Map<string, (string | number)[]>();

function steps(path: string): (string | number)[] {
  const cached = parsed.get(path);
  if (cached !== undefined) return cached;
  if (!path.startsWith('$')) throw new StatesError('States.Runtime', `Not a reference path: ${path}`);
  const out: (string | number)[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    const m = STEP.exec(rest);
    if (m === null) throw new StatesError('States.Runtime', `The simulator cannot read the path ${path}`);
    out.push(m[3] !== undefined ? Number(m[3]) : (m[1] ?? m[2] ?? ''));
    rest = rest.slice(m[0].length);
  }
  parsed.set(path, out);
  return out;
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at a reference path, or undefined when absent. */
export function read(root: Json, path: string): Json | undefined {
  let current: Json | undefined = root;
  for (const step of steps(path)) {
    if (typeof step === 'number') current = Array.isArray(current) ? current[step] : undefined;
    else current = isObject(current) && Object.hasOwn(current, step) ? current[step] : undefined;
    if (current === undefined) return undefined;
  }
  return current;
}

/** The state with `value` placed at a ResultPath (`null` discards the result, `$` replaces the state). */
export function place(state: Json, resultPath: string | null, value: Json): Json {
  if (resultPath === null) return state;
  const path = steps(resultPath);
  if (path.length === 0) return value;
  const root: JsonObject = Object.assign(Object.create(null), isObject(state) ? state : {});
  let target = root;
  for (const [i, step] of path.entries()) {
    if (typeof step === 'number')
      throw new StatesError('States.Runtime', `Unsupported ResultPath ${resultPath}`);
    if (i === path.length - 1) target[step] = value;
    else {
      const inner = target[step];
      const copy: JsonObject = Object.assign(Object.create(null), isObject(inner) ? inner : {});
      target[step] = copy;
      target = copy;
    }
  }
  return root;
}

const STRING_TO_JSON = /^States\.StringToJson\((\$[^)]*)\)$/;

/** A Parameters template made into a function of the state and the context object. */
type Build = (state: Json, context: () => Json) => Json;

/** The value of a `.$` field: an intrinsic, a `$$` path on the context object or a path on the state. */
function dynamic(expression: string): Build {
  const intrinsic = STRING_TO_JSON.exec(expression)?.[1];
  if (intrinsic !== undefined)
    return (state) => {
      const text = read(state, intrinsic);
      if (typeof text !== 'string') throw new StatesError('States.Runtime', `${expression}: not a string`);
      try {
        return JSON.parse(text);
      } catch {
        throw new StatesError('States.Runtime', `${expression}: not JSON`);
      }
    };
  if (expression.startsWith('States.'))
    return () => {
      throw new StatesError('States.Runtime', `The simulator does not implement ${expression}`);
    };
  const fromContext = expression.startsWith('$$');
  const path = fromContext ? expression.slice(1) : expression;
  return (state, context) => {
    const value = read(fromContext ? context() : state, path);
    if (value === undefined)
      throw new StatesError('States.Runtime', `The JSONPath ${expression} could not be found in the input`);
    return value;
  };
}

function compile(template: Json): Build {
  if (Array.isArray(template)) {
    const elements = template.map(compile);
    return (state, context) => elements.map((element) => element(state, context));
  }
  if (!isObject(template)) return () => template;
  const fields: [string, Build][] = [];
  for (const key in template) {
    const value = template[key];
    if (value === undefined) continue;
    if (typeof value === 'string' && key.endsWith('.$')) fields.push([key.slice(0, -2), dynamic(value)]);
    else fields.push([key, compile(value)]);
  }
  return (state, context) => {
    // Keys come from step ids and field names users choose: no prototype to collide with.
    const out: JsonObject = Object.create(null);
    for (const [key, build] of fields) out[key] = build(state, context);
    return out;
  };
}

/** Templates made into functions, each once: a machine's states keep theirs while it runs. */
const compiled = new WeakMap<object, Build>();

/** Evaluates a Parameters template against the state and the context object (made only if a `$$` path reads it). */
export function parameters(template: Json, state: Json, context: () => Json): Json {
  if (typeof template !== 'object' || template === null) return template;
  let build = compiled.get(template);
  if (build === undefined) {
    build = compile(template);
    compiled.set(template, build);
  }
  return build(state, context);
}
