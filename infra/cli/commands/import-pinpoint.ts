import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ImportedTemplate, importPinpointJourney } from '#infra/cli/import-pinpoint/import.ts';
import { validateJourney } from '#shared/journey/validate.ts';
import type { TemplateChannel } from '#shared/templates.ts';
import { loadTemplates, readJsonFile } from '../files.ts';
import { paint } from '../output.ts';

export type ImportPinpointOptions = { out?: string; templatesDir?: string; id?: string };

/**
 * `journeys import-pinpoint <file>`: turns an Amazon Pinpoint journey (aws pinpoint
 * get-journey output) into a journey file, writes placeholder templates that do
 * not exist yet, and prints what was mapped approximately or not at all.
 */
export async function importPinpointCommand(file: string, options: ImportPinpointOptions): Promise<void> {
  const json = await readJsonFile(file);
  if (!json.ok) return problems(file, [{ path: '(file)', message: json.message }]);
  const result = importPinpointJourney(json.value, { id: options.id });
  if (!result.ok) return problems(file, result.problems);
  const journey = { $schema: './journey.schema.json', ...result.journey };
  const text = `${JSON.stringify(journey, null, 2)}\n`;
  // With --out the report goes to stdout; without, stdout carries the journey and the report goes to stderr.
  const report = options.out === undefined ? process.stderr : process.stdout;
  if (options.out === undefined) process.stdout.write(text);
  else {
    await writeFile(options.out, text);
    report.write(
      `${paint('green', '✔')} wrote ${options.out} (${Object.keys(result.journey.steps).length} steps)\n`,
    );
  }
  if (options.templatesDir !== undefined) {
    for (const line of await writeTemplates(options.templatesDir, result.templates))
      report.write(`${line}\n`);
  }
  const count = result.notes.length;
  report.write(`\n${count} note${count === 1 ? '' : 's'} on the import:\n`);
  const width = Math.min(48, Math.max(0, ...result.notes.map((n) => n.path.length)));
  for (const note of result.notes)
    report.write(`  ${paint('yellow', note.path.padEnd(width))}  ${note.message}\n`);
  const catalog = await catalogFor(options.templatesDir, result.templates);
  const checked = validateJourney(journey, { templates: catalog });
  if (!checked.ok) {
    report.write(`\n${paint('red', 'The imported journey does not validate yet:')}\n`);
    for (const v of checked.violations) report.write(`  ${paint('yellow', v.path)}  ${v.message}\n`);
  }
}

function problems(file: string, list: readonly { path: string; message: string }[]): void {
  process.stderr.write(
    `${paint('red', '✖')} ${file} is not an Amazon Pinpoint journey that can be imported:\n`,
  );
  for (const p of list) process.stderr.write(`    ${paint('yellow', p.path)}  ${p.message}\n`);
  process.exitCode = 1;
}

/** Writes each template that does not exist yet; an existing file is never overwritten. */
async function writeTemplates(dir: string, templates: readonly ImportedTemplate[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const lines: string[] = [];
  for (const { name, template } of templates) {
    const path = join(dir, `${name}.json`);
    try {
      await writeFile(path, `${JSON.stringify(template, null, 2)}\n`, { flag: 'wx' });
      lines.push(`${paint('green', '✔')} wrote placeholder ${template.channel} template ${path}`);
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
      lines.push(`${paint('dim', '•')} kept existing template ${path}`);
    }
  }
  return lines;
}

/** The templates the journey will see: the folder's own when given, else the placeholders. */
async function catalogFor(
  dir: string | undefined,
  templates: readonly ImportedTemplate[],
): Promise<ReadonlyMap<string, TemplateChannel>> {
  const loaded = dir === undefined ? undefined : await loadTemplates(dir);
  return loaded?.catalog ?? new Map(templates.map((t) => [t.name, t.template.channel]));
}
