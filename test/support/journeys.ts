import { readdirSync, readFileSync } from 'node:fs';
import { Journey } from '#shared/journey/schema.ts';

const JOURNEYS_DIR = new URL('../../journeys/', import.meta.url);

/** The example journeys of journeys/*.json (the files with steps; others are sample data), parsed, by file name. */
export function exampleJourneys(): Journey[] {
  return readdirSync(JOURNEYS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(new URL(f, JOURNEYS_DIR), 'utf8')))
    .filter((data: unknown) => typeof data === 'object' && data !== null && 'steps' in data)
    .map((data: unknown) => Journey.parse(data));
}

/** The examples of journeys/examples/ (they need a stack setting, such as a webhook connection), parsed. */
export function settingExampleJourneys(): Journey[] {
  const dir = new URL('examples/', JOURNEYS_DIR);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => Journey.parse(JSON.parse(readFileSync(new URL(f, dir), 'utf8'))));
}
