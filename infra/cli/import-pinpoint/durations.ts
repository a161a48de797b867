/**
 * Pinpoint durations with a decimal fraction. ISO 8601 allows one (`.` or
 * `,`) on a duration's smallest unit, and Pinpoint took `PT1.5H` or `P0.5D`;
 * a journey writes whole units. A fraction becomes the first smaller unit in
 * which the value is whole (`PT1.5H` → `PT90M`), computed exactly; a value
 * with no such unit (a fraction of a second, of a month) is kept as written,
 * and {@link durationProblem} says why it cannot be used.
 */

type Unit = 'Y' | 'Mo' | 'W' | 'D' | 'H' | 'Mi' | 'S';

/** Each unit in the order ISO 8601 writes them, and the smaller unit it holds a whole number of. */
const SMALLER: Record<Unit, { unit: Unit; times: bigint } | undefined> = {
  Y: { unit: 'Mo', times: 12n },
  // A month has no fixed number of days.
  Mo: undefined,
  W: { unit: 'D', times: 7n },
  D: { unit: 'H', times: 24n },
  H: { unit: 'Mi', times: 60n },
  Mi: { unit: 'S', times: 60n },
  S: undefined,
};

const ORDER: readonly Unit[] = ['Y', 'Mo', 'W', 'D', 'H', 'Mi', 'S'];
const NUMBER = String.raw`(\d+(?:[.,]\d+)?)`;
const DURATION = new RegExp(
  `^(-?)P(?:${NUMBER}Y)?(?:${NUMBER}M)?(?:${NUMBER}W)?(?:${NUMBER}D)?(?:T(?:${NUMBER}H)?(?:${NUMBER}M)?(?:${NUMBER}S)?)?$`,
);

/** A decimal as an exact fraction: `1.25` → 125/100. */
type Decimal = { numerator: bigint; denominator: bigint };

function decimal(text: string): Decimal {
  const [whole = '0', fraction = ''] = text.split(/[.,]/);
  return { numerator: BigInt(whole + fraction), denominator: 10n ** BigInt(fraction.length) };
}

type Parsed = { sign: string; parts: Map<Unit, string>; last: Unit };

/** The units given, when `text` is an ISO 8601 duration whose only fraction, if any, is on its last unit. */
function parse(text: string): Parsed | undefined {
  const match = DURATION.exec(text);
  if (match === null || text.endsWith('T')) return undefined;
  const parts = new Map<Unit, string>();
  ORDER.forEach((unit, i) => {
    const value = match[i + 2];
    if (value !== undefined) parts.set(unit, value);
  });
  const units = [...parts.keys()];
  const last = units.at(-1);
  if (last === undefined) return undefined;
  if (units.slice(0, -1).some((unit) => /[.,]/.test(parts.get(unit) ?? ''))) return undefined;
  return { sign: match[1] ?? '', parts, last };
}

/** The value of `amount` of `unit` as a whole number of it or of a smaller unit, or the unit it stops at. */
function whole(amount: Decimal, unit: Unit): { value: bigint; unit: Unit } | { stuck: Unit } {
  let { numerator } = amount;
  let current = unit;
  while (numerator % amount.denominator !== 0n) {
    const smaller = SMALLER[current];
    if (smaller === undefined) return { stuck: current };
    numerator *= smaller.times;
    current = smaller.unit;
  }
  return { value: numerator / amount.denominator, unit: current };
}

function format(sign: string, parts: Map<Unit, bigint>): string {
  const part = (unit: Unit, letter: string) => {
    const value = parts.get(unit);
    return value === undefined || value === 0n ? '' : `${value}${letter}`;
  };
  const date = part('Y', 'Y') + part('Mo', 'M') + part('W', 'W') + part('D', 'D');
  const time = part('H', 'H') + part('Mi', 'M') + part('S', 'S');
  if (date === '' && time === '') return 'PT0S';
  return `${sign}P${date}${time === '' ? '' : `T${time}`}`;
}

/** `text` in whole units when its fraction has an exact equivalent; otherwise `text` as it is. */
export function exactDuration(text: string): string {
  const parsed = parse(text);
  if (parsed === undefined || !/[.,]/.test(text)) return text;
  const converted = whole(decimal(parsed.parts.get(parsed.last) ?? '0'), parsed.last);
  if ('stuck' in converted) return text;
  const parts = new Map<Unit, bigint>();
  for (const [unit, value] of parsed.parts) if (unit !== parsed.last) parts.set(unit, BigInt(value));
  parts.set(converted.unit, converted.value);
  return format(parsed.sign, parts);
}

/** The units a fraction can stop at: those with no smaller unit they hold a whole number of. */
const STUCK: Partial<Record<Unit, string>> = {
  Mo: 'a fraction of a month, which has no fixed number of days: give it in days',
  S: 'a fraction of a second: a journey waits whole seconds',
};

/** Why `text` is not a duration a journey can take (after {@link exactDuration}), or undefined when it is one. */
export function durationProblem(text: string): string | undefined {
  const parsed = parse(text);
  if (parsed === undefined) return `"${text}" is not an ISO 8601 duration such as PT1H or P1D.`;
  const last = parsed.parts.get(parsed.last) ?? '';
  if (!/[.,]/.test(last)) return undefined;
  const converted = whole(decimal(last), parsed.last);
  return 'stuck' in converted ? `"${text}" has ${STUCK[converted.stuck] ?? 'a fraction'}.` : undefined;
}

/**
 * `text` in whole units, its last unit's fraction rounded up when no smaller
 * unit holds it exactly (`PT1.5S` → `PT2S`, `P0.5M` → `P1M`): a cooldown
 * never shorter than Pinpoint's. Undefined when `text` is not a duration.
 */
export function roundedUpDuration(text: string): string | undefined {
  const exact = exactDuration(text);
  const parsed = parse(exact);
  if (parsed === undefined) return undefined;
  const parts = new Map<Unit, bigint>();
  for (const [unit, value] of parsed.parts) {
    const { numerator, denominator } = decimal(value);
    parts.set(unit, (numerator + denominator - 1n) / denominator);
  }
  return format(parsed.sign, parts);
}
