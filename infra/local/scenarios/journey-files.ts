import { access, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';

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

/** A journey file as an object; one that is not a JSON object is named, with how to see why. */
export async function readJourneyFile(file: string): Promise<JourneyJson> {
  const text = await readFile(file, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `${file} is not valid JSON (${error instanceof Error ? error.message : String(error)}): \`npx journeys validate ${file}\` shows where`,
    );
  }
  const journey = JourneyJson.safeParse(value);
  if (!journey.success) throw new Error(`${file} holds no journey: a journey file is one JSON object`);
  return journey.data;
}

/** Every journey file of the folder and of its examples that parses as JSON. */
export async function allJourneys(journeysDir: string): Promise<JourneyJson[]> {
  const journeys: JourneyJson[] = [];
  for (const dir of [journeysDir, join(journeysDir, 'examples')]) {
    const files = (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.json')).sort();
    for (const file of files) {
      const text = await readFile(join(dir, file), 'utf8');
      const journey = JourneyJson.safeParse(parseJson(text)).data;
      if (journey !== undefined) journeys.push(journey);
    }
  }
  return journeys;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
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
