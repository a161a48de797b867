import { toMermaid } from '#shared/journey/mermaid.ts';
import { journeyJsonSchema } from '#shared/journey/schema.ts';
import { validateJourney } from '#shared/journey/validate.ts';
import { lazyFieldNames } from '#shared/journey/violations.ts';
import { jsonLocator } from '#shared/json-text.ts';
import { readJsonFile } from '../files.ts';
import { fail } from '../output.ts';
import { printViolations } from './validate.ts';

/**
 * `journeys graph <file>`: a Mermaid flowchart of a structurally valid journey
 * (templates are not needed to draw it). A broken one gets each problem at its
 * line and column, as `validate` prints them.
 */
export async function graphCommand(file: string, options: { markdown?: boolean }): Promise<void> {
  const json = await readJsonFile(file);
  if (!json.ok) {
    fail(`${file}: ${json.message}`);
    return;
  }
  const result = validateJourney(json.value, { fields: lazyFieldNames(journeyJsonSchema) });
  if (!result.ok) {
    printViolations({ file, violations: result.violations.map(jsonLocator(json.text)) });
    fail(`${file} was not drawn: fix the problems above first.`);
    return;
  }
  const chart = toMermaid(result.journey);
  process.stdout.write(options.markdown ? `\`\`\`mermaid\n${chart}\`\`\`\n` : chart);
}
