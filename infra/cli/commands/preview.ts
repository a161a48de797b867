import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { DateTime } from 'luxon';
import { isRecord } from '#shared/conditions/path.ts';
import { previewTemplate } from '#shared/template-preview.ts';
import { writeOutputFile } from '../files.ts';
import { fail, paint, terminalText } from '../output.ts';
import { loadTemplate, type TemplateInputOptions, templateContext } from '../template-input.ts';

export type PreviewOptions = TemplateInputOptions & { customer: string; html?: string; at?: string };

/**
 * The instant `"now"` and `"today"` render at: `--at` (an ISO 8601 instant, or a day for its
 * midnight UTC), else this machine's clock; or why `--at` is not one.
 */
function renderedAt(at: string | undefined): { at: Date; given: boolean } | string {
  if (at === undefined) return { at: new Date(), given: false };
  const parsed = DateTime.fromISO(at, { zone: 'utc' });
  if (!parsed.isValid) return `--at must be an ISO 8601 instant, e.g. 2026-03-05T09:00:00Z; got "${at}"`;
  return { at: parsed.toJSDate(), given: true };
}

/** The most characters of a customer id a preview file is named with. */
const FILE_ID_CHARACTERS = 48;

/**
 * A customer id as part of a file name in the preview folder. An id is any
 * text up to 1 KB: a `/` in it made folders (`../` climbed out of the data
 * directory) and a long one a name the file system refused. Anything but
 * letters, digits and `@ . + _ -` reads as `_`, the id is cut, and an id
 * changed so has its digest added, so two customers never share a file.
 */
function fileNamePart(id: string): string {
  const plain = id.replace(/[^\p{L}\p{N}@.+_-]/gu, '_');
  if (plain === id && [...id].length <= FILE_ID_CHARACTERS) return id;
  const digest = createHash('sha256').update(id).digest('hex').slice(0, 12);
  return `${[...plain].slice(0, FILE_ID_CHARACTERS).join('')}-${digest}`;
}

/** `journeys preview <template> --customer <id>`: the message as that customer would get it. */
export async function previewCommand(name: string, options: PreviewOptions): Promise<void> {
  const when = renderedAt(options.at);
  if (typeof when === 'string') return fail(when);
  const template = await loadTemplate(options.templatesDir, name);
  if (typeof template === 'string') return fail(template);
  const input = await templateContext(options);
  if (typeof input === 'string') return fail(input);
  for (const note of input.notes) process.stderr.write(`note: ${note}\n`);
  const preview = await previewTemplate(template, input.context, when.at);
  if (!preview.ok) {
    fail(`${name} cannot be rendered for ${options.customer}:`);
    for (const variable of preview.missing) process.stderr.write(`  missing variable ${variable}\n`);
    if (preview.error !== undefined) process.stderr.write(`  ${preview.error}\n`);
    return;
  }
  const out: string[] = [paint('bold', `${name} (${template.channel}) for ${options.customer}`)];
  // The time "now" and "today" stand for: a message sent later renders them at its send time.
  const source = when.given ? '--at' : "this machine's clock; --at <time> for the send time";
  out.push(`${paint('dim', 'at:')} ${when.at.toISOString()} ${paint('dim', `(${source})`)}`);
  const { context } = input.context;
  if (isRecord(context)) {
    // The values rendered with, so a blank where a later step sets the value is not a surprise.
    const values = Object.entries(context).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
    out.push(`${paint('dim', 'context:')} ${terminalText(values.join(' '))}`);
  }
  for (const [field, value] of Object.entries(preview.rendered)) {
    if (field !== 'html') out.push(`${paint('dim', `${field}:`)} ${terminalText(String(value))}`);
  }
  if ('html' in preview.rendered && typeof preview.rendered.html === 'string') {
    const path = resolve(
      options.html ?? join(options.dataDir, 'preview', `${name}-${fileNamePart(options.customer)}.html`),
    );
    await mkdir(dirname(path), { recursive: true });
    await writeOutputFile(path, preview.rendered.html);
    out.push(`${paint('dim', 'html:')} ${path}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}
