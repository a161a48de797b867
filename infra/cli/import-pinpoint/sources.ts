import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonFile, readJsonStream, STDIN } from '../files.ts';

/** One Pinpoint journey to import: where it came from, and its JSON or why it could not be read. */
export type PinpointSource = { label: string } & (
  | { ok: true; value: unknown }
  | { ok: false; message: string }
);

/** What an import reads: the journeys, and remarks on the input as a whole (such as a list that is one page of more). */
export type PinpointSources = { folder: boolean; sources: PinpointSource[]; remarks: string[] };

/**
 * The journeys in a file or a folder. A folder gives each of its `*.json`
 * files in name order; a file of `aws pinpoint list-journeys` output
 * (`JourneysResponse.Item`) gives each journey of the list, labelled
 * `file Item[i]`; a JSON array (the list's `Item` alone, or `get-journey`
 * outputs joined with `jq -s`) gives each of its journeys; any other file is one journey.
 * `-` reads standard input as such a file (`aws pinpoint get-journey … | journeys import-pinpoint -`).
 */
export async function readPinpointSources(input: string): Promise<PinpointSources> {
  const info = await stat(input).catch(() => undefined);
  if (info?.isDirectory() !== true) {
    const { sources, remarks } = await sourcesOfFile(input);
    return { folder: false, sources, remarks };
  }
  const entries = (await readdir(input)).sort();
  const names = entries.filter((name) => name.toLowerCase().endsWith('.json'));
  const sources: PinpointSource[] = [];
  const remarks: string[] = [];
  // Hidden files (.DS_Store) are the system's; anything else left unread is said.
  const passed = entries.filter((name) => !name.startsWith('.') && !names.includes(name));
  if (passed.length > 0)
    remarks.push(
      `${passed.join(', ')} in ${input} ${passed.length === 1 ? 'was' : 'were'} passed over: only the .json files of a folder are read.`,
    );
  for (const name of names) {
    const read = await sourcesOfFile(join(input, name));
    sources.push(...read.sources);
    remarks.push(...read.remarks);
  }
  return { folder: true, sources, remarks };
}

async function sourcesOfFile(given: string): Promise<Omit<PinpointSources, 'folder'>> {
  const file = given === STDIN ? 'stdin' : given;
  // `aws pinpoint get-journey > file.json` in Windows PowerShell 5 writes UTF-16 with a byte order mark.
  const json =
    given === STDIN
      ? await readJsonStream(process.stdin, { utf16: true })
      : await readJsonFile(given, { utf16: true });
  if (!json.ok) return { sources: [{ label: file, ok: false, message: json.message }], remarks: [] };
  if (Array.isArray(json.value))
    return {
      sources: json.value.map((value, i) => ({ label: `${file} [${i}]`, ok: true, value })),
      remarks: json.value.length === 0 ? [emptyList(file)] : [],
    };
  const list = journeyList(json.value);
  if (list === undefined) return { sources: [{ label: file, ok: true, value: json.value }], remarks: [] };
  const remarks =
    list.nextToken !== undefined
      ? [
          `${file} is one page of the list (it has a NextToken): run aws pinpoint list-journeys again with --next-token (or without --max-items) to export the other journeys.`,
        ]
      : list.items.length === 0
        ? [emptyList(file)]
        : [];
  return {
    sources: list.items.map((value, i) => ({ label: `${file} Item[${i}]`, ok: true, value })),
    remarks,
  };
}

/** Said of a file that lists nothing: an export of an application without any, or one that went wrong. */
function emptyList(file: string): string {
  return `${file} is an empty list: there is nothing in it to import (an application without any, or an export that went wrong).`;
}

/** The journeys of `aws pinpoint list-journeys` output, with or without its `JourneysResponse` wrapper. */
function journeyList(value: unknown): { items: unknown[]; nextToken?: unknown } | undefined {
  const response = isObject(value) && isObject(value.JourneysResponse) ? value.JourneysResponse : value;
  if (!isObject(response) || !Array.isArray(response.Item)) return undefined;
  return { items: response.Item, nextToken: response.NextToken ?? undefined };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
