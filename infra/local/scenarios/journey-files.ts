import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { readJsonFile } from '#infra/cli/files.ts';

/** A journey file read loosely: a scenario edits and copies it, deploy-journey validates it. */
export const JourneyJson = z.record(z.string(), z.unknown());
export type JourneyJson = z.infer<typeof JourneyJson>;

/**
 * A scenario's journey by id: `<journeys>/<id>.json`, else the example
 * `<journeys>/examples/<id>.json` (examples that need something the default
 * deployment lacks, such as a webhook connection, live there).
 */
export async function readJourney(journeysDir: string, id: string): Promise<JourneyJson> {
  return readJourneyFile(await journeyFile(journeysDir, id));
}

/** The file of the journey `id`: in the journeys folder, else in its examples. */
export async function journeyFile(journeysDir: string, id: string): Promise<string> {
  const candidates = [join(journeysDir, `${id}.json`), join(journeysDir, 'examples', `${id}.json`)];
  for (const file of candidates) {
    const found = await access(file).then(
      () => true,
      () => false,
    );
    if (found) return file;
  }
  throw new Error(`no journey "${id}": neither ${candidates.join(' nor ')} exists`);
}

/**
 * A journey file as an object, read as `journeys validate` and the deploy
 * read it (a UTF-8 byte order mark skipped, at most 4 MB): a folder, a file
 * too large, bytes that are not UTF-8 and a syntax error (with its line and
 * column) are named with the file, as is one that is not a JSON object.
 */
export async function readJourneyFile(file: string): Promise<JourneyJson> {
  const read = await readJsonFile(file);
  if (!read.ok) throw new Error(`${file}: ${read.message}`);
  const journey = JourneyJson.safeParse(read.value);
  if (!journey.success) throw new Error(`${file} holds no journey: a journey file is one JSON object`);
  return journey.data;
}

/** Every journey file of the folder and of its examples that reads as a JSON object; the others are passed over. */
export async function allJourneys(journeysDir: string): Promise<JourneyJson[]> {
  const journeys: JourneyJson[] = [];
  for (const dir of [journeysDir, join(journeysDir, 'examples')]) {
    const files = (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.json')).sort();
    for (const file of files) {
      const read = await readJsonFile(join(dir, file));
      const journey = read.ok ? JourneyJson.safeParse(read.value).data : undefined;
      if (journey !== undefined) journeys.push(journey);
    }
  }
  return journeys;
}

const WebhookStep = z.object({ type: z.literal('webhook'), connection: z.string(), url: z.string() }).loose();
const Steps = z.object({ steps: z.record(z.string(), z.unknown()) }).loose();

/**
 * The webhook connections journeys call, each with the origin of its URLs
 * as the base URL (every URL of a connection must share it).
 */
export function webhookBases(journeys: readonly JourneyJson[]): Map<string, string> {
  const bases = new Map<string, string>();
  for (const journey of journeys) {
    for (const step of Object.values(Steps.safeParse(journey).data?.steps ?? {})) {
      const webhook = WebhookStep.safeParse(step).data;
      if (webhook === undefined || bases.has(webhook.connection) || !URL.canParse(webhook.url)) continue;
      bases.set(webhook.connection, new URL(webhook.url).origin);
    }
  }
  return bases;
}
