import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importPinpointJourney } from '#infra/cli/import-pinpoint/import.ts';
import { readPinpointSources } from '#infra/cli/import-pinpoint/sources.ts';

describe('readPinpointSources', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pinpoint-sources-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a JSON array of journeys (list-journeys --query JourneysResponse.Item, or get-journey outputs joined with jq -s) as each journey', async () => {
    // arrange
    const cart = JSON.parse(await readFile('test/fixtures/pinpoint/cart-abandonment.json', 'utf8'));
    const file = join(dir, 'journeys.json');
    await writeFile(file, JSON.stringify([cart, cart.JourneyResponse]));
    // act
    const read = await readPinpointSources(file);
    // assert
    expect(read.sources.map((s) => s.label)).toEqual([`${file} [0]`, `${file} [1]`]);
    for (const source of read.sources) {
      expect(source.ok).toBe(true);
      if (source.ok) expect(importPinpointJourney(source.value).ok).toBe(true);
    }
  });
});
