import { toMermaid } from '#shared/journey/mermaid.ts';
import { validateJourney } from '#shared/journey/validate.ts';
import { readJsonFile } from '../files.ts';
import { fail } from '../output.ts';

/** `journeys graph <file>`: a Mermaid flowchart of a structurally valid journey. */
export async function graphCommand(file: string, options: { markdown?: boolean }): Promise<void> {
  const json = await readJsonFile(file);
  if (!json.ok) {
    fail(`${file}: ${json.message}`);
    return;
  }
  const result = validateJourney(json.value);
  if (!result.ok) {
    fail(
      `${file} is not a valid journey (${result.violations.length} problems); run \`journeys validate ${file}\` to see them.`,
    );
    return;
  }
  const chart = toMermaid(result.journey);
  process.stdout.write(options.markdown ? `\`\`\`mermaid\n${chart}\`\`\`\n` : chart);
}
