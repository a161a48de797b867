import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { DateTime } from 'luxon';
import { isRecord } from '#shared/conditions/path.ts';
import { type Preview, previewTemplate } from '#shared/template-preview.ts';
import type { Template, TemplateContext } from '#shared/templates.ts';
import { writeOutputFile } from '../files.ts';
import { fail, paint, terminalText } from '../output.ts';
import { journeyTimeOf } from '../runtime-client.ts';
import {
  loadTemplate,
  missingNote,
  type PreviewZone,
  type TemplateInputOptions,
  templateContext,
} from '../template-input.ts';

export type PreviewOptions = TemplateInputOptions & { customer: string; html?: string; at?: string };

/** The instant a preview renders `"now"` and `"today"` at, and where it comes from; no instant when none is known. */
type RenderedAt = { at: Date; source: string } | { at: undefined; dataDir: string };

/** `--at` as a calendar day (`2026-03-05`, `20260305`, `2026-W10-4`, `2026-064`): no time of day. */
const DAY_ONLY = /^(\d{4}-?\d{2}-?\d{2}|\d{4}-?W\d{2}-?\d|\d{4}-?\d{3})$/;

/**
 * The instant `"now"` and `"today"` render at: `--at` (an ISO 8601 instant, or a day for its
 * start in the time zone the message's dates print in: the day as the customer lives it); else
 * journey time — the local runtime's clock on the data folder (running, or where it stopped), the
 * wall clock on AWS, where journey time is the wall clock. A local folder that has no journey time
 * yet has none: never this machine's clock, so the same preview prints the same message.
 */
async function renderedAt(options: PreviewOptions, zone: PreviewZone): Promise<RenderedAt | string> {
  if (options.at !== undefined) {
    const day = DAY_ONLY.test(options.at.trim());
    const parsed = DateTime.fromISO(options.at.trim(), { zone: day ? zone.name : 'utc' });
    if (!parsed.isValid)
      return `--at must be an ISO 8601 instant or day, e.g. 2026-03-05T09:00:00Z or 2026-03-05; got "${options.at}"`;
    if (!day) return { at: parsed.toJSDate(), source: '--at' };
    const source = `--at: the start of ${parsed.toISODate()} in ${zone.name}, ${zone.why}`;
    return { at: parsed.toJSDate(), source };
  }
  if (options.aws)
    return { at: new Date(), source: 'journey time on AWS: the wall clock; --at <time> for another' };
  const dataDir = resolve(options.dataDir);
  const journeyTime = await journeyTimeOf(dataDir);
  if (journeyTime === undefined) return { at: undefined, dataDir };
  return { at: journeyTime, source: 'journey time of the local runtime; --at <time> for another' };
}

/** Two instants apart in every field a date prints (year, month, day, weekday, hour, minute). */
const PROBES = [new Date('2001-02-03T04:05:06Z'), new Date('2012-11-24T17:48:59Z')];

/**
 * The preview at `when`; without an instant, the preview when the template does not depend on
 * one (it renders alike at two far-apart instants), else why it needs `--at`.
 */
async function previewAt<T extends Template>(
  template: T,
  context: TemplateContext,
  when: RenderedAt,
  zone: PreviewZone,
): Promise<{ preview: Preview<T>; at: string } | string> {
  if (when.at !== undefined) {
    // Said when --at gave an instant: the dates below print in another zone than the one it was given in.
    const shown = when.source === '--at' ? `, shown in ${zone.name} (${zone.why})` : '';
    return {
      preview: await previewTemplate(template, context, when.at, zone.name),
      at: `${when.at.toISOString()} (${when.source})${shown}`,
    };
  }
  const [first, second] = await Promise.all(
    PROBES.map((probe) => previewTemplate(template, context, probe, zone.name)),
  );
  if (first === undefined || second === undefined || JSON.stringify(first) !== JSON.stringify(second))
    return `the template renders "now" or "today", and ${when.dataDir} has no journey time yet (no runtime has run on it): give the send time with --at <ISO 8601 time>, e.g. --at 2026-03-05T09:00:00Z`;
  return { preview: first, at: 'not used (the template renders no "now" or "today")' };
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
  const template = await loadTemplate(options, name);
  if (typeof template === 'string') return fail(template);
  const input = await templateContext(options);
  if (typeof input === 'string') return fail(input);
  const when = await renderedAt(options, input.zone);
  if (typeof when === 'string') return fail(when);
  for (const note of input.notes) process.stderr.write(`note: ${note}\n`);
  const rendered = await previewAt(template, input.context, when, input.zone);
  if (typeof rendered === 'string') return fail(rendered);
  const { preview } = rendered;
  if (!preview.ok) {
    fail(`${name} cannot be rendered for ${options.customer}:`);
    for (const variable of preview.missing)
      process.stderr.write(`  missing variable ${missingNote(variable, options.event)}\n`);
    if (preview.error !== undefined) process.stderr.write(`  ${preview.error}\n`);
    return;
  }
  const out: string[] = [paint('bold', `${name} (${template.channel}) for ${options.customer}`)];
  // The time "now" and "today" stand for: a message sent later renders them at its send time.
  out.push(`${paint('dim', 'at:')} ${rendered.at}`);
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
