import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCaps } from '#shared/delivery/policy.ts';
import { validateJourney } from '#shared/journey/validate.ts';
import type { TemplateCatalog } from '#shared/templates.ts';
import { addDuration, entryWindowStart } from '#shared/time.ts';
import '../../support/property-seed.ts';

/**
 * Every duration a journey may write keeps the runtime's date arithmetic in
 * range, and the windows that keep a record alive (a cap's sends, a
 * cooldown's entry record, an enrollment until its goal window closes) are
 * bounded, so storage stays bounded. A window the runtime could not compute
 * is refused by validation, naming the field, rather than deployed and
 * failing every event or send it touches.
 */

const journeyWith = (patch: Record<string, unknown>, steps?: Record<string, unknown>) => ({
  id: 'bounded',
  name: 'Bounded',
  trigger: { type: 'event', event: 'Cart Updated' },
  start: 'hello',
  steps: steps ?? {
    hello: { type: 'email', template: 'hello', next: 'done' },
    done: { type: 'exit' },
  },
  ...patch,
});

const templates: TemplateCatalog = new Map([
  ['hello', 'email'],
  ['nudge', 'push'],
]);

function problems(journey: unknown): string[] {
  const result = validateJourney(journey, { templates });
  return result.ok ? [] : result.violations.map((v) => `${v.path} | ${v.message}`);
}

/** The fields whose window sets how long a record lives, each with the runtime arithmetic that reads it. */
const windows = {
  'settings.caps[0].within': {
    journey: (d: string) => journeyWith({ settings: { caps: [{ max: 1, within: d }] } }),
    run: (d: string, now: Date) => {
      const sends = { email: [new Date(now.getTime() - 1000).toISOString()], sms: [], push: [] };
      const check = checkCaps(sends, [{ max: 1, within: d }], 'email', now);
      return check.allowed ? now : check.until;
    },
  },
  'reentry.cooldown': {
    journey: (d: string) => journeyWith({ reentry: { mode: 'after', cooldown: d } }),
    run: (d: string, now: Date) => {
      entryWindowStart(now, d, 'Europe/Rome').toISOString();
      return addDuration(now, d);
    },
  },
  'goal.within': {
    journey: (d: string) => journeyWith({ goal: { event: 'Order Completed', within: d } }),
    run: (d: string, now: Date) => addDuration(now, d),
  },
} as const;

describe('a window that keeps a record alive', () => {
  it.each(Object.keys(windows))('%s is refused past a year and a day, naming the field and why', (field) => {
    const { journey } = windows[field as keyof typeof windows];
    expect(problems(journey('P366D'))).toStrictEqual([]);
    const [refused] = problems(journey('P367D'));
    expect(refused).toMatch(
      new RegExp(`^${field.replace(/[[\]().]/g, '\\$&')} \\| P367D is too long: give at most P366D \\(`),
    );
  });

  it.each(['P1000Y', 'P300000Y', 'P99999999999999999999Y', 'PT99999999999999999999S'])(
    'of %s is refused before it reaches the runtime',
    (duration) => {
      for (const [field, { journey }] of Object.entries(windows)) {
        expect(problems(journey(duration)).some((p) => p.startsWith(`${field} | `))).toBe(true);
      }
    },
  );

  it('accepted, is one the runtime computes an instant for', () => {
    const digits = fc.oneof(fc.nat(400), fc.bigInt({ min: 0n, max: 10n ** 20n - 1n }));
    const unit = fc.constantFrom('Y', 'M', 'W', 'D', 'H', 'TM', 'S');
    const duration = fc
      .tuple(digits, unit)
      .map(([n, u]) => (u === 'H' || u === 'S' ? `PT${n}${u}` : u === 'TM' ? `PT${n}M` : `P${n}${u}`));
    const now = new Date('2026-03-29T00:30:00Z');
    fc.assert(
      fc.property(
        duration,
        fc.constantFrom(...(Object.keys(windows) as (keyof typeof windows)[])),
        (d, field) => {
          const { journey, run } = windows[field];
          if (problems(journey(d)).length > 0) return;
          expect(Number.isNaN(run(d, now).getTime())).toBe(false);
        },
      ),
    );
  });
});

describe('a frequency cap window', () => {
  it('of under a minute is refused as too short', () => {
    expect(problems(journeyWith({ settings: { caps: [{ max: 1, within: 'PT0.5S' }] } }))).toStrictEqual([
      'settings.caps[0].within | PT0.5S is too short: give at least PT1M (a frequency cap counts messages over a minute or more).',
    ]);
    expect(problems(journeyWith({ settings: { caps: [{ max: 1, within: 'PT1M' }] } }))).toStrictEqual([]);
  });
});

describe('a push time to live', () => {
  const push = (timeToLive: string) =>
    journeyWith(
      {},
      {
        hello: { type: 'push', template: 'nudge', timeToLive, next: 'done' },
        done: { type: 'exit' },
      },
    );

  it('is at most the 28 days push services keep a notification', () => {
    const result = (ttl: string) => problems(push(ttl)).filter((p) => p.startsWith('steps.hello.timeToLive'));
    expect(result('P28D')).toStrictEqual([]);
    expect(result('P29D')).toStrictEqual([
      'steps.hello.timeToLive | P29D is too long: give at most P28D (push services keep an undelivered notification 28 days at most).',
    ]);
  });
});

describe('any duration in a journey', () => {
  it('reaches at most 200 years, so an untilDate offset or a condition window stays on the calendar', () => {
    const steps = {
      hello: {
        type: 'wait',
        untilDate: { path: 'profile.traits.birthDate', offset: 'P300000Y' },
        next: 'done',
      },
      done: { type: 'exit' },
    };
    expect(problems(journeyWith({}, steps))).toStrictEqual([
      'steps.hello.untilDate.offset | must be at most P200Y (200 years) before or after',
    ]);
    const adult = {
      ...steps,
      hello: { ...steps.hello, untilDate: { path: 'profile.traits.birthDate', offset: 'P18Y' } },
    };
    expect(problems(journeyWith({}, adult))).toStrictEqual([]);
    expect(
      problems(journeyWith({ audience: { path: 'profile.traits.birthDate', olderThan: 'P300000Y' } })),
    ).toStrictEqual(['audience.olderThan | must be at most P200Y (200 years)']);
  });
});
