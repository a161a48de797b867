import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarios } from '#infra/local/scenarios/load.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scenario-files-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function problemsOf(name: string, content: string | Uint8Array): Promise<string[]> {
  await writeFile(join(dir, name), content);
  return (await loadScenarios([join(dir, name)], dir)).problems;
}

describe('a scenario file that cannot run is refused with each wrong field, before any runtime starts', () => {
  it('names the field, the form it needs and the value given', async () => {
    // act
    const problems = await problemsOf(
      'wrong.test.json',
      JSON.stringify({
        name: 'Wrong',
        journeys: ['cart-abandonment'],
        start: 'yesterday',
        customers: [{ id: 'ana', timezone: 'Mars/Olympus' }],
        events: [
          { at: '+1x', user: 'ana', track: 'Cart Updated' },
          { at: '+0h', user: 'ana' },
        ],
        expect: [{ trait: { user: 'ana', name: 'plan', is: 'pro' } }, {}],
      }),
    );
    // assert
    expect(problems).toStrictEqual([
      'wrong.test.json: start: must be an ISO 8601 instant with a zone, such as 2026-03-02T09:00:00Z',
      'wrong.test.json: customers[0].timezone: must be an IANA time zone such as Europe/Rome',
      'wrong.test.json: events[0].at: must be an ISO 8601 instant with a zone (2026-03-02T09:00:00Z) or +<duration> (+2h, +30m, +1d, +P1DT2H)',
      'wrong.test.json: events[1]: must be { "track": … }, { "identify": … }, { "deploy": …, "set": … }, { "opens": … } or { "clicks": … }, got an object with "at", "user"',
      'wrong.test.json: expect[0].trait.equals: is required',
      'wrong.test.json: expect[0].trait: has an unknown field "is"',
      'wrong.test.json: expect[1]: must be { "message": … }, { "noMessage": … }, { "path": … }, { "outcome": … }, { "trait": … }, { "share": … } or { "webhook": … }, got an empty object',
    ]);
  });

  it('names bytes that are not UTF-8 and an empty file', async () => {
    expect(await problemsOf('latin1.test.json', Buffer.from('{"name": "Caf\xe9"}', 'latin1'))).toStrictEqual([
      'latin1.test.json: not UTF-8 text (near byte 14, line 1): save it as UTF-8',
    ]);
    expect(await problemsOf('empty.test.json', '')).toStrictEqual([
      'empty.test.json: empty: a JSON document was expected',
    ]);
  });
});
