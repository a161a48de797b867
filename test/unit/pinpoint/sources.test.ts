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

  it('reads an export Windows PowerShell saved as UTF-16 with a byte order mark, as the same journey', async () => {
    // arrange: `aws pinpoint get-journey ... > cart.json` in PowerShell 5 (UTF-16LE, BOM, CRLF)
    const utf8 = await readPinpointSources('test/fixtures/pinpoint/cart-abandonment.json');
    // act
    const read = await readPinpointSources('test/fixtures/pinpoint/cart-abandonment-utf16.json');
    // assert
    const [source] = read.sources;
    expect(source?.ok).toBe(true);
    expect(source?.ok ? importPinpointJourney(source.value) : undefined).toEqual(
      utf8.sources[0]?.ok ? importPinpointJourney(utf8.sources[0].value) : 'unread',
    );
  });

  it('names a UTF-16 file whose text is broken, instead of reading it as something else', async () => {
    // arrange: a byte order mark, then half a character
    const file = join(dir, 'cut.json');
    await writeFile(file, Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d]));
    // act
    const read = await readPinpointSources(file);
    // assert
    expect(read.sources).toEqual([
      { label: file, ok: false, message: 'not UTF-16LE text: save it as UTF-8' },
    ]);
  });
});
