import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fromZodIssues } from '#shared/journey/violations.ts';
import { type JsonText, parseJsonBytes } from '#shared/json-text.ts';
import { Scenario as OneScenario, type Scenario, ScenarioList } from './scenario.ts';

/** Scenario files: `*.test.json` in the given files or folders; problems per file instead of throwing. */
export async function loadScenarios(
  paths: readonly string[],
  root: string,
): Promise<{ scenarios: { file: string; scenario: Scenario }[]; problems: string[] }> {
  const files: string[] = [];
  for (const path of paths) {
    const entries = await readdir(path).catch(() => undefined);
    if (entries === undefined) files.push(path);
    else
      files.push(
        ...entries
          .filter((e) => e.endsWith('.test.json'))
          .sort()
          .map((e) => join(path, e)),
      );
  }
  const scenarios: { file: string; scenario: Scenario }[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const name = relative(root, file);
    const read = await readScenarioFile(file);
    if (!read.ok) {
      problems.push(`${name}: ${read.message}`);
      continue;
    }
    const json = read.value;
    // Parsed by the shape the file has, so that problems name the wrong field.
    const isList = typeof json === 'object' && json !== null && 'scenarios' in json;
    // Issues carry the input: a wrong value is named with what was given.
    const parsed = isList
      ? ScenarioList.safeParse(json, { reportInput: true })
      : OneScenario.transform((s) => ({ scenarios: [s] })).safeParse(json, { reportInput: true });
    if (parsed.success) {
      for (const scenario of parsed.data.scenarios) scenarios.push({ file: name, scenario });
    } else
      problems.push(
        ...fromZodIssues(parsed.error.issues).map(
          (v) => `${name}: ${v.path === '(journey)' ? '(file)' : v.path}: ${v.message}`,
        ),
      );
  }
  return { scenarios, problems };
}

async function readScenarioFile(file: string): Promise<JsonText> {
  try {
    return parseJsonBytes(await readFile(file));
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : '';
    return {
      ok: false,
      message: code === 'ENOENT' ? 'file not found' : `cannot read the file (${code || String(error)})`,
    };
  }
}
