import { copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PROJECT_JOURNEYS = join(import.meta.dirname, '..', '..', '..', 'journeys');

/** A temp data dir and a temp copy of the project's journeys, so a test never touches the repo. */
export type Sandbox = { dataDir: string; journeysDir: string; remove: () => Promise<void> };

const SCHEMA = 'journey.schema.json';

/**
 * A temp copy of the project's journeys, as a story needs them: the journeys
 * (all, or with `only` just those), the JSON Schema, and the templates they
 * send plus `templates`, which the story's own journeys send. Nothing else,
 * as `journeys test` copies a scenario's: every file of the folder is
 * announced to the deploy at boot, and every journey's deploy reads every
 * template, so a template or a file no journey uses costs each boot and
 * redeploy and tells the story nothing. The full copy (no `only`) keeps the
 * demo's events, as `npm start` runs them; the folder's other files (the
 * examples folder, `journeys test` scenarios) are never deployed.
 */
export async function sandbox(
  only?: readonly string[],
  options: { templates?: readonly string[] } = {},
): Promise<Sandbox> {
  const dataDir = await mkdtemp(join(tmpdir(), 'journeys-e2e-data-'));
  const journeysDir = await mkdtemp(join(tmpdir(), 'journeys-e2e-journeys-'));
  const journeys = (await readdir(PROJECT_JOURNEYS)).filter(
    (f) => f.endsWith('.json') && f !== SCHEMA && (only === undefined || only.includes(f.slice(0, -5))),
  );
  const sent = new Set(options.templates);
  for (const file of journeys) {
    const text = await readFile(join(PROJECT_JOURNEYS, file), 'utf8');
    for (const name of templatesNamed(JSON.parse(text))) sent.add(name);
  }
  for (const file of [...journeys, SCHEMA])
    await copyFile(join(PROJECT_JOURNEYS, file), join(journeysDir, file));
  await mkdir(join(journeysDir, 'templates'));
  for (const name of sent) await copyTemplate(journeysDir, name);
  if (only === undefined)
    await cp(join(PROJECT_JOURNEYS, 'demo'), join(journeysDir, 'demo'), { recursive: true });
  return {
    dataDir,
    journeysDir,
    remove: async () => {
      await rm(dataDir, { recursive: true, force: true });
      await rm(journeysDir, { recursive: true, force: true });
    },
  };
}

/** Copies a project template into a sandbox's journeys, for a journey the story writes itself. */
export function copyTemplate(journeysDir: string, name: string): Promise<void> {
  const file = `${name}.json`;
  return copyFile(join(PROJECT_JOURNEYS, 'templates', file), join(journeysDir, 'templates', file));
}

/** Every template a journey definition names: a step's, a fallback's, wherever `template` is set. */
function templatesNamed(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(templatesNamed);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === 'template' && typeof inner === 'string' ? [inner] : templatesNamed(inner),
  );
}
