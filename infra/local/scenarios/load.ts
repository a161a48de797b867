import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { readJsonFile } from '#infra/cli/files.ts';
import { fromZodIssues, lazyFieldNames } from '#shared/journey/violations.ts';
import { jsonPositions, type Position, positionOf } from '#shared/json-text.ts';
import { type JourneyJson, readJourney } from './journey-files.ts';
import { checkReferences } from './references.ts';
import { Scenario as OneScenario, type Scenario, ScenarioList, scenarioJsonSchema } from './scenario.ts';

/**
 * A scenario read from a file; `at` is its JSON path there (`scenarios[1].`
 * in a list, empty alone); `positions` where the file writes each path.
 */
export type LoadedScenario = {
  file: string;
  at: string;
  scenario: Scenario;
  positions?: ReadonlyMap<string, Position>;
};

/**
 * The journey ids a file that failed the schema names, where they are
 * written: checked all the same, so a file's problems are reported at once.
 */
export type UnparsedJourneys = {
  file: string;
  at: string;
  journeys: [index: number, id: string][];
  positions?: ReadonlyMap<string, Position>;
};

/** `file:line:column: path: message`, as compilers print it (the line and column when the path is written). */
function problemAt(
  file: string,
  positions: ReadonlyMap<string, Position> | undefined,
  path: string,
  message: string,
): string {
  const at = positions === undefined ? undefined : positionOf(positions, path);
  return `${file}${at === undefined ? '' : `:${at.line}:${at.column}`}: ${path}: ${message}`;
}

/** The field names of scenario files, made once a file has an unknown field: a misspelt one is named with the one meant. */
const scenarioFields = lazyFieldNames(scenarioJsonSchema);

/** Scenario files: `*.test.json` in the given files or folders; problems per file instead of throwing. */
export async function loadScenarios(
  paths: readonly string[],
  root: string,
): Promise<{
  files: string[];
  scenarios: LoadedScenario[];
  problems: string[];
  unparsed: UnparsedJourneys[];
}> {
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
  const scenarios: LoadedScenario[] = [];
  const problems: string[] = [];
  const unparsed: UnparsedJourneys[] = [];
  const names: string[] = [];
  for (const file of files) {
    const name = relative(root, file);
    names.push(name);
    const read = await readJsonFile(file);
    if (!read.ok) {
      problems.push(`${name}: ${read.message}`);
      continue;
    }
    const json = read.value;
    const positions = jsonPositions(read.text);
    // Parsed by the shape the file has, so that problems name the wrong field.
    const isList = typeof json === 'object' && json !== null && 'scenarios' in json;
    // Issues carry the input: a wrong value is named with what was given.
    const parsed = isList
      ? ScenarioList.safeParse(json, { reportInput: true })
      : OneScenario.transform((s) => ({ scenarios: [s] })).safeParse(json, { reportInput: true });
    if (parsed.success) {
      for (const [i, scenario] of parsed.data.scenarios.entries())
        scenarios.push({ file: name, at: isList ? `scenarios[${i}].` : '', scenario, positions });
    } else {
      problems.push(
        ...fromZodIssues(parsed.error.issues, [], scenarioFields).map((v) =>
          problemAt(name, positions, v.path === '(journey)' ? '(file)' : v.path, v.message),
        ),
      );
      unparsed.push(...journeysNamed(json, isList).map((j) => ({ file: name, ...j, positions })));
    }
  }
  return { files: names, scenarios, problems, unparsed };
}

/** The string entries of each scenario's `journeys` in a file that failed the schema. */
function journeysNamed(json: unknown, isList: boolean): { at: string; journeys: [number, string][] }[] {
  const ids = (scenario: unknown): [number, string][] => {
    const list =
      typeof scenario === 'object' && scenario !== null ? (scenario as { journeys?: unknown }).journeys : [];
    if (!Array.isArray(list)) return [];
    return list.flatMap((id, i): [number, string][] => (typeof id === 'string' ? [[i, id]] : []));
  };
  if (!isList) return [{ at: '', journeys: ids(json) }];
  const list = (json as { scenarios?: unknown }).scenarios;
  return Array.isArray(list)
    ? list.map((scenario, i) => ({ at: `scenarios[${i}].`, journeys: ids(scenario) }))
    : [];
}

/**
 * Every problem of the loaded files, each file's together in file order: its
 * wrong fields, then the names nothing answers to (in a file that failed the
 * schema, its journey names still).
 */
export async function allProblems(
  loaded: {
    files: readonly string[];
    scenarios: readonly LoadedScenario[];
    problems: readonly string[];
    unparsed: readonly UnparsedJourneys[];
  },
  journeysDir: string,
): Promise<string[]> {
  const journeys = new Map<string, JourneyJson | string>();
  const named: string[] = [];
  for (const { file, at, journeys: ids, positions } of loaded.unparsed)
    for (const [i, id] of ids) {
      const journey = await journeyOf(journeys, journeysDir, id);
      if (typeof journey === 'string') named.push(problemAt(file, positions, `${at}journeys[${i}]`, journey));
    }
  const all = [...loaded.problems, ...named, ...(await referenceProblems(loaded.scenarios, journeysDir))];
  // Grouped by file, in the order the files were read; in a file, by where each is written.
  const key = (problem: string): [number, number, number] => {
    const file = loaded.files.findIndex((f) => problem.startsWith(`${f}:`));
    const at = /^:(\d+):(\d+):/.exec(problem.slice((loaded.files[file] ?? '').length));
    return [file, Number(at?.[1] ?? 0), Number(at?.[2] ?? 0)];
  };
  return all
    .map((problem, i) => ({ problem, i, key: key(problem) }))
    .sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.key[2] - b.key[2] || a.i - b.i)
    .map((p) => p.problem);
}

async function journeyOf(
  journeys: Map<string, JourneyJson | string>,
  journeysDir: string,
  id: string,
): Promise<JourneyJson | string> {
  const known = journeys.get(id);
  if (known !== undefined) return known;
  const journey = await readJourney(journeysDir, id).catch((error: unknown) =>
    error instanceof Error ? error.message : String(error),
  );
  journeys.set(id, journey);
  return journey;
}

/** The texts of the journeys folder's templates (none when it has no readable one): what their Liquid reads. */
async function templateTexts(journeysDir: string): Promise<string[]> {
  const dir = join(journeysDir, 'templates');
  const files = (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.json'));
  const texts = await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8').catch(() => '')));
  return texts;
}

/**
 * Names the scenarios use that their journeys or customers lack (a step, a
 * variant, a template, a customer, a journey), each with its file and JSON
 * path: refused before any runtime starts, like a wrong field.
 */
export async function referenceProblems(
  scenarios: readonly LoadedScenario[],
  journeysDir: string,
): Promise<string[]> {
  const journeys = new Map<string, JourneyJson | string>();
  const problems: string[] = [];
  const templates = await templateTexts(journeysDir);
  for (const { file, at, scenario, positions } of scenarios) {
    for (const id of scenario.journeys)
      if (!journeys.has(id))
        journeys.set(
          id,
          await readJourney(journeysDir, id).catch((error: unknown) =>
            error instanceof Error ? error.message : String(error),
          ),
        );
    for (const p of checkReferences(scenario, journeys, templates))
      problems.push(problemAt(file, positions, `${at}${p.path}`, p.message));
  }
  return problems;
}
