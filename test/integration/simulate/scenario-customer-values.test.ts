import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInputs } from '#infra/simulate/cli/inputs.ts';

/**
 * A scenario's customers are played through ingest, which leaves out a time
 * zone or reserved trait of the wrong kind: such customers would be forecast
 * in the journey's default zone, or without the address, while the forecast
 * reads as the scenario asked. The scenario is refused instead, naming the
 * value.
 */

const JOURNEY = join(import.meta.dirname, '..', '..', '..', 'journeys', 'cart-abandonment.json');

async function problemsOf(customers: Record<string, unknown>): Promise<string[]> {
  const file = join(await mkdtemp(join(tmpdir(), 'simulate-')), 'customers.json');
  await writeFile(file, JSON.stringify({ customers, entry: { event: 'Cart Updated' } }));
  const loaded = await loadInputs(JOURNEY, file);
  // Past `<file>:<line>:<column>: `: the place of each is a test of its own.
  return loaded.ok ? [] : loaded.problems.map((p) => p.slice(file.length).replace(/^:\d+:\d+: /, ''));
}

describe('simulate: the customers a scenario describes', () => {
  it('refuses a time zone that is no IANA name, naming it', async () => {
    const problems = await problemsOf({
      timezones: { 'Europe/Rome': 5, 'America/NewYork': 3, 'Mars/Olympus_Mons': 1, '': 1 },
    });
    expect(problems).toStrictEqual([
      'customers.timezones["America/NewYork"]: must be an IANA time zone such as Europe/Rome or America/New_York',
      'customers.timezones["Mars/Olympus_Mons"]: must be an IANA time zone such as Europe/Rome or America/New_York',
      'customers.timezones[""]: must not be empty',
    ]);
  });

  it('refuses a reserved trait value the profile would leave out', async () => {
    const problems = await problemsOf({
      timezones: { UTC: 1 },
      traits: { locale: { '"it"': 1, '"Italian, please"': 1 }, plan: { '"pro"': 1, 'not json': 1 } },
    });
    expect(problems).toStrictEqual([
      'customers.traits.locale["\\"Italian, please\\""]: must be a locale such as en-US or it',
    ]);
  });

  it('takes a scenario whose zones and traits are all ones ingest keeps', async () => {
    const problems = await problemsOf({
      timezones: { 'Asia/Kathmandu': 1, UTC: 1, 'America/Argentina/Buenos_Aires': 1 },
      traits: { locale: { '"pt_BR"': 1, null: 1 } },
    });
    expect(problems).toStrictEqual([]);
  });
});
