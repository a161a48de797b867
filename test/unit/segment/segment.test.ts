import { describe, expect, it } from 'vitest';
import { notRunnable, runIdOf } from '#shared/segment/run.ts';
import { scheduleAction, scheduleName } from '#shared/segment/schedule.ts';
import {
  BYTES_PER_SCAN_SEGMENT,
  ENROLL_BATCH,
  enrollItems,
  ITEMS_PER_SCAN_SEGMENT,
  SCAN_SEGMENTS,
  scanItems,
  scanSegmentsFor,
} from '#shared/segment/work.ts';

const segment = {
  type: 'segment',
  schedule: 'cron(0 9 ? * MON *)',
  segment: { path: 'profile.email', exists: true },
} as const;
const event = { type: 'event', event: 'Signed Up' } as const;
const deployed = (
  status: 'draft' | 'active' | 'paused' | 'archived',
  trigger: typeof segment | typeof event = segment,
) => ({
  journeyId: 'j',
  status,
  trigger,
  settings: { defaultTimezone: 'Europe/Rome' },
});

describe('scheduleAction', () => {
  it.each([
    {
      case: 'active segment',
      journey: deployed('active'),
      previous: undefined,
      expected: { kind: 'upsert', enabled: true },
    },
    {
      case: 'paused segment',
      journey: deployed('paused'),
      previous: undefined,
      expected: { kind: 'upsert', enabled: false },
    },
    {
      case: 'draft segment',
      journey: deployed('draft'),
      previous: undefined,
      expected: { kind: 'upsert', enabled: false },
    },
    {
      case: 'archived segment',
      journey: deployed('archived'),
      previous: undefined,
      expected: { kind: 'delete', name: 'journey-j' },
    },
    {
      case: 'segment became event',
      journey: deployed('active', event),
      previous: { trigger: segment },
      expected: { kind: 'delete' },
    },
    {
      case: 'event journey',
      journey: deployed('active', event),
      previous: { trigger: event },
      expected: { kind: 'none' },
    },
    {
      case: 'archived event journey',
      journey: deployed('archived', event),
      previous: undefined,
      expected: { kind: 'none' },
    },
  ] as const)('$case', ({ journey, previous, expected }) => {
    expect(scheduleAction(journey, previous)).toMatchObject(expected);
  });

  it('runs cron schedules in the journey time zone and rate schedules without one', () => {
    const cron = scheduleAction(deployed('active'));
    const rate = scheduleAction({ ...deployed('active'), trigger: { ...segment, schedule: 'rate(1 day)' } });
    expect(cron).toMatchObject({ expression: 'cron(0 9 ? * MON *)', timezone: 'Europe/Rome' });
    expect(rate).toMatchObject({ kind: 'upsert', expression: 'rate(1 day)' });
    expect(rate).not.toHaveProperty('timezone');
  });
});

describe('scheduleName', () => {
  it('keeps journey-<id> when it fits and shortens long ids deterministically to 64 characters', () => {
    const long = 'a'.repeat(63);
    expect(scheduleName('renewal')).toBe('journey-renewal');
    expect(scheduleName(long)).toHaveLength(64);
    expect(scheduleName(long)).toBe(scheduleName(long));
    expect(scheduleName(long)).not.toBe(scheduleName(`${'a'.repeat(62)}b`));
  });
});

describe('work items', () => {
  it('fans a run out into one scan item per Scan segment', () => {
    const items = scanItems('j', 'run');
    expect(items.map((i) => i.segment)).toEqual([...Array(SCAN_SEGMENTS).keys()]);
    expect(items.every((i) => i.totalSegments === SCAN_SEGMENTS && i.cursor === undefined)).toBe(true);
  });

  it.each([
    { table: 'empty', size: { items: 0, bytes: 0 }, segments: 1 },
    { table: 'of four profiles', size: { items: 4, bytes: 4_000 }, segments: 1 },
    { table: 'one segment full', size: { items: ITEMS_PER_SCAN_SEGMENT, bytes: 50e6 }, segments: 1 },
    { table: 'just over one segment', size: { items: ITEMS_PER_SCAN_SEGMENT + 1, bytes: 50e6 }, segments: 2 },
    { table: 'of large profiles', size: { items: 1_000, bytes: 3 * BYTES_PER_SCAN_SEGMENT }, segments: 3 },
    { table: 'of a million profiles', size: { items: 1_000_000, bytes: 1e9 }, segments: SCAN_SEGMENTS },
    { table: 'of a billion profiles', size: { items: 1e9, bytes: 1e12 }, segments: SCAN_SEGMENTS },
    { table: 'of unknown size', size: undefined, segments: SCAN_SEGMENTS },
  ])('reads a table $table with $segments Scan segment(s)', ({ size, segments }) => {
    expect(scanSegmentsFor(size)).toBe(segments);
  });

  it.each([0, 1, ENROLL_BATCH, ENROLL_BATCH + 1, 3 * ENROLL_BATCH])('batches %i customers', (n) => {
    const users = Array.from({ length: n }, (_, i) => `u${i}`);
    const items = enrollItems('j', 'run', users, { segment: 3, first: 7 });
    expect(items.flatMap((i) => i.userIds)).toEqual(users);
    expect(items.length).toBe(Math.ceil(n / ENROLL_BATCH));
    expect(items.map((i) => [i.segment, i.number])).toEqual(items.map((_, k) => [3, 7 + k]));
  });
});

describe('runs', () => {
  it('identifies a run by its scheduled time in UTC, or the fallback time', () => {
    expect(runIdOf('2026-11-30T10:00:00+01:00', new Date(0))).toBe('2026-11-30T09:00:00.000Z');
    expect(runIdOf(undefined, new Date('2026-11-30T09:00:00Z'))).toBe('2026-11-30T09:00:00.000Z');
  });

  const live = (overrides: object) => ({
    journeyId: 'j',
    name: 'j',
    status: 'active' as const,
    version: '1',
    versionArn: 'v',
    aliasArn: 'a',
    stateMachineArn: 's',
    trigger: segment,
    reentry: { mode: 'once' as const },
    settings: { defaultTimezone: 'UTC', startAt: '2026-11-01T00:00:00Z', endAt: '2026-12-31T00:00:00Z' },
    splits: {},
    requires: [],
    contextTypes: [],
    ...overrides,
  });
  it.each([
    { case: 'active, in its dates', journey: live({}), at: '2026-11-30T09:00:00Z', reason: undefined },
    {
      case: 'paused',
      journey: live({ status: 'paused' }),
      at: '2026-11-30T09:00:00Z',
      reason: 'status paused',
    },
    {
      case: 'event trigger',
      journey: live({ trigger: event }),
      at: '2026-11-30T09:00:00Z',
      reason: 'not segment-triggered',
    },
    { case: 'before start', journey: live({}), at: '2026-10-30T09:00:00Z', reason: 'before its start date' },
    { case: 'after end', journey: live({}), at: '2027-01-30T09:00:00Z', reason: 'after its end date' },
  ])('$case', ({ journey, at, reason }) => {
    expect(notRunnable(journey, new Date(at))).toBe(reason);
  });
});
