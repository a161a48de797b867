/**
 * What EventBridge Scheduler refuses in a recurring expression, checked
 * before deploy: a journey that validates must also schedule. Rules as the
 * Scheduler documents them: `rate(value unit)` with a positive whole value,
 * the unit singular for 1 and plural above; `cron(minutes hours day-of-month
 * month day-of-week year)` with each field in range and `?` in exactly one of
 * day-of-month and day-of-week.
 */

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
    return undefined;
  }
  const cron = CRON.exec(expression);
  if (cron === null) return undefined; // the pattern check names the form
  const parts = (cron[1] ?? '').trim().split(/\s+/);
  if (parts.length !== 6)
    return `${expression}: a cron needs 6 fields (minutes hours day-of-month month day-of-week year), got ${parts.length}`;
  for (const [i, field] of FIELDS.entries()) {
    const value = parts[i] ?? '';
    if (!fieldAccepts(field, value.toUpperCase()))
      return `${expression}: ${field.name} "${value}" is not valid (${field.low}-${field.high}${field.names ? ` or ${field.names[0]}-${field.names.at(-1)}` : ''}, *, lists, ranges and steps)`;
  }
  const [day, weekday] = [parts[2], parts[4]];
  if ((day === '?') === (weekday === '?'))
    return `${expression}: put ? in exactly one of day-of-month and day-of-week, such as cron(0 9 * * ? *) or cron(0 9 ? * MON-FRI *)`;
  return undefined;
}

function fieldAccepts(field: Field, value: string): boolean {
  if (field.extra.test(value)) return true;
  return value.split(',').every((item) => itemAccepts(field, item));
}

/** `*`, `n`, `a-b`, each optionally `/step`. */
function itemAccepts(field: Field, item: string): boolean {
  const [range, step, ...rest] = item.split('/');
  if (rest.length > 0 || range === undefined || range === '') return false;
  if (step !== undefined && !/^\d+$/.test(step)) return false;
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
