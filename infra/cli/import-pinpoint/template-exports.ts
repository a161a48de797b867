import * as z from 'zod';
import type { Channel } from '../../../shared/channels.ts';
import type { Template } from '../../../shared/templates.ts';
import { convertHandlebars, type Unconverted } from './handlebars.ts';
import { type ImportLog, pathOf } from './notes.ts';

/**
 * Pinpoint message templates as `aws pinpoint get-email-template`,
 * `get-sms-template` and `get-push-template` print them, turned into
 * templates here when all their content converts (see handlebars.ts).
 */

const text = z.string().optional();
const PushContent = z.looseObject({ Title: text, Body: text, Url: text, Action: text });

const EmailExport = z.looseObject({
  TemplateName: z.string().min(1),
  TemplateType: z.literal('EMAIL').optional(),
  Subject: text,
  HtmlPart: text,
  TextPart: text,
  DefaultSubstitutions: text,
});
const SmsExport = z.looseObject({
  TemplateName: z.string().min(1),
  TemplateType: z.literal('SMS').optional(),
  Body: text,
  DefaultSubstitutions: text,
});
const PushExport = z.looseObject({
  TemplateName: z.string().min(1),
  TemplateType: z.literal('PUSH').optional(),
  Default: PushContent.optional(),
  APNS: PushContent.optional(),
  GCM: PushContent.optional(),
  ADM: PushContent.optional(),
  Baidu: PushContent.optional(),
  DefaultSubstitutions: text,
});

/** One exported Pinpoint template: its name, channel and the export itself. */
export type PinpointTemplateExport =
  | { name: string; channel: 'email'; value: z.infer<typeof EmailExport> }
  | { name: string; channel: 'sms'; value: z.infer<typeof SmsExport> }
  | { name: string; channel: 'push'; value: z.infer<typeof PushExport> };

/** Exported templates by Pinpoint name, then channel. */
export type TemplateExports = ReadonlyMap<string, ReadonlyMap<Channel, PinpointTemplateExport>>;

const WRAPPERS = [
  ['EmailTemplateResponse', 'email', 'EMAIL'],
  ['SMSTemplateResponse', 'sms', 'SMS'],
  ['PushNotificationTemplateResponse', 'push', 'PUSH'],
] as const;

/** The template a file holds (`get-*-template` output, with or without its wrapper); undefined for anything else. */
export function templateExportIn(value: unknown): PinpointTemplateExport | undefined {
  if (!isObject(value)) return undefined;
  for (const [wrapper, channel, type] of WRAPPERS) {
    const inner = isObject(value[wrapper]) ? value[wrapper] : value.TemplateType === type ? value : undefined;
    if (inner === undefined || 'Activities' in inner) continue;
    const parsed = (channel === 'email' ? EmailExport : channel === 'sms' ? SmsExport : PushExport).safeParse(
      inner,
    );
    if (!parsed.success) return undefined;
    return { name: parsed.data.TemplateName, channel, value: parsed.data } as PinpointTemplateExport;
  }
  return undefined;
}

/**
 * Why a file of Pinpoint templates carries nothing to import: a voice or
 * in-app template (channels a journey here has no step for), or
 * `list-templates` output (names without content); undefined for anything else.
 */
export function templateFileWithoutContent(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  const list = value.TemplatesResponse;
  if (isObject(list) && Array.isArray(list.Item))
    return 'aws pinpoint list-templates output names templates without their content: export each with get-email-template, get-sms-template or get-push-template';
  for (const [wrapper, type, what] of [
    ['VoiceTemplateResponse', 'VOICE', 'voice'],
    ['InAppTemplateResponse', 'INAPP', 'in-app'],
  ] as const) {
    const inner = isObject(value[wrapper]) ? value[wrapper] : value.TemplateType === type ? value : undefined;
    if (inner !== undefined && !('Activities' in inner))
      return `the ${what} template ${String(inner.TemplateName ?? '')}: a journey here sends no ${what} messages, so it was not imported`;
  }
  return undefined;
}

/** Adds an export to a catalog; the later of two exports of one template wins. */
export function addTemplateExport(
  into: Map<string, Map<Channel, PinpointTemplateExport>>,
  template: PinpointTemplateExport,
): void {
  const byChannel = into.get(template.name) ?? new Map<Channel, PinpointTemplateExport>();
  byChannel.set(template.channel, template);
  into.set(template.name, byChannel);
}

/** Pinpoint's default values (`DefaultSubstitutions`, a JSON object as text), by variable. */
function defaultsOf(exported: PinpointTemplateExport, at: string, log: ImportLog): Map<string, string> {
  const defaults = new Map<string, string>();
  const given = exported.value.DefaultSubstitutions;
  if (given === undefined || given.trim() === '') return defaults;
  let parsed: unknown;
  try {
    parsed = JSON.parse(given);
  } catch {
    parsed = undefined;
  }
  if (!isObject(parsed)) {
    log.note(pathOf(at, 'DefaultSubstitutions'), 'is not a JSON object; no default values were read.');
    return defaults;
  }
  for (const [key, value] of Object.entries(parsed))
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      defaults.set(key.replace(/^\{\{\s*|\s*\}\}$/g, ''), String(value));
  return defaults;
}

/** Fields of a template export that change what is sent and have no equivalent here. */
const UNCARRIED: ReadonlyMap<string, string> = new Map([
  ['Headers', '(headers added to every email) have no equivalent in a template here and were not imported'],
  ['RecommenderId', '(recommendations from Amazon Personalize) has no equivalent here and was not imported'],
]);

type Field = { key: string; from: string; source: string | undefined; html?: boolean; textAsHtml?: boolean };

/**
 * The template an export becomes, or undefined (each reason noted) when some of
 * its content has no equivalent or a field the channel needs is missing.
 */
export function convertTemplateExport(
  exported: PinpointTemplateExport,
  file: string,
  log: ImportLog,
): Template | undefined {
  const at = pathOf('templates', exported.name);
  const defaults = defaultsOf(exported, at, log);
  for (const [key, why] of UNCARRIED)
    if (exported.value[key] !== undefined) log.note(pathOf(at, key), `${key} ${why}.`);
  const fields = fieldsOf(exported, at, log);
  const out: Record<string, string> = {};
  const failed: string[] = [];
  const blanks = new Set<string>();
  for (const field of fields) {
    if (field.source === undefined || field.source.trim() === '') {
      if (field.key !== 'url') failed.push(`${field.from} is empty`);
      continue;
    }
    const converted = convertHandlebars(field.source, {
      channel: exported.channel,
      defaults,
      ...(field.html === true ? { html: true } : {}),
      ...(field.textAsHtml === true ? { textAsHtml: true } : {}),
    });
    if (!converted.ok) {
      failed.push(...converted.unconverted.map((u) => describe(field.from, u)));
      continue;
    }
    out[field.key] = converted.liquid;
    for (const blank of converted.blanks) blanks.add(blank);
  }
  if (failed.length > 0) {
    log.note(
      at,
      `The ${exported.channel} template was not converted (templates/${file}.json is a placeholder: write it in Liquid): ${failed.join('; ')}.`,
    );
    return undefined;
  }
  log.note(
    at,
    `The ${exported.channel} template's content became templates/${file}.json (Handlebars written as Liquid: check it with journeys preview).`,
  );
  if (blanks.size > 0)
    log.note(
      pathOf(at, 'DefaultSubstitutions'),
      `In the ${exported.channel} template, ${[...blanks].map((b) => `{{${b}}}`).join(', ')} ha${blanks.size === 1 ? 's' : 've'} no default value: Pinpoint left ${blanks.size === 1 ? 'it' : 'them'} out for a customer without ${blanks.size === 1 ? 'it' : 'them'}, and so does the template here (| default: ""); give a default where a blank reads badly.`,
    );
  return { channel: exported.channel, ...out } as Template;
}

function describe(field: string, u: Unconverted): string {
  return `${field} line ${u.line} column ${u.column}: ${u.tag}: ${u.why}`;
}

/** The fields of our template, each with the Pinpoint field it comes from; fields without one are noted. */
function fieldsOf(exported: PinpointTemplateExport, at: string, log: ImportLog): Field[] {
  switch (exported.channel) {
    case 'email': {
      const { Subject, HtmlPart, TextPart } = exported.value;
      const fields: Field[] = [{ key: 'subject', from: 'Subject', source: Subject }];
      const hasHtml = HtmlPart !== undefined && HtmlPart.trim() !== '';
      const hasText = TextPart !== undefined && TextPart.trim() !== '';
      if (hasHtml) fields.push({ key: 'html', from: 'HtmlPart', source: HtmlPart, html: true });
      else if (hasText) {
        fields.push({ key: 'html', from: 'TextPart', source: TextPart, html: true, textAsHtml: true });
        log.note(
          pathOf(at, 'HtmlPart'),
          'There is no HTML part (an email here has one): the text part is the HTML body too, its line breaks kept.',
        );
      } else fields.push({ key: 'html', from: 'HtmlPart', source: undefined });
      if (hasText) fields.push({ key: 'text', from: 'TextPart', source: TextPart });
      else if (hasHtml) {
        fields.push({ key: 'text', from: 'HtmlPart', source: textOfHtml(HtmlPart) });
        log.note(
          pathOf(at, 'TextPart'),
          'There is no text part (an email here has one): it was made from the HTML part, without its tags; read it over.',
        );
      }
      return fields;
    }
    case 'sms':
      return [{ key: 'body', from: 'Body', source: exported.value.Body }];
    case 'push': {
      const value = exported.value;
      const services = (['APNS', 'GCM', 'ADM', 'Baidu'] as const).filter((s) => value[s] !== undefined);
      const content = value.Default ?? (services[0] === undefined ? undefined : value[services[0]]);
      const from = value.Default !== undefined ? 'Default' : (services[0] ?? 'Default');
      for (const service of services.filter((s) => s !== from))
        log.note(
          pathOf(at, service),
          `One push content goes to every platform here: the ${service} content was left out, ${from} is used.`,
        );
      for (const key of Object.keys(content ?? {}).filter(
        (k) => !['Title', 'Body', 'Url', 'Action'].includes(k),
      ))
        log.note(
          pathOf(at, from, key),
          `${key} has no equivalent in a push template here and was not imported.`,
        );
      const fields: Field[] = [
        { key: 'title', from: `${from}.Title`, source: content?.Title },
        { key: 'body', from: `${from}.Body`, source: content?.Body },
      ];
      if (content?.Action === undefined || content.Action === 'URL' || content.Action === 'DEEP_LINK')
        fields.push({ key: 'url', from: `${from}.Url`, source: content?.Url });
      return fields;
    }
  }
}

/** The characters of the named entities an email's HTML commonly holds. */
const ENTITIES: ReadonlyMap<string, string> = new Map([
  ['nbsp', ' '],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
  ['euro', '€'],
  ['pound', '£'],
  ['yen', '¥'],
  ['copy', '©'],
  ['reg', '®'],
  ['trade', '™'],
  ['hellip', '…'],
  ['mdash', '—'],
  ['ndash', '–'],
  ['lsquo', '‘'],
  ['rsquo', '’'],
  ['ldquo', '“'],
  ['rdquo', '”'],
  ['amp', '&'],
]);

/** Text with its character references (`&euro;`, `&#8364;`, `&#x20AC;`) as the characters; unknown ones as written. */
function decodeEntities(text: string): string {
  return text.replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#')) {
      const code =
        name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES.get(name.toLowerCase()) ?? whole;
  });
}

/** An HTML body's text: without its head, styles, scripts and tags. */
function textOfHtml(html: string): string {
  const text = html
    .replace(/\r\n?/g, '\n')
    .replace(/<(head|style|script)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<br\s*\/?>|<\/(p|div|h[1-6]|li|tr)>/gi, '\n')
    .replace(/<[^>]*>/g, '');
  return decodeEntities(text)
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
