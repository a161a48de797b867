import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { TemplateCatalog, TemplateChannel } from '#shared/templates.ts';
import { checkTemplateSyntax, Template } from '#shared/templates.ts';

/** A JSON file read from disk: its value, or a problem that says where it is. */
export type JsonFile = { ok: true; value: unknown } | { ok: false; message: string };

/** Reads and parses a JSON file; a syntax error names the line and column. */
export async function readJsonFile(path: string): Promise<JsonFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : '';
    return {
      ok: false,
      message: code === 'ENOENT' ? 'file not found' : `cannot read the file (${code || String(error)})`,
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: `not valid JSON: ${locateJsonError(text, error)}` };
  }
}

function locateJsonError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const position = /position (\d+)/.exec(message)?.[1];
  if (position === undefined) return message;
  const before = text.slice(0, Number(position));
  const line = before.split('\n').length;
  const column = Number(position) - before.lastIndexOf('\n');
  return `${message.replace(/ in JSON at position \d+.*$/, '')} at line ${line}, column ${column}`;
}

/** Problems found in template files, by file. */
export type TemplateProblem = { file: string; message: string };

/**
 * Loads the template catalog (name → channel) from a templates folder.
 * Invalid template files are left out of the catalog and reported.
 */
export async function loadTemplates(
  dir: string,
): Promise<{ catalog: TemplateCatalog; problems: TemplateProblem[] } | undefined> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
  } catch {
    return undefined;
  }
  const catalog = new Map<string, TemplateChannel>();
  const problems: TemplateProblem[] = [];
  for (const name of names) {
    const file = join(dir, name);
    const json = await readJsonFile(file);
    if (!json.ok) {
      problems.push({ file, message: json.message });
      continue;
    }
    const parsed = Template.safeParse(json.value);
    const syntax = parsed.success ? checkTemplateSyntax(parsed.data) : [];
    if (parsed.success && syntax.length === 0) catalog.set(basename(name, '.json'), parsed.data.channel);
    else if (parsed.success)
      problems.push(
        ...syntax.map((p) => ({ file, message: `${p.field}: broken Liquid syntax: ${p.message}` })),
      );
    else
      problems.push(
        ...parsed.error.issues.map((i) => ({
          file,
          message: `${i.path.join('.') || '(template)'}: ${i.message}`,
        })),
      );
  }
  return { catalog, problems };
}

/** The templates folder beside a journey file: `<dir>/templates`. */
export function templatesDirFor(journeyFile: string): string {
  return join(dirname(journeyFile), 'templates');
}

/** True for the generated JSON Schema that sits among the journeys (`*.schema.json`). */
export function isSchemaFile(path: string): boolean {
  return basename(path).endsWith('.schema.json');
}
