import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJourney } from '#infra/local/scenarios/journey-files.ts';

/**
 * A scenario's journey file that is broken (a marketer's unfinished edit)
 * stops the scenario with the file named and where it breaks, not with the
 * parser's message alone ("Unterminated string in JSON at position 200").
 */

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scenario-journeys-'));
  await writeFile(join(dir, 'welcome.json'), '{ "id": "welcome", "name": "Welcome');
  await writeFile(join(dir, 'list.json'), '[1, 2]');
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe("a scenario's journey file", () => {
  it('that is not JSON is named, with the line and column where it breaks', async () => {
    const file = join(dir, 'welcome.json');
    await expect(readJourney(dir, 'welcome')).rejects.toThrow(
      `${file}: not valid JSON: Unterminated string at line 1, column 36`,
    );
  });

  it('that is JSON but no object is named', async () => {
    await expect(readJourney(dir, 'list')).rejects.toThrow(`${join(dir, 'list.json')} holds no journey`);
  });
});
