import { describe, expect, it } from 'vitest';
import { scenarioProblems as problemsOf } from '../../support/simulate-problems.ts';

/**
 * A generated property is an object of one key (`uniform`, `pick`, `id`,
 * `from`); any other object is a value taken as it is. One whose key is a
 * slip away from a generator's would put that object on every event — a
 * cart total the trigger cannot compare, an order value the goal cannot add
 * — so it is refused with the generator meant, at its line.
 */

describe('simulate: a property generator misspelt', () => {
  it('is named with the generator meant, in the entry and in a behaviour', async () => {
    // act
    const problems = await problemsOf(`{
  "customers": { "timezones": { "Europe/Rome": 1 } },
  "entry": {
    "event": "Cart Updated",
    "properties": { "cartId": { "ID": "cart" }, "total": { "unifrom": [15, 180] } }
  },
  "behaviour": [
    { "event": "Order Completed", "probability": 0.3, "within": "P2D",
      "properties": { "total": { "form": "trigger.properties.total" } } }
  ]
}
`);
    // assert
    const tail = 'the property would be this object as it is, on every event';
    expect(problems).toStrictEqual([
      `:5:33: entry.properties.cartId.ID: is not a generator (did you mean "id"?): ${tail}`,
      `:5:60: entry.properties.total.unifrom: is not a generator (did you mean "uniform"?): ${tail}`,
      `:9:34: behaviour[0].properties.total.form: is not a generator (did you mean "from"?): ${tail}`,
    ]);
  });

  it('takes objects that are values, short keys included', async () => {
    // act
    const problems = await problemsOf(`{
  "customers": { "timezones": { "Europe/Rome": 1 } },
  "entry": {
    "event": "Cart Updated",
    "properties": { "cartId": { "id": "cart" }, "total": 40, "client": { "ip": "192.0.2.1" }, "meta": { "source": "web" } }
  }
}
`);
    // assert
    expect(problems).toStrictEqual([]);
  });
});
