import { DEFAULT_RETENTION, type Retention } from '#infra/local/runtime/options.ts';

/**
 * `journeys dev --retention key=value`: the caps of what the local runtime
 * keeps (infra/local/README.md, "What the runtime keeps"), one flag for all
 * five so `--help` lists them with their defaults in one place.
 */

type Key = keyof Retention;

const UNITS = new Map([
  ['', 1],
  ['B', 1],
  ['KB', 1024],
  ['MB', 1024 ** 2],
  ['GB', 1024 ** 3],
]);

/** Bytes, plain or with KB, MB or GB (powers of 1,024): `64MB`. */
function parseBytes(text: string): number | undefined {
  const match = /^(\d+)\s*([KMG]?B)?$/i.exec(text.trim());
  const unit = UNITS.get((match?.[2] ?? '').toUpperCase());
  if (match === null || unit === undefined) return undefined;
  const bytes = Number(match[1]) * unit;
  return bytes > 0 && Number.isSafeInteger(bytes) ? bytes : undefined;
}

function parseCount(text: string): number | undefined {
  if (!/^\d+$/.test(text.trim())) return undefined;
  const count = Number(text);
  return count > 0 && Number.isSafeInteger(count) ? count : undefined;
}

/** Each key, how its value reads, and what a wrong one is told. A Map: the key is the user's text. */
const KEYS = new Map<string, { key: Key; parse: (text: string) => number | undefined; expect: string }>([
  ['logBytes', { key: 'logBytes', parse: parseBytes, expect: 'a size such as 64MB, 512KB or 1048576' }],
  ['sentEmails', { key: 'sentEmails', parse: parseCount, expect: 'a positive whole number' }],
  ['closedExecutions', { key: 'closedExecutions', parse: parseCount, expect: 'a positive whole number' }],
  [
    'closedExecutionDays',
    { key: 'closedExecutionDays', parse: parseCount, expect: 'a positive whole number of days' },
  ],
  [
    'stateMachineVersions',
    { key: 'stateMachineVersions', parse: parseCount, expect: 'a positive whole number' },
  ],
]);

function shown(key: Key, value: number): string {
  return key === 'logBytes' && value % 1024 ** 2 === 0 ? `${value / 1024 ** 2}MB` : String(value);
}

/** The `--help` text: every key with its default. */
export function retentionHelp(): string {
  const defaults = [...KEYS.values()].map(({ key }) => `${key}=${shown(key, DEFAULT_RETENTION[key])}`);
  return `what the local runtime keeps, repeatable (defaults: ${defaults.join(', ')}); see infra/local/README.md`;
}

export type RetentionFlags = { ok: true; retention: Partial<Retention> } | { ok: false; message: string };

/** Reads the `--retention` values given; the first wrong one is reported, naming what it should be. */
export function parseRetention(pairs: readonly string[]): RetentionFlags {
  const retention: Partial<Retention> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const name = at < 0 ? pair : pair.slice(0, at);
    const spec = KEYS.get(name.trim());
    if (spec === undefined) {
      const known = [...KEYS.keys()].join(', ');
      return { ok: false, message: `--retention "${pair}": unknown key "${name}"; one of ${known}.` };
    }
    const text = at < 0 ? '' : pair.slice(at + 1);
    const value = spec.parse(text);
    if (value === undefined) {
      return { ok: false, message: `--retention ${spec.key} must be ${spec.expect}, got "${text}".` };
    }
    retention[spec.key] = value;
  }
  return { ok: true, retention };
}
