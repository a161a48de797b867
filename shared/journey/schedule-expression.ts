import { isWithinLongestDuration, LONGEST_MESSAGE } from '../time.ts';

/**
 * What EventBridge Scheduler refuses in a recurring expression, checked
 * before deploy: a journey that validates must also schedule. Rules as the
 * Scheduler documents them: `rate(value unit)` with a positive whole value,
 * the unit singular for 1 and plural above; `cron(minutes hours day-of-month
 * month day-of-week year)` with each field in range and `?` in exactly one of
 * day-of-month and day-of-week.
 */

const UNIT_SECONDS = new Map([
  ['minute', 60],
  ['hour', 3_600],
  ['day', 86_400],
]);
const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.*)\)$/;

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

type Field = { name: string; low: number; high: number; names?: readonly string[]; extra: RegExp };

const FIELDS: readonly Field[] = [
  { name: 'minutes', low: 0, high: 59, extra: /^$/ },
  { name: 'hours', low: 0, high: 23, extra: /^$/ },
  // L (last day), W (nearest weekday), LW, and the ? placeholder.
  { name: 'day-of-month', low: 1, high: 31, extra: /^(\?|L|LW|\d{1,2}W)$/ },
  { name: 'month', low: 1, high: 12, names: MONTHS, extra: /^$/ },
  // ? placeholder, L (last), and nth weekday such as 2#1 or MON#1, or 6L.
  { name: 'day-of-week', low: 1, high: 7, names: WEEKDAYS, extra: /^(\?|L|([1-7]|[A-Z]{3})(#[1-5]|L))$/ },
  { name: 'year', low: 1970, high: 2199, extra: /^$/ },
];

/** Why Scheduler would refuse `expression`, in a sentence; `undefined` when it takes it. */
export function scheduleProblem(expression: string): string | undefined {
  const rate = RATE.exec(expression);
  if (rate !== null) {
    const value = Number(rate[1]);
    const unit = rate[2] ?? '';
    if (value < 1) return `${expression}: the rate must be at least 1`;
    const plural = unit.endsWith('s');
    if (value === 1 && plural)
      return `${expression}: write rate(1 ${unit.slice(0, -1)}), as Scheduler requires`;
    if (value > 1 && !plural) return `${expression}: write rate(${value} ${unit}s), as Scheduler requires`;
    if (!isWithinLongestDuration(`PT${value * (UNIT_SECONDS.get(unit.replace(/s$/, '')) ?? 0)}S`))
      return `${expression}: its period ${LONGEST_MESSAGE}`;
    return undefined;
  }
  const cron = CRON.exec(expression);
  if (cron === null) return undefined; // the pattern check names the form
  const parts = (cron[1] ?? '').trim().split(/\s+/);
  if (parts.length !== 6)
    return `${expression}: a cron needs 6 fields (minutes hours day-of-month month day-of-week year), got ${parts.length}`;
  for (const [i, field] of FIELDS.entries()) {
    const value = parts[i] ?? '';
    const wrapping = descendingRange(field, value.toUpperCase());
    if (wrapping !== undefined)
      return `${expression}: ${field.name} range "${wrapping}" runs backwards; a range that wraps is two, such as ${wrapped(field, wrapping)}`;
    if (!fieldAccepts(field, value.toUpperCase()))
      return `${expression}: ${field.name} "${value}" is not valid (${field.low}-${field.high}${field.names ? ` or ${field.names[0]}-${field.names.at(-1)}` : ''}, *, lists, ranges and steps of 1 or more)`;
  }
  const [day, weekday] = [parts[2], parts[4]];
  if ((day === '?') === (weekday === '?'))
    return `${expression}: put ? in exactly one of day-of-month and day-of-week, such as cron(0 9 * * ? *) or cron(0 9 ? * MON-FRI *)`;
  return undefined;
}

/** The first `a-b` item of `value` whose end comes before its start (`22-2`, `FRI-MON`). */
function descendingRange(field: Field, value: string): string | undefined {
  if (field.extra.test(value)) return undefined;
  for (const item of value.split(',')) {
    const ends = (item.split('/')[0] ?? '').split('-');
    if (ends.length !== 2) continue;
    const [from, to] = ends.map((end) => numberOf(field, end));
    if (from !== undefined && to !== undefined && from > to) return item.split('/')[0];
  }
  return undefined;
}

/** `22-2` as Scheduler takes it: `22-23,0-2`. */
function wrapped(field: Field, range: string): string {
  const [from, to] = range.split('-');
  const last = field.names?.at(-1) ?? String(field.high);
  const first = field.names?.[0] ?? String(field.low);
  return `${from}-${last},${first}-${to}`;
}

function fieldAccepts(field: Field, value: string): boolean {
  if (field.extra.test(value)) return true;
  return value.split(',').every((item) => itemAccepts(field, item));
}

/** `*`, `n`, `a-b`, each optionally `/step`. */
function itemAccepts(field: Field, item: string): boolean {
  const [range, step, ...rest] = item.split('/');
  if (rest.length > 0 || range === undefined || range === '') return false;
  // A step repeats every n: zero repeats nothing (and no scheduler can run it).
  if (step !== undefined && !/^[1-9]\d*$/.test(step)) return false;
  if (range === '*') return true;
  const ends = range.split('-');
  if (ends.length > 2) return false;
  const numbers = ends.map((end) => numberOf(field, end));
  return numbers.every((n) => n !== undefined && n >= field.low && n <= field.high);
}

function numberOf(field: Field, text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const index = field.names?.indexOf(text) ?? -1;
  return index < 0 ? undefined : field.low + index;
}

/** The most days each month can have (February 29 in a leap year). */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Why a cron that Scheduler takes would never run, in a sentence: its
 * days of the month exist in none of its months (`cron(0 9 31 2 ? *)`, 31
 * February; 30 April-only ranges written as 31), or only on 29 February of
 * years none of which is a leap year. `undefined` when it can run, or when the
 * days are not plain numbers (L, W, `?` with a day of the week).
 */
export function scheduleNeverRuns(expression: string): string | undefined {
  if (scheduleProblem(expression) !== undefined) return undefined;
  const cron = CRON.exec(expression);
  if (cron === null) return undefined;
  const parts = (cron[1] ?? '').trim().toUpperCase().split(/\s+/);
  const [dayField, monthField, yearField] = [FIELDS[2], FIELDS[3], FIELDS[5]];
  if (dayField === undefined || monthField === undefined || yearField === undefined) return undefined;
  const days = valuesOf(dayField, (parts[2] ?? '').replace(/^(\d{1,2})W$/, '$1'));
  const months = valuesOf(monthField, parts[3] ?? '');
  const years = valuesOf(yearField, parts[5] ?? '');
  if (days === undefined || months === undefined || years === undefined) return undefined;
  const leap = years.some((y) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0);
  const runs = months.some((m) => days.some((d) => d <= (m === 2 && !leap ? 28 : (MONTH_DAYS[m - 1] ?? 0))));
  if (runs) return undefined;
  const monthNames = months.map((m) => MONTHS[m - 1]).join(', ');
  return `${expression} never runs: no day ${days.join(', ')} in ${monthNames}${leap || !months.includes(2) ? '' : ' of a year that is not a leap year'}`;
}

/** The numbers a field names, `undefined` for a special form (L, W, #, ?). */
function valuesOf(field: Field, value: string): number[] | undefined {
  if (field.extra.test(value)) return undefined;
  const out = new Set<number>();
  for (const item of value.split(',')) {
    const [range, step] = item.split('/');
    if (range === undefined) return undefined;
    const ends =
      range === '*' ? [field.low, field.high] : range.split('-').map((end) => numberOf(field, end));
    const [from, to] = [ends[0], ends[1] ?? (step === undefined ? ends[0] : field.high)];
    if (from === undefined || to === undefined || from > to) return undefined;
    const by = step === undefined ? 1 : Number(step);
    if (!(by > 0)) return undefined;
    for (let n = from; n <= to; n += by) out.add(n);
  }
  return [...out].sort((a, b) => a - b);
}
