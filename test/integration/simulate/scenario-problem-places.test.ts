import { describe, expect, it } from 'vitest';
import { scenarioProblems as problemsOf } from '../../support/simulate-problems.ts';

/**
 * A simulation scenario is a file a marketer edits by hand, as a journey or a
 * `journeys test` scenario is: each of its problems is named at the line and
 * column where it is written, in words (a misspelt field with the one meant,
 * a value out of range with what was given), never as a schema library's
 * message at a dotted path.
 */

describe('simulate: where and why a scenario is refused', () => {
  it('names a misspelt field with the one meant and a value out of range with the value, at their lines', async () => {
    // act
    const problems = await problemsOf(`{
  "customers": { "timezones": { "Europe/Rome": 1 } },
  "entry": { "event": "Cart Updated" },
  "behaviour": [
    { "event": "Order Completed", "probabilty": 0.3, "within": "P2D" }
  ],
  "messages": { "sms": { "undelivered": 1.5 } }
}
`);
    // assert
    expect(problems).toStrictEqual([
      ':5:5: behaviour[0].probability: is required',
      ':5:5: behaviour[0]: has an unknown field "probabilty" (did you mean "probability"?)',
      ':7:26: messages.sms.undelivered: must be at most 1, got the number 1.5',
    ]);
  });

  it('places what the journey or ingest would not take: an event it never reads, a zone, a trait value', async () => {
    // act
    const problems = await problemsOf(`{
  "customers": {
    "timezones": { "Europe/Rom": 1 },
    "traits": { "locale": { "\\"Italian, please\\"": 1 } }
  },
  "entry": { "event": "Cart Updated" },
  "behaviour": [
    { "event": "Cart Emptyed", "probability": 0.1, "within": "P1D" }
  ]
}
`);
    // assert
    expect(problems.map((p) => p.split(': ').slice(0, 2).join(': '))).toStrictEqual([
      ':8:7: behaviour[0].event',
      ':3:20: customers.timezones["Europe/Rom"]',
      ':4:29: customers.traits.locale["\\"Italian, please\\""]',
    ]);
  });
});
