import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

// No CPU-bound limit: a loaded 2-core machine is slow to start a local runtime.
const CLI_TIMEOUT = 180_000;

/** test/fixtures/scenarios holds the journeys, their templates and tests/*.test.json. */
const JOURNEYS = join('test', 'fixtures', 'scenarios');

/**
 * Journeys a new user writes, each with its test file, run one file at a
 * time (each starts a runtime of its own).
 */
describe('npx journeys test on journeys a new user writes', () => {
  it.each([
    ['prototype names as ids and fields', 'inherited-names', '1 scenario(s), 5'],
    ['a daily cap that defers', 'daily-email-cap', '1 scenario(s), 2'],
    ['quiet hours in the journey zone', 'kathmandu-quiet-hours', '1 scenario(s), 3'],
    ['local times in the zone each profile holds', 'customer-zones', '1 scenario(s), 3'],
    ['an event at the instant of a timeout after it', 'same-instant', '2 scenario(s), 2'],
    ['untilDate offsets across daylight-saving changes', 'renewal-offsets', '1 scenario(s), 4'],
    ['a loop back to a wait its own answer ended', 'cart-nudge-loop', '2 scenario(s), 6'],
    [
      'dates without an offset in the customer zone, in waits and conditions',
      'trial-ending',
      '1 scenario(s), 2',
    ],
  ])(
    'passes %s',
    async (_what, name, counts) => {
      // act
      const result = await runCli([
        'test',
        '--journeys-dir',
        JOURNEYS,
        join(JOURNEYS, 'tests', `${name}.test.json`),
      ]);
      // assert
      expect(result.stdout).toContain(`${counts} expectation(s): all passed`);
      expect(result.code).toBe(0);
    },
    CLI_TIMEOUT,
  );
});

describe('npx journeys test timelines', () => {
  it(
    "show a customer without a zone of their own on the journey's default zone, as they wait in it",
    async () => {
      // act: a scenario that fails on purpose, so the customer's timeline prints
      const result = await runCli([
        'test',
        '--journeys-dir',
        JOURNEYS,
        join(JOURNEYS, 'timeline-default-zone.json'),
      ]);
      // assert: 09:00 in New York on the day summer time begins, not 13:00 "UTC" among local times
      expect(result.stdout).toContain('timeline of nozone (times in America/New_York)');
      expect(result.stdout).toContain('wait   trial-ending/wait-3d-before until Sun 08 Mar 09:00 local');
      expect(result.code).toBe(1);
    },
    CLI_TIMEOUT,
  );
});
