/**
 * A schema's structure as zod's core records it, the same for classic zod
 * and `zod/mini`: kinds, object shapes in key order, options, checks with
 * their bounds and patterns, defaults. Functions (refinements, messages,
 * transforms) appear only as their place; what they say is checked by
 * parsing values. Two schemas with the same structure accept the same
 * shapes in the same order, so a field, option or bound added to one and
 * not the other shows here.
 */
export function schemaStructure(schema: unknown): unknown {
  return structure(schema, new Set());
}

function isSchema(value: object): value is { _zod: { def: object } } {
  return '_zod' in value && typeof value._zod === 'object' && value._zod !== null && 'def' in value._zod;
}

function structure(value: unknown, path: Set<object>): unknown {
  if (typeof value === 'function') return '(function)';
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof RegExp) return `regex ${value.source} ${value.flags}`;
  if (Array.isArray(value)) return value.map((item) => structure(item, path));
  if (isSchema(value)) {
    // A recursive schema (the condition tree) meets itself again: the same place on both sides.
    // By definition rather than schema: `.describe()` makes a new schema around the same definition.
    const def = value._zod.def;
    if (path.has(def)) return '(recursion)';
    const inner = new Set(path).add(def);
    if ('type' in def && def.type === 'lazy' && 'getter' in def && typeof def.getter === 'function')
      return { type: 'lazy', of: structure(def.getter(), inner) };
    return structure(def, inner);
  }
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    // No checks and an empty list of checks are the same.
    if (key === 'checks' && Array.isArray(field) && field.length === 0) continue;
    // `shape` in key order: an object reports its issues in that order.
    out[key] =
      key === 'shape' && typeof field === 'object' && field !== null
        ? Object.entries(field).map(([name, inner]) => [name, structure(inner, path)])
        : structure(field, path);
  }
  return out;
}
