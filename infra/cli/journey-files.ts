import { basename } from 'node:path';
import { type Journey, journeyJsonSchema } from '#shared/journey/schema.ts';
import { type Violation, validateJourney } from '#shared/journey/validate.ts';
import { lazyFieldNames } from '#shared/journey/violations.ts';
import { jsonLocator, type Position } from '#shared/json-text.ts';
import { loadTemplates, readJsonFile, type TemplateProblem, templatesDirFor } from './files.ts';

/** A problem with where in the file it is written (its field, or the nearest one written: a missing field's object). */
export type LocatedViolation = Violation & Partial<Position>;

/**
 * The outcome of checking one journey file; `warnings` say what may fail
 * depending on the events that arrive, `notes` what was not checked.
 */
export type FileReport = {
  file: string;
  journey?: Journey;
  violations: LocatedViolation[];
  warnings?: LocatedViolation[];
  notes?: string[];
};

/** Steps that name a template. */
const TEMPLATE_STEPS: ReadonlySet<string> = new Set(['email', 'sms', 'push']);

/** Checks journey files against the language and the templates beside them (cached per folder). */
export class JourneyChecker {
  private readonly catalogs = new Map<string, Awaited<ReturnType<typeof loadTemplates>>>();
  readonly templateProblems: TemplateProblem[] = [];
  /** The language's field names, made when a file has an unknown field: a misspelt one is reported with the one it was meant to be. */
  private readonly fields = lazyFieldNames(journeyJsonSchema);

  constructor(private readonly templatesDir?: string) {}

  async check(file: string): Promise<FileReport> {
    const json = await readJsonFile(file);
    if (!json.ok)
      return { file, violations: [{ path: '(file)', code: 'json.invalid', message: json.message }] };
    const dir = this.templatesDir ?? templatesDirFor(file);
    const templates = await this.catalogFor(dir);
    // A folder named with --templates that is not there is a mistake, not "nothing to check".
    if (templates === undefined && this.templatesDir !== undefined)
      return {
        file,
        violations: [
          { path: '(file)', code: 'template.missing', message: `the templates folder ${dir} does not exist` },
        ],
      };
    const result = validateJourney(json.value, {
      templates: templates?.catalog,
      templateBodies: templates?.bodies,
      fields: this.fields,
    });
    const locate: (v: Violation) => LocatedViolation = jsonLocator(json.text);
    const warnings = result.warnings.map(locate);
    if (!result.ok)
      return {
        file,
        violations: result.violations.map((v) => locate(invalidNotMissing(v, templates?.problems ?? []))),
        warnings,
      };
    // The deploy takes a journey only from journeys/<id>.json: say so before the upload is rejected.
    const named = basename(file, '.json');
    if (file.endsWith('.json') && named !== result.journey.id)
      warnings.push(
        locate({
          path: 'id',
          code: 'id.file-name',
          message: `the file is named ${basename(file)}, but a deploy takes journey "${result.journey.id}" only as journeys/${result.journey.id}.json: rename the file or the id`,
        }),
      );
    const sends = Object.values(result.journey.steps).some((s) => TEMPLATE_STEPS.has(s.type));
    const notes =
      templates === undefined && sends ? [`templates not checked: there is no folder ${dir}`] : [];
    return { file, journey: result.journey, violations: [], warnings, notes };
  }

  private async catalogFor(dir: string) {
    if (!this.catalogs.has(dir)) {
      const loaded = await loadTemplates(dir);
      this.catalogs.set(dir, loaded);
      this.templateProblems.push(...(loaded?.problems ?? []));
    }
    return this.catalogs.get(dir);
  }
}

/**
 * A template that is there but broken is not "missing": the violation says
 * it is not valid, and why (the catalog holds only the templates that load).
 */
function invalidNotMissing(violation: Violation, problems: readonly TemplateProblem[]): Violation {
  if (violation.code !== 'template.missing') return violation;
  const named = /^There is no template "(.*)" \(expected/.exec(violation.message)?.[1];
  const own = problems.filter((p) => named !== undefined && basename(p.file, '.json') === named);
  if (own.length === 0) return violation;
  return {
    ...violation,
    code: 'template.invalid',
    message: `Template "${named}" (templates/${named}.json) is not valid: ${own.map((p) => p.message).join('; ')}.`,
  };
}

/** Two files that define the same journey id would overwrite each other's state machine. */
export function duplicateIds(reports: readonly FileReport[]): Map<string, string[]> {
  const byId = new Map<string, string[]>();
  for (const report of reports) {
    if (report.journey === undefined) continue;
    byId.set(report.journey.id, [...(byId.get(report.journey.id) ?? []), report.file]);
  }
  return new Map([...byId].filter(([, files]) => files.length > 1));
}
