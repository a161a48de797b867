import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { link, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Channel } from '#shared/channels.ts';
import { type JsonText, MAX_JSON_FILE_BYTES, parseJsonBytes, tooLargeProblem } from '#shared/json-text.ts';
import { parseTemplateShape } from '#shared/template-shape.ts';
import type { TemplateCatalog } from '#shared/templates.ts';
import { checkTemplateSyntax, describeTemplateProblem, type Template } from '#shared/templates.ts';

/** A JSON file read from disk: its value, or a problem that says where it is. */
export type JsonFile = JsonText;

export { MAX_JSON_FILE_BYTES };

/**
 * Reads and parses a JSON file: a directory, a file too large, bytes that are
 * not UTF-8 and a syntax error (with its line and column) are each named.
 * `utf16`: a file that starts with a UTF-16 byte order mark is read as UTF-16
 * (exports of other tools; journeys and templates stay UTF-8).
 */
export async function readJsonFile(path: string, options: { utf16?: boolean } = {}): Promise<JsonFile> {
  return readJsonFileSync(path, options);
}

/**
 * {@link readJsonFile}, read synchronously: a command reads a handful of small
 * files one after the other, and in a process that lives a second the
 * asynchronous file API (its thread pool, a promise per call) costs more than
 * the reads (`journeys validate` reads every template of the folder).
 */
function readJsonFileSync(path: string, options: { utf16?: boolean } = {}): JsonFile {
  let bytes: Uint8Array;
  try {
    const info = statSync(path);
    if (info.isDirectory()) return { ok: false, message: 'is a folder, not a file' };
    const tooLarge = tooLargeProblem(info.size);
    if (tooLarge !== undefined) return { ok: false, message: tooLarge };
    bytes = readFileSync(path);
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : '';
    return {
      ok: false,
      message: code === 'ENOENT' ? 'file not found' : `cannot read the file (${code || String(error)})`,
    };
  }
  return parseJsonBytes(bytes, options);
}

/**
 * JSON given on the command line (`--trigger '{"properties": …}'`), read as
 * a file is: a syntax error with its column, a key written twice refused
 * rather than one of the two dropped, and never the parser's quote of the
 * text around a mistake. The problem names the option it was given with.
 */
export function parseJsonOption(option: string, text: string): JsonFile {
  const read = parseJsonBytes(new TextEncoder().encode(text));
  return read.ok ? read : { ok: false, message: `${option}: ${read.message}` };
}

/** The name a command reads standard input by, in place of a file (`aws … | journeys import-pinpoint -`). */
export const STDIN = '-';

/**
 * Reads and parses JSON from a stream (standard input), held to the size a
 * file may have: one larger is refused once that much has been read, never
 * held whole in memory.
 */
export async function readJsonStream(
  stream: AsyncIterable<Uint8Array | string>,
  options: { utf16?: boolean } = {},
): Promise<JsonFile> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const bytes = Buffer.from(chunk);
    size += bytes.length;
    if (tooLargeProblem(size) !== undefined)
      return {
        ok: false,
        message: `is more than ${MAX_JSON_FILE_BYTES / 1024 / 1024} MB; what is read here can be at most that`,
      };
    chunks.push(bytes);
  }
  if (size === 0) return { ok: false, message: 'is empty: nothing was given on standard input' };
  return parseJsonBytes(Buffer.concat(chunks), options);
}

/**
 * Writes a file a command was asked for (`--out`, `--html`): a folder that
 * does not exist, a path that is a folder and a refused write are each named
 * with the path, not as the system's error code. The text goes to a file
 * beside it first, which then takes its place: a write that fails (a full
 * disk, an interrupted command) leaves the file as it was, never half-written.
 */
export async function writeOutputFile(path: string, text: string): Promise<void> {
  try {
    await writeWhole(path, text, 'replace');
  } catch (error) {
    throw new Error(`cannot write ${path}: ${writeProblem(error, path)}`);
  }
}

/**
 * Writes `text` to `path` whole or not at all: to a temporary file in the same
 * folder, then moved in place (`replace`) or linked there only when no file is
 * (`create`, which fails with EEXIST as `writeFile` with the `wx` flag does).
 */
export async function writeWhole(path: string, text: string, mode: 'replace' | 'create'): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, text, { flag: 'wx' });
    if (mode === 'replace') await rename(temporary, path);
    else
      await link(temporary, path).catch(async (error: unknown) => {
        // A file system without hard links (FAT, some network shares): created in place instead.
        const code = error instanceof Error && 'code' in error ? error.code : undefined;
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
        await writeFile(path, text, { flag: 'wx' });
      });
  } finally {
    await rm(temporary, { force: true }).catch(() => undefined);
  }
}

function writeProblem(error: unknown, path: string): string {
  const code = error instanceof Error && 'code' in error ? String(error.code) : '';
  return code === 'ENOENT'
    ? `the folder ${dirname(path)} does not exist`
    : code === 'ENOTDIR'
      ? `a part of ${dirname(path)} is a file, not a folder`
      : code === 'EISDIR'
        ? 'it is a folder'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code || String(error);
}

/**
 * Why files cannot be written into `folder`, or undefined when they can be
 * as far as can be told before writing: the folder, or the nearest of its
 * parents that exists, is a file. Checked before a command writes anything,
 * so it stops with the path named rather than part way with a system error.
 */
export async function folderProblem(folder: string): Promise<string | undefined> {
  for (let at = folder; ; at = dirname(at)) {
    const info = await stat(at).catch(() => undefined);
    if (info !== undefined)
      return info.isDirectory()
        ? undefined
        : `${at} is a file, not a folder${at === folder ? '' : `, so ${folder} cannot be made`}`;
    if (dirname(at) === at) return undefined;
  }
}

/** Problems found in template files, by file. */
export type TemplateProblem = { file: string; message: string };

/**
 * Loads the template catalog (name → channel) and the templates themselves
 * from a templates folder. Invalid template files are left out and reported.
 */
export async function loadTemplates(
  dir: string,
): Promise<
  { catalog: TemplateCatalog; bodies: Map<string, Template>; problems: TemplateProblem[] } | undefined
> {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .sort();
  } catch {
    return undefined;
  }
  const catalog = new Map<string, Channel>();
  const bodies = new Map<string, Template>();
  const problems: TemplateProblem[] = [];
  for (const name of names) {
    const file = join(dir, name);
    const json = readJsonFileSync(file);
    if (!json.ok) {
      problems.push({ file, message: json.message });
      continue;
    }
    const parsed = parseTemplateShape(json.value);
    if (!parsed.ok) {
      problems.push(...parsed.problems.map((message) => ({ file, message })));
      continue;
    }
    const syntax = checkTemplateSyntax(parsed.template);
    if (syntax.length === 0) {
      catalog.set(basename(name, '.json'), parsed.template.channel);
      bodies.set(basename(name, '.json'), parsed.template);
    } else
      problems.push(...syntax.map((p) => ({ file, message: `${p.field}: ${describeTemplateProblem(p)}` })));
  }
  return { catalog, bodies, problems };
}

/** The templates folder beside a journey file: `<dir>/templates`. */
export function templatesDirFor(journeyFile: string): string {
  return join(dirname(journeyFile), 'templates');
}

/** True for the generated JSON Schema that sits among the journeys (`*.schema.json`). */
export function isSchemaFile(path: string): boolean {
  return basename(path).endsWith('.schema.json');
}
