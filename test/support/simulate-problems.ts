import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInputs } from '#infra/simulate/cli/inputs.ts';

const JOURNEY = join(import.meta.dirname, '..', '..', 'journeys', 'cart-abandonment.json');

/** The problems `journeys simulate` names in a scenario file of this text (for cart-abandonment), each from after the file's path. */
export async function scenarioProblems(text: string): Promise<string[]> {
  const file = join(await mkdtemp(join(tmpdir(), 'simulate-')), 'spec.json');
  await writeFile(file, text);
  const loaded = await loadInputs(JOURNEY, file);
  return loaded.ok ? [] : loaded.problems.map((p) => p.slice(file.length));
}
