import { describe, expect, it } from 'vitest';
import { runScenarios } from '#infra/local/scenarios/run-scenario.ts';
import { Scenario } from '#infra/local/scenarios/scenario.ts';
import { E2E_TIMEOUT, PROJECT_JOURNEYS } from './support/local-runtime.ts';

/**
 * Every scenario customer has an email address, whatever their id: an id
 * that cannot be the local part of one (an identity provider's `auth0|42`,
 * a name with a space, another script) still gets the welcome email.
 */

const IDS = ['auth0|42', 'Ada Lovelace', '客户-7', 'ok-id'];

describe('scenario customers named by ids that are no address', () => {
  it(
    'each gets its email',
    async () => {
      // arrange
      const scenario = Scenario.parse({
        name: 'ids that are no address',
        journeys: ['welcome-series'],
        start: '2026-03-02T14:00:00Z',
        customers: IDS.map((id) => ({
          id,
          timezone: 'America/New_York',
          traits: { accountType: 'personal' },
        })),
        expect: IDS.map((user) => ({ message: { user, channel: 'email', template: 'welcome', at: '+0h' } })),
      });
      // act
      const [result] = await runScenarios([{ file: 'ids.test.json', scenario }], PROJECT_JOURNEYS);
      // assert
      expect({ error: result?.error, ok: result?.verdicts.map((v) => v.ok) }).toStrictEqual({
        error: undefined,
        ok: IDS.map(() => true),
      });
    },
    E2E_TIMEOUT,
  );
});
