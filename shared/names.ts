/**
 * How names customers' events and journey files share are compared. A name
 * is what a person reads, not the code points a keyboard or a library
 * produced: "José" typed on macOS arrives decomposed (e + U+0301, NFD) and
 * on Windows composed (é, NFC), and " Order Completed " from a form or a
 * spreadsheet cell is the event everyone means by "Order Completed". Event
 * names and trait names are read trimmed and in Unicode NFC, in events and
 * in journeys alike, so each spelling counts, triggers and answers as one.
 * Letter case stays significant, as in Segment's and Amplitude's tracking
 * plans: "order completed" and "Order Completed" are two events (validation
 * warns when one journey uses both spellings).
 */

/** A string holding anything but printable ASCII: only those can differ by normalization. */
const NON_ASCII = /[^ -~]/;

/** The form in which an event or trait name is kept and compared: trimmed, in Unicode NFC. */
export function canonicalName(name: string): string {
  const trimmed = name.trim();
  return NON_ASCII.test(trimmed) ? trimmed.normalize('NFC') : trimmed;
}

/** A key in Unicode NFC (property keys keep their spaces: `event.properties[" x"]` reads them). */
export function canonicalKey(key: string): string {
  return NON_ASCII.test(key) ? key.normalize('NFC') : key;
}

/** Two keys of one object that name the same thing once canonical: the later one, named by its path. */
export type KeyClash = { path: string; key: string; same: string; nested: boolean };

/**
 * A JSON value with every object key canonical (`canonicalKey`; at the top
 * level `top`, for trait names `canonicalName`). Objects that need no change
 * are returned as they are. Two keys of one object that become the same are
 * reported (the later is left out): which value was meant is not known, so
 * the caller refuses the value with the reason.
 */
export function withCanonicalKeys(
  value: unknown,
  path: string,
  clashes: KeyClash[],
  top: (key: string) => string = canonicalKey,
  nested = false,
): unknown {
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((item, i) => {
      const next = withCanonicalKeys(item, `${path}[${i}]`, clashes, canonicalKey, true);
      changed ||= next !== item;
      return next;
    });
    return changed ? out : value;
  }
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  const seen = new Map<string, string>();
  let changed = false;
  const out: [string, unknown][] = [];
  for (const [key, item] of entries) {
    const name = top(key);
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      clashes.push({ path: `${path}.${key}`, key, same: earlier, nested });
      changed = true;
      continue;
    }
    seen.set(name, key);
    const next = withCanonicalKeys(item, `${path}.${key}`, clashes, canonicalKey, true);
    changed ||= name !== key || next !== item;
    out.push([name, next]);
  }
  return changed ? Object.fromEntries(out) : value;
}
