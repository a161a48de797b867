/**
 * EventBridge's PutEvents limits, enforced by the local bus so that what
 * works locally works on AWS (figures from the PutEvents API reference and
 * "Calculating PutEvents event entry size").
 */
export const PUT_EVENTS_LIMITS = {
  /** Entries per request. */
  maxEntries: 10,
  /** Bytes of all entries of one request, counted as EventBridge counts them. */
  maxRequestBytes: 256 * 1024,
  /** Nesting PutEvents processes in a Detail. */
  maxDetailDepth: 1000,
  maxDetailTypeLength: 128,
  maxSourceLength: 256,
} as const;

/** The fields of an entry that count towards its size. */
export type SizedEntry = {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Resources?: string[];
  Time?: unknown;
};

/** An entry's size as EventBridge computes it: Time is 14 bytes, the strings their UTF-8 bytes. */
export function entrySize(entry: SizedEntry): number {
  const bytes = (text: string | undefined) => (text === undefined ? 0 : Buffer.byteLength(text, 'utf8'));
  let size = entry.Time === undefined ? 0 : 14;
  size += bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail);
  for (const resource of entry.Resources ?? []) size += bytes(resource);
  return size;
}

/** Why a Detail is refused (`MalformedDetail`), or undefined when it is a JSON object EventBridge accepts. */
export function detailProblem(detail: string): string | undefined {
  if (depthOf(detail) > PUT_EVENTS_LIMITS.maxDetailDepth)
    return `Detail is nested deeper than ${PUT_EVENTS_LIMITS.maxDetailDepth} levels.`;
  let value: unknown;
  try {
    value = JSON.parse(detail);
  } catch {
    return 'Detail is malformed.';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'Detail is malformed: it must be a JSON object.';
  return undefined;
}

/** The deepest nesting of a JSON text, counted without parsing it (a deep text must not overflow the stack). */
function depthOf(json: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (inString) {
      if (c === '\\') i += 1;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') deepest = Math.max(deepest, ++depth);
    else if (c === '}' || c === ']') depth -= 1;
  }
  return deepest;
}
