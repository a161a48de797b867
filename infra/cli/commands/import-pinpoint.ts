import { mkdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, sep } from 'node:path';
import {
  activityOfPath,
  type ImportedTemplate,
  type ImportResult,
  importPinpointJourney,
  type TemplateUses,
  templateUsesOf,
} from '#infra/cli/import-pinpoint/import.ts';
import type { PinpointSegment } from '#infra/cli/import-pinpoint/schema.ts';
import { type SegmentCatalog, segmentsIn } from '#infra/cli/import-pinpoint/segments.ts';
import { type PinpointSource, readPinpointSources } from '#infra/cli/import-pinpoint/sources.ts';
import {
  addTemplateExport,
  type PinpointTemplateExport,
  type TemplateExports,
  templateExportIn,
  templateFileWithoutContent,
} from '#infra/cli/import-pinpoint/template-exports.ts';
import type { Channel } from '#shared/channels.ts';
import { JOURNEY_ID } from '#shared/journey/schema.ts';
import { validateJourney } from '#shared/journey/validate.ts';
import { isPlaceholderTemplate, isPlaceholderText } from '#shared/template-placeholder.ts';
import type { Template, TemplateCatalog } from '#shared/templates.ts';
import { folderProblem, loadTemplates, STDIN, writeWhole } from '../files.ts';
import { fail, paint } from '../output.ts';

export type ImportPinpointOptions = {
  out?: string;
  templatesDir?: string;
  id?: string;
  force?: boolean;
  segments?: string;
  templateExports?: string;
};

type Imported = Extract<ImportResult, { ok: true }>;

/** Where imported journeys go: stdout, one named file, or `<id>.json` files in a folder. */
type Target =
  | { kind: 'stdout' }
  | { kind: 'file'; path: string; id: string }
  | { kind: 'folder'; dir: string };

/**
 * `journeys import-pinpoint <file|folder>`: turns Amazon Pinpoint journeys (aws
 * pinpoint get-journey or list-journeys output, or a folder of them) into journey
 * files, writes placeholder templates that do not exist yet, and prints what was
 * mapped approximately or not at all. An existing journey file is replaced only
 * with --force, and said so.
 */
export async function importPinpointCommand(input: string, options: ImportPinpointOptions): Promise<void> {
  const piped = [
    ['the journeys', input],
    ['--segments', options.segments],
    ['--template-exports', options.templateExports],
  ].filter(([, path]) => path === STDIN);
  if (piped.length > 1)
    return fail(
      `standard input (-) can be read once, but ${piped.map(([what]) => what).join(' and ')} ${piped.length === 2 ? 'both' : 'all'} name it: give the others as files.`,
    );
  const read = await readPinpointSources(input);
  const { folder } = read;
  const remarks = [...read.remarks];
  // Segment exports beside the journeys, and those given with --segments, resolve segment ids.
  const catalog = new Map<string, PinpointSegment>();
  // Template exports beside the journeys, and those given with --template-exports, carry their content over.
  const exports = new Map<string, Map<Channel, PinpointTemplateExport>>();
  const sources = withoutTemplates(withoutSegments(read.sources, catalog), exports);
  const given = [
    await readGiven(
      '--template-exports',
      options.templateExports,
      (s) => withoutTemplates(s, exports),
      'not Pinpoint templates (aws pinpoint get-email-template, get-sms-template or get-push-template output)',
    ),
    await readGiven(
      '--segments',
      options.segments,
      (s) => withoutSegments(s, catalog),
      'not Pinpoint segments (aws pinpoint get-segment or get-segments output)',
    ),
  ];
  for (const outcome of given) {
    if (typeof outcome === 'string') return fail(outcome);
    remarks.push(...outcome);
  }
  const many = folder || sources.length > 1;
  if (sources.length === 0) {
    for (const remark of remarks) process.stderr.write(`${paint('yellow', '!')} ${remark}\n`);
    return fail(`${input} has no Pinpoint journeys to import.`);
  }
  const target = await targetOf(options, many);
  if (typeof target === 'string') return fail(target);
  // Where the files go is checked before any is written: none, rather than a journey without its templates.
  const folders = [
    ...(target.kind === 'file' ? [['--out', dirname(target.path)]] : []),
    ...(target.kind === 'folder' ? [['--out', target.dir]] : []),
    ...(options.templatesDir === undefined ? [] : [['--templates-dir', options.templatesDir]]),
  ];
  for (const [option, folder = ''] of folders) {
    const problem = await folderProblem(folder);
    if (problem !== undefined) return fail(`${option}: ${problem}.`);
  }
  const report = target.kind === 'stdout' ? process.stderr : process.stdout;
  const ids = new Set<string>();
  const failed: string[] = [];
  const unvalidated: string[] = [];
  // Templates are the application's: each Pinpoint template gets one file across the journeys imported.
  const templates = templateUsesOf(sources.flatMap((s) => (s.ok ? [s.value] : [])));
  for (const [i, source] of sources.entries()) {
    if (many)
      report.write(
        `${i === 0 ? '' : '\n'}${paint('bold', `[${i + 1}/${sources.length}] ${source.label}`)}\n`,
      );
    const done = await importOne(source, target, options, ids, { segments: catalog, templates, exports });
    if (done === 'failed') failed.push(source.label);
    if (done === 'unvalidated') unvalidated.push(source.label);
  }
  for (const remark of remarks) report.write(`\n${paint('yellow', '!')} ${remark}\n`);
  if (many) {
    const invalid = unvalidated.length === 0 ? '' : ` (${unvalidated.length} not validating yet)`;
    const summary = `${sources.length} journey${sources.length === 1 ? '' : 's'}: ${sources.length - failed.length} imported${invalid}, ${failed.length} not`;
    report.write(`\n${failed.length === 0 ? paint('green', summary) : paint('red', summary)}\n`);
    for (const label of failed) report.write(`  ${paint('red', '✖')} ${label}\n`);
  }
  process.exitCode = exitCodeOf(failed.length, unvalidated.length);
}

/**
 * Reads the exports an option gives (`--segments`, `--template-exports`) into
 * `take`: the remarks on them, or why they cannot be used.
 */
async function readGiven(
  option: string,
  path: string | undefined,
  take: (sources: readonly PinpointSource[]) => PinpointSource[],
  what: string,
): Promise<string[] | string> {
  if (path === undefined) return [];
  const given = await readPinpointSources(path);
  // A file that cannot be read (missing, a folder, not UTF-8, not JSON) is named with why, not as the wrong kind.
  const unreadable = given.sources.flatMap((s) => (s.ok ? [] : [`${s.label}: ${s.message}`]));
  if (unreadable.length > 0) return `${option} ${path}: ${unreadable.join('; ')}`;
  const others = take(given.sources);
  if (others.length === 0) return given.remarks;
  return `${option} ${path}: ${others.map((o) => o.label).join(', ')} ${others.length === 1 ? 'is' : 'are'} ${what}.`;
}

/**
 * 1 when a journey was not imported; 2 when every one was written but one does
 * not validate yet (it would be rejected on deploy until edited); 0 otherwise.
 * A script running the import stops on either, and can tell them apart.
 */
function exitCodeOf(failed: number, unvalidated: number): number {
  if (failed > 0) return 1;
  return unvalidated > 0 ? 2 : 0;
}

/**
 * Where the journeys go. A journey deploys from `journeys/<id>.json`, so a
 * journey written to a named file takes its id from the file name.
 */
async function targetOf(options: ImportPinpointOptions, many: boolean): Promise<Target | string> {
  const out = options.out;
  if (many && options.id !== undefined)
    return '--id names one journey; several are imported here, each keeps the id from its name.';
  if (out === undefined)
    return many ? 'Several journeys are imported: give --out <folder> to write them to.' : { kind: 'stdout' };
  const info = await stat(out).catch(() => undefined);
  const isFolder = info?.isDirectory() === true;
  if (many && info !== undefined && !isFolder)
    return `--out ${out} is a file: several journeys are imported, give a folder to write them to.`;
  if (many || isFolder || out.endsWith('/') || out.endsWith(sep)) return { kind: 'folder', dir: out };
  const fileId = basename(out, extname(out));
  if (!JOURNEY_ID.test(fileId))
    return `--out ${out}: a journey deploys from journeys/<id>.json, and "${fileId}" is not a journey id (lowercase letters, digits and dashes). Name the file after the id, or give a folder.`;
  if (options.id !== undefined && options.id !== fileId)
    return `--id ${options.id} and --out ${out} disagree: a journey deploys from journeys/<id>.json, so write it to ${join(dirname(out), `${options.id}.json`)} (or give the folder).`;
  return { kind: 'file', path: out, id: fileId };
}

/** Imports one journey and writes it with its templates: whether it was written, and validates. */
async function importOne(
  source: PinpointSource,
  target: Target,
  options: ImportPinpointOptions,
  ids: Set<string>,
  shared: { segments: SegmentCatalog; templates: TemplateUses; exports: TemplateExports },
): Promise<'imported' | 'unvalidated' | 'failed'> {
  if (!source.ok) return problems(source.label, [{ path: '(file)', message: source.message }]);
  const wanted = target.kind === 'file' ? target.id : options.id;
  const result = importPinpointJourney(source.value, {
    id: wanted,
    templates: shared.templates,
    ...(shared.segments.size === 0 ? {} : { segments: shared.segments }),
    ...(shared.exports.size === 0 ? {} : { templateExports: shared.exports }),
  });
  if (!result.ok) return problems(source.label, result.problems);
  const id = uniqueId(result.journey.id, ids);
  const journey = { $schema: './journey.schema.json', ...result.journey, id };
  const text = `${JSON.stringify(journey, null, 2)}\n`;
  const report = target.kind === 'stdout' ? process.stderr : process.stdout;
  if (id !== result.journey.id)
    report.write(
      `${paint('yellow', '!')} the id "${result.journey.id}" is taken by another journey of this import: this one is "${id}"\n`,
    );
  if (target.kind === 'stdout') process.stdout.write(text);
  else {
    const path = target.kind === 'file' ? target.path : join(target.dir, `${id}.json`);
    const steps = Object.keys(result.journey.steps).length;
    const written = await writeJourney(path, text, options.force === true);
    if (written === 'exists') {
      report.write(
        `${paint('red', '✖')} ${path} exists and was not replaced: pass --force to replace it (your edits to it would be lost).\n`,
      );
      return 'failed';
    }
    const verb = written === 'replaced' ? 'replaced' : 'wrote';
    report.write(`${paint('green', '✔')} ${verb} ${path} (${steps} steps)\n`);
  }
  if (options.templatesDir !== undefined) {
    for (const line of await writeTemplates(options.templatesDir, result.templates))
      report.write(`${line}\n`);
  }
  const validates = await printNotes(report, result, journey, options.templatesDir);
  return validates ? 'imported' : 'unvalidated';
}

/** The sources that are not segment exports; the segments go into `catalog`, each said on stderr. */
function withoutSegments(
  sources: readonly PinpointSource[],
  catalog: Map<string, PinpointSegment>,
): PinpointSource[] {
  const rest: PinpointSource[] = [];
  for (const source of sources) {
    const segments = source.ok ? segmentsIn(source.value) : undefined;
    if (segments === undefined) {
      rest.push(source);
      continue;
    }
    for (const segment of segments) catalog.set(segment.Id, segment);
    process.stderr.write(
      `${paint('dim', '•')} ${source.label}: ${segments.length} segment${segments.length === 1 ? '' : 's'} (${segments.map((g) => g.Name ?? g.Id).join(', ')})\n`,
    );
  }
  return rest;
}

/** The sources that are not template exports; the templates go into `exports`, each said on stderr. */
function withoutTemplates(
  sources: readonly PinpointSource[],
  exports: Map<string, Map<Channel, PinpointTemplateExport>>,
): PinpointSource[] {
  const rest: PinpointSource[] = [];
  for (const source of sources) {
    const without = source.ok ? templateFileWithoutContent(source.value) : undefined;
    if (without !== undefined) {
      process.stderr.write(`${paint('yellow', '!')} ${source.label}: ${without}\n`);
      continue;
    }
    const template = source.ok ? templateExportIn(source.value) : undefined;
    if (template === undefined) {
      rest.push(source);
      continue;
    }
    addTemplateExport(exports, template);
    process.stderr.write(
      `${paint('dim', '•')} ${source.label}: the ${template.channel} template ${template.name}\n`,
    );
  }
  return rest;
}

/** The id, numbered when an earlier journey of the same import took it. */
function uniqueId(id: string, taken: Set<string>): string {
  let unique = id;
  for (let n = 2; taken.has(unique); n++) {
    const suffix = `-${n}`;
    unique = `${id.slice(0, 63 - suffix.length).replace(/-+$/, '')}${suffix}`;
  }
  taken.add(unique);
  return unique;
}

/** Writes a journey file, whole or not at all; an existing one only when `force` is set. */
async function writeJourney(
  path: string,
  text: string,
  force: boolean,
): Promise<'written' | 'replaced' | 'exists'> {
  await mkdir(dirname(path), { recursive: true });
  try {
    await writeWhole(path, text, 'create');
    return 'written';
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
    if (!force) return 'exists';
    await writeWhole(path, text, 'replace');
    return 'replaced';
  }
}

async function printNotes(
  report: NodeJS.WriteStream,
  result: Imported,
  journey: object,
  templatesDir: string | undefined,
): Promise<boolean> {
  const count = result.notes.length;
  report.write(`\n${count} note${count === 1 ? '' : 's'} on the import:\n`);
  const width = Math.min(48, Math.max(0, ...result.notes.map((n) => n.path.length)));
  for (const note of result.notes)
    report.write(`  ${paint('yellow', note.path.padEnd(width))}  ${note.message}\n`);
  const { catalog, placeholders } = await templatesFor(templatesDir, result.templates);
  // A placeholder still in use is a problem as for a deploy, which refuses to send one.
  const checked = validateJourney(journey, { templates: catalog, templateBodies: placeholders });
  if (!checked.ok) {
    report.write(
      `\n${paint('red', 'The imported journey does not validate yet')} (written; the import exits 2, and a deploy rejects it until these are fixed):\n`,
    );
    // Said for the Pinpoint activity too: the step ids are ours, the activities are what the user knows.
    for (const v of checked.violations) {
      const activity = activityOfPath(v.path, result.activities);
      const from = activity === undefined ? '' : ` (Pinpoint activity "${activity}")`;
      report.write(`  ${paint('yellow', v.path)}${from}  ${v.message}\n`);
    }
  }
  return checked.ok;
}

function problems(label: string, list: readonly { path: string; message: string }[]): 'failed' {
  process.stderr.write(
    `${paint('red', '✖')} ${label} is not an Amazon Pinpoint journey that can be imported:\n`,
  );
  for (const p of list) process.stderr.write(`    ${paint('yellow', p.path)}  ${p.message}\n`);
  return 'failed';
}

/** Writes each template that does not exist yet; an existing file is never overwritten. */
async function writeTemplates(dir: string, templates: readonly ImportedTemplate[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const lines: string[] = [];
  for (const { name, template, placeholder } of templates) {
    const path = join(dir, `${name}.json`);
    const text = `${JSON.stringify(template, null, 2)}\n`;
    const what = `${placeholder ? 'placeholder ' : ''}${template.channel} template ${path}`;
    try {
      await writeWhole(path, text, 'create');
      lines.push(`${paint('green', '✔')} wrote ${what}${placeholder ? '' : ' from the Pinpoint template'}`);
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
      // A placeholder an earlier import wrote, still unedited, gives way to the template's content.
      if (!placeholder && isPlaceholderText(await readFile(path, 'utf8').catch(() => ''))) {
        await writeWhole(path, text, 'replace');
        lines.push(`${paint('green', '✔')} replaced the placeholder ${path} with the Pinpoint template`);
      } else lines.push(`${paint('dim', '•')} kept existing template ${path}`);
    }
  }
  return lines;
}

/**
 * The templates the journey will see: the folder's own when given, else the ones the import made;
 * and those of them that are still an import's placeholder.
 */
async function templatesFor(
  dir: string | undefined,
  templates: readonly ImportedTemplate[],
): Promise<{ catalog: TemplateCatalog; placeholders: ReadonlyMap<string, Template> }> {
  const loaded = dir === undefined ? undefined : await loadTemplates(dir);
  const bodies = loaded?.bodies ?? new Map(templates.map((t) => [t.name, t.template]));
  const catalog = loaded?.catalog ?? new Map(templates.map((t) => [t.name, t.template.channel]));
  const placeholders = new Map([...bodies].filter(([, body]) => isPlaceholderTemplate(body)));
  return { catalog, placeholders };
}
